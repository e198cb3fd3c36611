import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultProxy } from "../src/fault-proxy.ts";
import { Machine, makeProject, startTeamServer, type TeamServer, type Run, type ServerProcess } from "../src/processes.ts";

/**
 * `agent mission create` and `agent mission finalize-tasks` as a user runs them: the CLI as a process, in a real
 * git repository, delivering to a real spec-kitty-server through a proxy that can take the server away. What the
 * server received is read back from its API: event types, aggregates, payloads and correlation ids.
 */

let server: ServerProcess;
let proxy: FaultProxy;
let account: { team: string; email: string; password: string };
let token: string;

let team: TeamServer | undefined;
beforeAll(async () => {
  team = await startTeamServer("ana@example.com");
  ({ server, proxy, account, token } = team);
});
afterAll(async () => {
  await team?.stop();
});

const gitIn = (cwd: string, ...args: string[]): string => {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

/** A logged-in machine and a sync-enabled project whose first commit holds its .kittify/config.yaml. */
const setup = async (name: string): Promise<{ machine: Machine; dir: string; uuid: string }> => {
  const machine = new Machine();
  const login = await machine.cli(["auth", "login", "--server", proxy.url, "--username", account.email, "--password-stdin"], { cwd: machine.home, input: `${account.password}\n` });
  expect(login.status, login.stderr).toBe(0);
  const { dir, uuid } = makeProject(name);
  gitIn(dir, "config", "user.name", "Ana");
  gitIn(dir, "config", "user.email", "ana@example.com");
  gitIn(dir, "config", "commit.gpgsign", "false");
  gitIn(dir, "checkout", "-q", "-b", "main");
  writeFileSync(join(dir, ".gitignore"), ".worktrees/\n");
  gitIn(dir, "add", "-A");
  gitIn(dir, "commit", "-q", "-m", "initial");
  const enable = await machine.cli(["sync", "enable"], { cwd: dir });
  expect(enable.status, enable.stderr).toBe(0);
  // `sync enable` may record the project's settings: keep the tree clean so the commands' own effects show.
  if (gitIn(dir, "status", "--porcelain") !== "") {
    gitIn(dir, "add", "-A");
    gitIn(dir, "commit", "-q", "-m", "sync settings");
  }
  return { machine, dir, uuid };
};

interface Received {
  readonly event_id: string;
  readonly event_type: string;
  readonly aggregate_id: string;
  readonly aggregate_type: string;
  readonly correlation_id: string;
  readonly causation_id: string | null;
  readonly payload: Record<string, unknown>;
  readonly verdict: string;
}

const received = async (projectUuid: string): Promise<Received[]> => {
  const response = await fetch(`${server.url}/api/v1/events/?project_uuid=${projectUuid}&limit=1000`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status === 404) return [];
  expect(response.status).toBe(200);
  const body = (await response.json()) as { events: Array<{ verdict: string; envelope: Record<string, unknown> }> };
  return body.events.map((e) => ({
    event_id: e.envelope["event_id"] as string,
    event_type: e.envelope["event_type"] as string,
    aggregate_id: e.envelope["aggregate_id"] as string,
    aggregate_type: e.envelope["aggregate_type"] as string,
    correlation_id: e.envelope["correlation_id"] as string,
    causation_id: (e.envelope["causation_id"] as string | null | undefined) ?? null,
    payload: e.envelope["payload"] as Record<string, unknown>,
    verdict: e.verdict,
  }));
};

const syncNow = async (machine: Machine, dir: string): Promise<void> => {
  const now = await machine.cli(["sync", "now", "--json"], { cwd: dir, timeoutMs: 60_000 });
  expect(now.status, now.stderr).toBe(0);
};

const json = (run: Run): Record<string, unknown> => {
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

const SEVEN = [
  { id: "WP01", title: "Foundation", deps: [] as string[] },
  { id: "WP02", title: "Storage", deps: ["WP01"] },
  { id: "WP03", title: "Accounts", deps: ["WP01"] },
  { id: "WP04", title: "Sessions", deps: ["WP02", "WP03"] },
  { id: "WP05", title: "Tokens", deps: ["WP03"] },
  { id: "WP06", title: "Audit", deps: [] },
  { id: "WP07", title: "Release", deps: ["WP04", "WP05", "WP06"] },
];

const writeSeven = (missionDir: string): void => {
  const sections = SEVEN.map(
    (w, i) =>
      `## Work Package ${w.id}: ${w.title} (Priority: P${i})\n**Prompt**: \`/tasks/${w.id}-${w.title.toLowerCase()}.md\`\n### Included Subtasks\n- [ ] T${String(i + 1).padStart(3, "0")} build ${w.title.toLowerCase()}\n${w.deps.length === 0 ? "" : `### Dependencies\n${w.deps.map((d) => `- ${d}`).join("\n")}\n`}`,
  );
  writeFileSync(join(missionDir, "tasks.md"), `# Work Packages\n\n${sections.join("\n")}`);
  for (const w of SEVEN) {
    writeFileSync(
      join(missionDir, "tasks", `${w.id}-${w.title.toLowerCase()}.md`),
      `---\nwork_package_id: ${w.id}\ntitle: "${w.title}"\nsubtasks: [T00${SEVEN.indexOf(w) + 1}]\nhistory:\n- lane: planned\n---\n# ${w.id} – ${w.title}\n`,
    );
  }
};

/** Every file under `dir` (not .git) with its bytes. */
const files = (dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> => {
  for (const name of readdirSync(dir)) {
    if (name === ".git") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, base, out);
    else out[relative(base, path)] = readFileSync(path, "latin1");
  }
  return out;
};

// Each test runs a dozen CLI processes; on a loaded two-core machine that can take minutes.
const DEADLINE_MS = 300_000;

describe("create + finalize-tasks end to end (CLI processes → spec-kitty-server)", () => {
  it("a 7-WP mission: exactly 1 MissionCreated + 7 WPCreated (one correlation) + 7 genesis→planned reach the server; status and next read it; re-runs add nothing", async () => {
    const { machine, dir, uuid } = await setup("cf-online");
    const created = json(await machine.cli(["agent", "mission", "create", "user-auth", "--friendly-name", "User authentication", "--json"], { cwd: dir }));
    expect(created).toMatchObject({ result: "success", status: "created", mission_number: null, mission_type: "software-dev", target_branch: "main", commit_created: true });
    const slug = created["mission_slug"] as string;
    const missionId = created["mission_id"] as string;
    expect(slug).toBe(`user-auth-${missionId.slice(0, 8)}`);
    writeSeven(join(dir, "kitty-specs", slug));
    const finalized = json(await machine.cli(["agent", "mission", "finalize-tasks", "--mission", slug, "--actor", "ana", "--json"], { cwd: dir }));
    expect(finalized).toMatchObject({
      result: "success",
      mission_slug: slug,
      wp_count: 7,
      modified_wps: ["WP01", "WP02", "WP03", "WP04", "WP05", "WP06", "WP07"],
      unchanged_wps: [],
      commit_created: true,
      bootstrap: { total_wps: 7, newly_seeded: 7, already_initialized: 0 },
      dependencies_parsed: Object.fromEntries(SEVEN.map((w) => [w.id, w.deps])),
    });
    expect(gitIn(dir, "status", "--porcelain", "--untracked-files=all")).toBe("");
    expect(gitIn(dir, "log", "--format=%s").trim().split("\n").slice(0, 3)).toEqual([
      "chore(spec-kitty): status transition WP01, WP02, WP03, WP04, WP05, WP06, WP07",
      `Add tasks for feature ${slug}`,
      `Add spec for feature ${slug}`,
    ]);

    await syncNow(machine, dir);
    const events = await received(uuid);
    expect(events.every((e) => e.verdict !== "quarantined"), JSON.stringify(events.filter((e) => e.verdict === "quarantined"))).toBe(true);
    const byType = (t: string) => events.filter((e) => e.event_type === t);
    expect(events).toHaveLength(15);
    const [missionCreated] = byType("MissionCreated");
    expect(byType("MissionCreated")).toHaveLength(1);
    expect(missionCreated).toMatchObject({
      aggregate_id: missionId,
      aggregate_type: "Mission",
      payload: { mission_id: missionId, mission_slug: slug, mission_number: null, mission_type: "software-dev", target_branch: "main", wp_count: 0, friendly_name: "User authentication" },
    });
    const wpCreated = byType("WPCreated");
    expect(wpCreated.map((e) => e.aggregate_id).sort()).toEqual(SEVEN.map((w) => w.id));
    expect(new Set(wpCreated.map((e) => e.correlation_id)).size).toBe(1);
    expect(wpCreated[0]?.correlation_id).not.toBe(missionCreated?.correlation_id);
    expect(new Set(wpCreated.map((e) => e.causation_id)).size).toBe(1);
    expect(wpCreated[0]?.causation_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    for (const w of SEVEN) {
      expect(wpCreated.find((e) => e.aggregate_id === w.id)?.payload).toEqual({ wp_id: w.id, wp_title: w.title, depends_on: w.deps, mission_slug: slug, actor: "ana" });
    }
    const changed = byType("WPStatusChanged");
    expect(changed.map((e) => e.aggregate_id).sort()).toEqual(SEVEN.map((w) => w.id));
    for (const e of changed) {
      expect(e.payload).toMatchObject({ mission_slug: slug, wp_id: e.aggregate_id, from_lane: "genesis", to_lane: "planned", actor: "finalize-tasks", reason: "canonical bootstrap", force: false });
    }
    // The status hook's events belong to the same invocation as the WPCreated.
    expect(new Set(changed.map((e) => e.correlation_id))).toEqual(new Set([wpCreated[0]?.correlation_id]));

    // Side by side: the status board and the runtime read the mission.
    const board = json(await machine.cli(["status", "--mission", slug, "--json"], { cwd: dir }));
    expect(JSON.stringify(board)).toContain("WP07");
    const next = await machine.cli(["next", "--mission", slug], { cwd: dir });
    expect(next.status, next.stderr).toBe(0);

    // Re-runs: nothing new anywhere (`next` above started a run, whose own events are part of the baseline).
    await syncNow(machine, dir);
    const baseline = (await received(uuid)).map((e) => e.event_id).sort();
    expect(baseline.length).toBeGreaterThanOrEqual(15);
    const headBefore = gitIn(dir, "rev-parse", "HEAD");
    const bytesBefore = files(dir);
    const again = json(await machine.cli(["agent", "mission", "finalize-tasks", "--mission", slug, "--json"], { cwd: dir }));
    expect(again).toMatchObject({ modified_wps: [], commit_created: false, commit_hash: null, bootstrap: { newly_seeded: 0, already_initialized: 7 }, wp_created: [] });
    const recreate = json(await machine.cli(["agent", "feature", "create-feature", "user-auth", "--json"], { cwd: dir }));
    expect(recreate).toMatchObject({ status: "existing", mission_slug: slug, commit_created: false });
    expect(gitIn(dir, "rev-parse", "HEAD")).toBe(headBefore);
    expect(files(dir)).toEqual(bytesBefore);
    await syncNow(machine, dir);
    expect((await received(uuid)).map((e) => e.event_id).sort()).toEqual(baseline);
  }, DEADLINE_MS);

  it("with the server unreachable both commands succeed (exit 0, their JSON), and every event arrives after `sync now`", async () => {
    const { machine, dir, uuid } = await setup("cf-offline");
    proxy.offline = true;
    let slug: string;
    try {
      const created = await machine.cli(["agent", "mission", "create", "offline-work", "--json"], { cwd: dir, timeoutMs: 30_000 });
      slug = json(created)["mission_slug"] as string;
      writeSeven(join(dir, "kitty-specs", slug));
      const finalized = await machine.cli(["agent", "mission", "finalize-tasks", "--mission", slug, "--json"], { cwd: dir, timeoutMs: 30_000 });
      expect(json(finalized)).toMatchObject({ wp_count: 7, bootstrap: { newly_seeded: 7 } });
      const failedNow = await machine.cli(["sync", "now", "--json"], { cwd: dir, timeoutMs: 60_000 });
      expect(failedNow.status).toBe(1);
      expect(JSON.parse(failedNow.stdout).summary.remaining).toBe(15);
    } finally {
      proxy.offline = false;
    }
    expect(gitIn(dir, "status", "--porcelain", "--untracked-files=all")).toBe("");
    await syncNow(machine, dir);
    const events = await received(uuid);
    expect(events.map((e) => e.event_type).sort()).toEqual(["MissionCreated", ...Array(7).fill("WPCreated"), ...Array(7).fill("WPStatusChanged")].sort());
    expect(new Set(events.filter((e) => e.event_type === "WPCreated").map((e) => e.correlation_id)).size).toBe(1);
  }, DEADLINE_MS);

  it("bad input: a clear error with file and line, exit 2, nothing written, nothing sent", async () => {
    const { machine, dir, uuid } = await setup("cf-bad");
    const created = json(await machine.cli(["agent", "mission", "create", "bad-input", "--json"], { cwd: dir }));
    const slug = created["mission_slug"] as string;
    const missionDir = join(dir, "kitty-specs", slug);
    await syncNow(machine, dir);
    const baseline = (await received(uuid)).length;
    const rel = `kitty-specs/${slug}`;
    const cases: Array<{ name: string; write: () => void; pattern: RegExp; code: number }> = [
      {
        name: "malformed tasks.md",
        write: () => writeFileSync(join(missionDir, "tasks.md"), `${readFileSync(join(missionDir, "tasks.md"), "utf8")}\n## Work Package WP02: twice\n`),
        pattern: new RegExp(`${rel}/tasks\\.md:\\d+: a second section for WP02`),
        code: 2,
      },
      {
        name: "bad front matter",
        write: () => writeFileSync(join(missionDir, "tasks", "WP03-accounts.md"), "---\nwork_package_id: WP03\ntitle: [oops\n---\nbody\n"),
        pattern: new RegExp(`${rel}/tasks/WP03-accounts\\.md:\\d+: invalid YAML front matter`),
        code: 2,
      },
      {
        name: "bad meta.json",
        write: () => writeFileSync(join(missionDir, "meta.json"), "{\n  \"target_branch\": \"main\",\n}\n"),
        pattern: /meta\.json:\d+: meta\.json is not valid JSON/,
        code: 2,
      },
      {
        name: "cyclic dependencies",
        write: () => writeFileSync(join(missionDir, "tasks.md"), readFileSync(join(missionDir, "tasks.md"), "utf8").replace("(Priority: P0)\n", "(Priority: P0)\nDepends on WP07\n")),
        pattern: new RegExp(`Circular dependencies detected: WP01 → WP07 → WP04 → WP02 → WP01; WP01 → WP07 → WP04 → WP03 → WP01 \\[WP01 → WP07 \\(${rel}/tasks\\.md:4\\)`),
        code: 2,
      },
      {
        name: "unknown WP",
        write: () => writeFileSync(join(missionDir, "tasks.md"), readFileSync(join(missionDir, "tasks.md"), "utf8").replace("- WP06", "- WP66")),
        pattern: new RegExp(`${rel}/tasks\\.md:\\d+: WP07: Dependency WP66 not found in graph`),
        code: 2,
      },
    ];
    for (const c of cases) {
      writeSeven(missionDir);
      // Start every case from the committed meta.json.
      gitIn(dir, "checkout", "--", `${rel}/meta.json`);
      c.write();
      const before = { status: gitIn(dir, "status", "--porcelain", "--untracked-files=all"), head: gitIn(dir, "rev-parse", "HEAD"), files: files(dir) };
      const run = await machine.cli(["agent", "mission", "finalize-tasks", "--mission", slug], { cwd: dir });
      expect(run.status, `${c.name}: ${run.stderr}`).toBe(c.code);
      expect(run.stdout, c.name).toBe("");
      expect(run.stderr, c.name).toMatch(c.pattern);
      const withJson = await machine.cli(["agent", "mission", "finalize-tasks", "--mission", slug, "--json"], { cwd: dir });
      expect(withJson.status, c.name).toBe(c.code);
      const error = (JSON.parse(withJson.stdout) as { error: { code: string; message: string; file?: string } }).error;
      expect(error.message, c.name).toMatch(c.pattern);
      expect(error.file, c.name).toBeDefined();
      expect({ status: gitIn(dir, "status", "--porcelain", "--untracked-files=all"), head: gitIn(dir, "rev-parse", "HEAD"), files: files(dir) }, c.name).toEqual(before);
    }
    await syncNow(machine, dir);
    expect(await received(uuid)).toHaveLength(baseline);
  }, DEADLINE_MS);
});
