import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serializeRow } from "@spec-kitty/status";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_BIN } from "./cli-process.ts";
import { git, initGitRepo } from "@spec-kitty/test-support";

/** Sync capture through the real CLI: init, move-task's emission, sync status/gc/import-legacy-queue, faults. */

const SLUG = "sync-demo-01KZY1JB";
const MISSION_ID = "01KZY1JBHRNZG2PXBPFHQ66DA3";
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
const temp = (prefix: string): string => {
  const d = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  temps.push(d);
  return d;
};

const makeRepo = (): string => {
  const root = temp("sk-sync-e2e-");
  const dir = join(root, "kitty-specs", SLUG);
  mkdirSync(join(dir, "tasks"), { recursive: true });
  const meta = { mission_id: MISSION_ID, mission_slug: SLUG, slug: SLUG, mission_type: "software-dev", target_branch: "main", topology: "single_branch", friendly_name: "Sync demo", created_at: "2026-08-01T10:00:00+00:00" };
  writeFileSync(join(dir, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  const seed = ["WP01", "WP02", "WP03"].map((wp, i) =>
    serializeRow({
      event_id: `01KZ0000000000000000000${String(i).padStart(3, "0")}`,
      mission_slug: SLUG, wp_id: wp, from_lane: "genesis", to_lane: "planned", at: `2026-08-01T10:00:00.${String(i).padStart(6, "0")}+00:00`,
      actor: "finalize-tasks", force: false, execution_mode: "worktree", reason: null, review_ref: null, evidence: null, policy_metadata: null, mission_id: MISSION_ID,
    }),
  );
  writeFileSync(join(dir, "status.events.jsonl"), `${seed.join("\n")}\n`);
  initGitRepo(root, { who: "E2E" });
  return root;
};

interface Run { status: number; stdout: string; stderr: string }
const cli = (home: string, cwd: string, args: string[], extraEnv: Record<string, string> = {}): Run => {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", SPEC_KITTY_HOME: home, ...extraEnv } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};
const move = (home: string, root: string, wp: string, lane: string, env: Record<string, string> = {}) =>
  cli(home, root, ["agent", "tasks", "move-task", wp, "--to", lane, "--mission", SLUG, "--actor", "claude"], env);
const outbox = (home: string) => {
  const db = new DatabaseSync(join(home, "sync", "outbox.db"), { readOnly: true });
  const rows = db.prepare("SELECT event_id, project_uuid, lamport, blocked_reason, parked_reason, envelope FROM events ORDER BY seq").all() as Array<Record<string, unknown>>;
  db.close();
  return rows.map((r): Record<string, unknown> & { envelope: Record<string, unknown> } => ({ ...r, envelope: JSON.parse(String(r["envelope"])) as Record<string, unknown> }));
};
const maskSha = (s: string) => s.replace(/commit [0-9a-f]{10}/, "commit <sha>");

describe("spec-kitty init", () => {
  it("writes the identity once, at the main repository root even from a worktree, and reports it as JSON", () => {
    const root = makeRepo();
    const home = temp("sk-home-");
    const wt = join(temp("sk-wt-"), "lane");
    git(root, "worktree", "add", "-q", "-b", "lane", wt);
    const first = cli(home, wt, ["init", "--json"]);
    expect(first.status, first.stderr).toBe(0);
    const doc = JSON.parse(first.stdout);
    expect(doc).toMatchObject({ config_path: join(root, ".kittify", "config.yaml"), written: true, persisted: true, sync: { auto_start: true } });
    expect(doc.project.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(existsSync(join(wt, ".kittify", "config.yaml"))).toBe(false);
    const second = cli(home, root, ["init", "--json"]);
    expect(JSON.parse(second.stdout)).toMatchObject({ written: false, added: [], project: { uuid: doc.project.uuid } });
  });

  it("refuses a malformed uuid with exit 2 naming the file and key, and leaves the file alone", () => {
    const root = makeRepo();
    mkdirSync(join(root, ".kittify"));
    writeFileSync(join(root, ".kittify", "config.yaml"), "project:\n  uuid: 12345\n");
    const r = cli(temp("sk-home-"), root, ["init"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(join(root, ".kittify", "config.yaml"));
    expect(r.stderr).toContain("project.uuid");
    expect(readFileSync(join(root, ".kittify", "config.yaml"), "utf8")).toBe("project:\n  uuid: 12345\n");
  });
});

describe("move-task emits through the funnel", () => {
  it("one WPStatusChanged per transition, clocks increasing across commands, one correlation id per command, stdout unchanged", () => {
    const root = makeRepo();
    const home = temp("sk-home-");
    expect(cli(home, root, ["init"]).status).toBe(0);
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "identity");
    const a = move(home, root, "WP01", "claimed");
    const b = move(home, root, "WP01", "in_progress");
    const refused = move(home, root, "WP02", "done");
    for (const r of [a, b]) {
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
    expect(refused.status).toBe(1);
    const all = outbox(home);
    expect(all).toHaveLength(3);
    // The refused move reports one ErrorLogged (no lane changed, so no WPStatusChanged).
    expect(all[2]?.envelope).toMatchObject({
      event_type: "ErrorLogged",
      aggregate_id: "WP02",
      payload: { error_type: "validation", wp_id: "WP02", agent_id: "claude", error_message: expect.stringMatching(/^[A-Z_]+: /) },
    });
    const rows = all.slice(0, 2);
    const log = readFileSync(join(root, "kitty-specs", SLUG, "status.events.jsonl"), "utf8").trim().split("\n").slice(3).map((l) => JSON.parse(l));
    expect(rows.map((r) => r["event_id"])).toEqual(log.map((r) => r.event_id));
    expect(rows.map((r) => r["lamport"])).toEqual([1, 2]);
    const [e1, e2] = rows.map((r) => r.envelope as Record<string, unknown>);
    expect(e1).toMatchObject({ event_type: "WPStatusChanged", aggregate_id: "WP01", schema_version: "3.0.0", git_branch: "main", payload: { from_lane: "planned", to_lane: "claimed", actor: "claude", mission_slug: SLUG } });
    expect(e1!["correlation_id"]).not.toBe(e2!["correlation_id"]);
    expect(rows.every((r) => r["blocked_reason"] === null && r["parked_reason"] === null)).toBe(true);
    expect(git(root, "status", "--porcelain")).toBe("");
    // the same command with capture off prints the same thing
    const root2 = makeRepo();
    const off = move(temp("sk-home-"), root2, "WP01", "claimed", { SPEC_KITTY_SYNC_CAPTURE: "off" });
    expect(maskSha(off.stdout)).toBe(maskSha(a.stdout));
    expect(off.stderr).toBe("");
  });

  it("without identity: events are kept blocked, the repository stays clean, and init makes them deliverable", () => {
    const root = makeRepo();
    const home = temp("sk-home-");
    expect(move(home, root, "WP01", "claimed").status).toBe(0);
    expect(existsSync(join(root, ".kittify"))).toBe(false);
    expect(git(root, "status", "--porcelain")).toBe("");
    expect(outbox(home).map((r) => r["blocked_reason"])).toEqual(["missing_identity"]);
    const status = cli(home, root, ["sync", "status", "--json"]);
    expect(status.status).toBe(0);
    const doc = JSON.parse(status.stdout);
    expect(doc.outbox.projects[0]).toMatchObject({ project_uuid: null, repo_root: root, blocked: { missing_identity: 1 } });
    expect(status.stderr).toContain("run 'spec-kitty init'");
    const init = JSON.parse(cli(home, root, ["init", "--json"]).stdout);
    expect(init.adopted_events).toBe(1);
    const [row] = outbox(home);
    expect(row).toMatchObject({ project_uuid: init.project.uuid, blocked_reason: null });
    expect(row!.envelope).toMatchObject({ project_uuid: init.project.uuid, build_id: init.project.build_id });
  });
});

describe("faults never change the command's outcome", () => {
  it("a corrupt config: same stdout and exit code, one warning naming file and key, the event kept", () => {
    const root = makeRepo();
    mkdirSync(join(root, ".kittify"));
    writeFileSync(join(root, ".kittify", "config.yaml"), "project:\n  uuid: not-a-uuid\n  slug: x\n  node_id: abc\n");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "broken identity");
    const home = temp("sk-home-");
    const r = move(home, root, "WP01", "claimed");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^WP01: planned -> claimed \(commit [0-9a-f]{10} on main\)\n$/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(join(root, ".kittify", "config.yaml"));
    expect(r.stderr).toContain("project.uuid");
    expect(outbox(home).map((x) => x["blocked_reason"])).toEqual(["missing_identity"]);
    expect(readFileSync(join(root, ".kittify", "config.yaml"), "utf8")).toContain("not-a-uuid");
  });

  it("a read-only config is only read: the command succeeds and the file is unchanged", () => {
    const root = makeRepo();
    const home = temp("sk-home-");
    expect(cli(home, root, ["init"]).status).toBe(0);
    const config = join(root, ".kittify", "config.yaml");
    const before = readFileSync(config, "utf8");
    chmodSync(config, 0o444);
    chmodSync(join(root, ".kittify"), 0o555);
    try {
      const r = move(home, root, "WP01", "claimed");
      expect(r.status).toBe(0);
      expect(r.stderr).toBe("");
      expect(readFileSync(config, "utf8")).toBe(before);
      expect(outbox(home)[0]).toMatchObject({ blocked_reason: null });
    } finally {
      chmodSync(join(root, ".kittify"), 0o755);
    }
  });

  it("a corrupt outbox: same stdout and exit code, one loud warning naming the outbox and the event, nothing lost", () => {
    const root = makeRepo();
    const home = temp("sk-home-");
    expect(cli(home, root, ["init"]).status).toBe(0);
    mkdirSync(join(home, "sync"), { recursive: true });
    writeFileSync(join(home, "sync", "outbox.db"), "not a database ".repeat(500));
    const r = move(home, root, "WP01", "claimed");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^WP01: planned -> claimed \(commit [0-9a-f]{10} on main\)\n$/);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    const eventId = JSON.parse(readFileSync(join(root, "kitty-specs", SLUG, "status.events.jsonl"), "utf8").trim().split("\n").pop()!).event_id as string;
    expect(lines[0]).toContain(join(home, "sync", "outbox.db"));
    expect(lines[0]).toContain(eventId);
    const status = cli(home, root, ["sync", "status"]);
    expect(status.status).toBe(1);
    expect(status.stdout).toContain("UNUSABLE");
    expect(status.stdout).toContain("1 event(s) waiting");
    rmSync(join(home, "sync", "outbox.db"));
    const healed = JSON.parse(cli(home, root, ["sync", "status", "--json"]).stdout);
    expect(healed.outbox.total_events).toBe(1);
    expect(outbox(home).map((x) => x["event_id"])).toEqual([eventId]);
  });

  it("a locked outbox: the command waits out the busy timeout, succeeds, and the event is kept", async () => {
    const root = makeRepo();
    const home = temp("sk-home-");
    expect(cli(home, root, ["init"]).status).toBe(0);
    expect(cli(home, root, ["sync", "status"]).status).toBe(0); // creates the outbox
    const holder = spawn(
      process.execPath,
      ["-e", `const {DatabaseSync}=require("node:sqlite");const d=new DatabaseSync(${JSON.stringify(join(home, "sync", "outbox.db"))});d.exec("BEGIN EXCLUSIVE");console.log("locked");setTimeout(()=>{d.exec("ROLLBACK");process.exit(0)},9000);`],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((ok) => holder.stdout!.once("data", () => ok()));
    const r = await new Promise<Run>((ok) => {
      const c = spawn(process.execPath, [CLI_BIN, "agent", "tasks", "move-task", "WP01", "--to", "claimed", "--mission", SLUG, "--actor", "claude"], {
        cwd: root,
        env: { ...process.env, NO_COLOR: "1", SPEC_KITTY_HOME: home },
      });
      let stdout = "";
      let stderr = "";
      c.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      c.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      c.on("exit", (code) => ok({ status: code ?? -1, stdout, stderr }));
    });
    holder.kill("SIGKILL");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^WP01: planned -> claimed/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("locked");
    const healed = JSON.parse(cli(home, root, ["sync", "status", "--json"]).stdout);
    expect(healed.outbox.total_events).toBe(1);
  }, 30_000);
});

describe("sync gc and import-legacy-queue", () => {
  it("imports a Python queue.db once, and gc refuses a malformed duration with exit 2", () => {
    const home = temp("sk-home-");
    const q = join(temp("sk-q-"), "queue.db");
    const db = new DatabaseSync(q);
    db.exec("CREATE TABLE queue (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT UNIQUE NOT NULL, event_type TEXT NOT NULL, data TEXT NOT NULL, timestamp INTEGER NOT NULL, retry_count INTEGER DEFAULT 0)");
    const env = { event_id: "01JMBY7K8N3QRVX2DPFG5HWT4E", event_type: "WPStatusChanged", aggregate_id: "WP01", payload: { mission_slug: "m", wp_id: "WP01", from_lane: "planned", to_lane: "claimed", actor: "a", execution_mode: "worktree" }, node_id: "a1b2c3d4e5f6", lamport_clock: 7, causation_id: null, timestamp: "2026-02-07T12:00:00+00:00", project_uuid: "550e8400-e29b-41d4-a716-446655440000" };
    db.prepare("INSERT INTO queue (event_id, event_type, data, timestamp) VALUES (?, ?, ?, ?)").run(env.event_id, env.event_type, JSON.stringify(env), 1_770_000_000);
    db.close();
    const first = cli(home, home, ["sync", "import-legacy-queue", q, "--json"]);
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ rows: 1, imported: 1, duplicates: 0, parked: 0 });
    expect(JSON.parse(cli(home, home, ["sync", "import-legacy-queue", q, "--json"]).stdout)).toMatchObject({ imported: 0, duplicates: 1 });
    const missing = cli(home, home, ["sync", "import-legacy-queue", join(home, "nope.db")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("nope.db");
    const gc = cli(home, home, ["sync", "gc", "--older-than", "30d", "--json"]);
    expect(gc.status).toBe(0);
    expect(JSON.parse(gc.stdout).removed).toBe(0);
    const bad = cli(home, home, ["sync", "gc", "--older-than", "soon"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("'soon' is not a duration");
  });
});

describe("next emits its mission-next events through the funnel", () => {
  const TEMPLATE = `mission:
  key: custom
  name: Custom mission
  version: "1.0.0"
steps:
  - id: setup
    title: Setup
    prompt: Set things up.
  - id: implement
    title: Implement
    depends_on: [setup]
`;
  const NSLUG = "demo-01KT6HVH";
  const NMID = "01KT6HVH3QND4Q3KCGH2419N4J";
  const makeRunRepo = (): string => {
    const root = temp("sk-sync-next-");
    const mission = join(root, "kitty-specs", NSLUG);
    mkdirSync(join(mission, "tasks"), { recursive: true });
    writeFileSync(
      join(mission, "meta.json"),
      `${JSON.stringify({ created_at: "2026-01-01T00:00:00+00:00", friendly_name: "Demo", mission_id: NMID, mission_slug: NSLUG, mission_type: "custom", slug: NSLUG, target_branch: "main" }, null, 2)}\n`,
    );
    writeFileSync(join(mission, "tasks", "WP01-part.md"), "---\nwork_package_id: WP01\ntitle: Part\n---\n");
    writeFileSync(
      join(mission, "status.events.jsonl"),
      `{"actor": "finalize-tasks", "at": "2026-01-01T00:00:00+00:00", "event_id": "01J0000000000000000000WP01", "evidence": null, "execution_mode": "worktree", "force": false, "from_lane": "genesis", "mission_id": "${NMID}", "mission_slug": "${NSLUG}", "policy_metadata": null, "reason": null, "review_ref": null, "to_lane": "planned", "wp_id": "WP01"}\n`,
    );
    mkdirSync(join(root, ".kittify", "missions", "custom"), { recursive: true });
    writeFileSync(join(root, ".kittify", "missions", "custom", "mission-runtime.yaml"), TEMPLATE);
    initGitRepo(root, { who: "E2E" });
    return root;
  };

  it("captures the run's events with one correlation id, all valid, and prints what it prints without capture", () => {
    const root = makeRunRepo();
    const home = temp("sk-home-");
    expect(cli(home, root, ["init"]).status).toBe(0);
    const r = cli(home, root, ["next", "--mission", NSLUG, "--agent", "a-1", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const rows = outbox(home);
    const types = rows.map((x) => x.envelope["event_type"]);
    expect(types[0]).toBe("MissionRunStarted");
    expect(types).toContain("NextStepIssued");
    expect(new Set(rows.map((x) => x.envelope["correlation_id"])).size).toBe(1);
    const status = JSON.parse(cli(home, root, ["sync", "status", "--json"]).stdout);
    expect(status.outbox.parked_events).toEqual([]);
    expect(status.outbox.projects[0]).toMatchObject({ captured: rows.length, unvalidated: 0, parked: {} });
    const off = cli(temp("sk-home-"), makeRunRepo(), ["next", "--mission", NSLUG, "--agent", "a-1", "--json"], { SPEC_KITTY_SYNC_CAPTURE: "off" });
    const strip = (s: string) => ({ ...(JSON.parse(s) as Record<string, unknown>), run_id: "<run>" });
    expect(strip(off.stdout)).toEqual(strip(r.stdout));
  });
});
