import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Machine, REPO, createAccount, makeProject, readToken, startServer, type ServerProcess } from "../src/processes.ts";

/**
 * `spec-kitty orchestrate` as a process in real git repositories, with fake agent executables (node scripts that
 * commit, fail, hang, approve, reject with feedback, print auth and rate-limit errors), delivering to a real
 * spec-kitty-server: the lanes, commits, state file, logs and the events the server received; and a SIGKILL mid-run
 * followed by --resume.
 */

const FAKE_AGENT = join(REPO, "packages/workflow/test/fixtures/agents/fake-agent.mjs");
const MISSION = "001-diamond";
const MISSION_ID = "01KZ9QRCH3STRAT10N0000000A";
const DIAMOND: Record<string, string[]> = { WP01: [], WP02: ["WP01"], WP03: ["WP01"], WP04: ["WP01"], WP05: ["WP02", "WP03"], WP06: ["WP04", "WP05"] };

let server: ServerProcess;
let account: { team: string; email: string; password: string };
let token: string;
let machine: Machine;

beforeAll(async () => {
  server = await startServer();
  account = await createAccount(server.data, "acme", "orch@example.com");
  token = await readToken(server.url, account.email, account.password);
  machine = new Machine();
  const login = await machine.cli(["auth", "login", "--server", server.url, "--username", account.email, "--password-stdin", "--json"], { cwd: machine.home, input: `${account.password}\n` });
  expect(login.status, login.stderr).toBe(0);
});
afterAll(async () => {
  await server?.stop();
});

const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

/** A project with a finalized mission whose WP files declare `graph`, and fake agents in .kittify/agents.yaml. */
const project = (name: string, graph: Record<string, string[]>, agents: string): { dir: string; uuid: string } => {
  const p = makeProject(name);
  const dir = join(p.dir, "kitty-specs", MISSION);
  mkdirSync(join(dir, "tasks"), { recursive: true });
  const meta = { mission_id: MISSION_ID, mission_number: null, mission_slug: MISSION, mission_type: "software-dev", slug: MISSION, target_branch: "main", created_at: "2026-08-01T10:00:00+00:00", friendly_name: "Diamond" };
  writeFileSync(join(dir, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  const ids = Object.keys(graph).sort();
  writeFileSync(
    join(dir, "status.events.jsonl"),
    ids
      .map(
        (wp, i) =>
          `{"actor": "finalize-tasks", "at": "2026-08-01T10:00:00.00000${i}+00:00", "event_id": "01KZ000000000000000000000${i}", "evidence": null, "execution_mode": "worktree", "force": false, "from_lane": "genesis", "mission_id": "${MISSION_ID}", "mission_slug": "${MISSION}", "policy_metadata": null, "reason": null, "review_ref": null, "to_lane": "planned", "wp_id": "${wp}"}\n`,
      )
      .join(""),
  );
  for (const wp of ids) writeFileSync(join(dir, "tasks", `${wp}-work.md`), `---\nwork_package_id: ${wp}\ntitle: Work ${wp}\ndependencies: [${(graph[wp] ?? []).join(", ")}]\n---\n# ${wp}\n\nBuild ${wp}.\n`);
  writeFileSync(join(p.dir, ".gitignore"), ".worktrees/\n.kittify/logs/\n.kittify/orchestration-state.json*\n");
  writeFileSync(join(p.dir, ".kittify", "agents.yaml"), agents);
  git(p.dir, "checkout", "-q", "-b", "main");
  git(p.dir, "config", "user.name", "e2e");
  git(p.dir, "config", "user.email", "e2e@example.invalid");
  git(p.dir, "config", "commit.gpgsign", "false");
  git(p.dir, "add", "-A");
  git(p.dir, "commit", "-q", "-m", "mission");
  return p;
};

const q = (s: string): string => JSON.stringify(s);
const fakeAgent = (id: string, impl: string, review: string, o: { timeout?: number; max?: number } = {}): string =>
  [
    `  ${id}:`,
    `    max_concurrent: ${o.max ?? 3}`,
    `    timeout_seconds: ${o.timeout ?? 30}`,
    `    command: [${q(process.execPath)}, ${q(FAKE_AGENT)}, ${impl}]`,
    `    review_command: [${q(process.execPath)}, ${q(FAKE_AGENT)}, ${review}]`,
  ].join("\n");

interface ServerEvent {
  readonly event_id: string;
  readonly event_type: string;
  readonly verdict: string;
  readonly envelope: { readonly aggregate_id: string; readonly correlation_id: string; readonly payload: Record<string, unknown> };
}

const received = async (projectUuid: string): Promise<ServerEvent[]> => {
  const response = await fetch(`${server.url}/api/v1/events/?project_uuid=${projectUuid}&limit=1000`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  if (response.status === 404) return [];
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: ServerEvent[] }).events;
};

const logRows = (dir: string): Array<{ event_id: string; wp_id: string; from_lane: string; to_lane: string; actor: string }> =>
  readFileSync(join(dir, "kitty-specs", MISSION, "status.events.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));

const lanes = (dir: string): Record<string, string> => Object.fromEntries(logRows(dir).map((r) => [r.wp_id, r.to_lane]));

interface Call {
  readonly wp: string;
  readonly phase: string;
  readonly mode: string;
  readonly started: number;
  readonly ended: number;
}
const calls = (stateDir: string): Call[] =>
  existsSync(join(stateDir, "invocations.jsonl"))
    ? readFileSync(join(stateDir, "invocations.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Call)
    : [];

describe("spec-kitty orchestrate end to end (CLI → spec-kitty-server)", () => {
  it("a diamond of six at parallelism 3 with a rejecting reviewer, an auth failure, a rate limit and a hanging review", async () => {
    const agents = [
      'version: "1.0"',
      "defaults:",
      "  implementation: [alpha, beta]",
      "  review: [beta, alpha]",
      "agents:",
      fakeAgent("alpha", "succeed", "approve"),
      fakeAgent("beta", "succeed", "reject-once", { timeout: 2 }),
      "max_retries: 1",
      "retry_backoff_seconds: 0.1",
      "kill_grace_seconds: 0.5",
      "global_concurrency: 8",
      "",
    ].join("\n");
    const p = project("orchestrated", DIAMOND, agents);
    expect((await machine.cli(["sync", "enable", "--json"], { cwd: p.dir })).status).toBe(0);
    const fake = mkdtempSync(join(tmpdir(), "sk-e2e-fake-"));
    const plan = {
      // alpha's key is refused (auth: no retry) → beta implements WP04.
      "WP04:implementation": ["auth", "succeed"],
      // a rate limit is retried with the same agent.
      "WP05:implementation": ["ratelimit", "succeed"],
      // beta's first review of WP02 hangs past its 2 s timeout → retried.
      "WP02:review": ["hang", "approve"],
    };
    const run = await machine.cli(["orchestrate", "--mission", MISSION, "--max-parallel", "3", "--json"], {
      cwd: p.dir,
      env: { FAKE_STATE_DIR: fake, FAKE_PLAN: JSON.stringify(plan) },
      timeoutMs: 180_000,
    });
    expect(run.status, run.stderr).toBe(0);
    // --json: one JSON object per state change, nothing else on stdout.
    const changes = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; wp_id?: string; failure_class?: string; status?: string });
    expect(changes[0]?.event).toBe("run_started");
    expect(changes.at(-1)).toMatchObject({ event: "run_finished", status: "completed" });
    expect(changes.filter((c) => c.event === "agent_failed").map((c) => `${c.wp_id}:${c.failure_class}`).sort()).toEqual(["WP02:timeout", "WP04:auth", "WP05:rate_limit"]);

    // Lanes, commits, state, logs.
    expect(lanes(p.dir)).toEqual(Object.fromEntries(Object.keys(DIAMOND).map((w) => [w, "approved"])));
    const state = JSON.parse(readFileSync(join(p.dir, ".kittify", "orchestration-state.json"), "utf8"));
    expect(state).toMatchObject({ status: "completed", wps_completed: 6, wps_failed: 0, concurrency_limit: 3 });
    expect(state.parallel_peak).toBeLessThanOrEqual(3);
    expect(state.work_packages.WP04.implementation.agent).toBe("beta");
    expect(git(p.dir, "log", "--format=%s", `${MISSION}-WP06`)).toMatch(/WP06: implementation/);
    const logs = readdirSync(join(p.dir, ".kittify", "logs")).filter((f) => f.endsWith(".log"));
    expect(logs.length).toBe(calls(fake).length);
    const hung = logs.filter((f) => f.startsWith("WP02-review")).map((f) => readFileSync(join(p.dir, ".kittify", "logs", f), "utf8"));
    expect(hung.some((t) => /Execution timed out after 2 seconds/.test(t))).toBe(true);
    // No implementation started before its dependencies' reviews ended.
    const all = calls(fake);
    for (const c of all.filter((x) => x.phase === "implementation")) {
      for (const dep of DIAMOND[c.wp] ?? []) {
        const lastReview = Math.max(...all.filter((x) => x.wp === dep && x.phase === "review").map((x) => x.ended));
        expect(c.started).toBeGreaterThanOrEqual(lastReview);
      }
    }

    // What the server received.
    const sync = await machine.cli(["sync", "now", "--json"], { cwd: p.dir, timeoutMs: 60_000 });
    expect(sync.status, sync.stderr).toBe(0);
    const events = await received(p.uuid);
    expect(events.filter((e) => e.verdict === "quarantined").map((e) => e.event_type)).toEqual([]);
    const persisted = logRows(p.dir).filter((r) => r.from_lane !== "genesis");
    const statusEvents = events.filter((e) => e.event_type === "WPStatusChanged");
    expect(statusEvents.map((e) => e.event_id).sort()).toEqual(persisted.map((r) => r.event_id).sort());
    const of = (t: string) => events.filter((e) => e.event_type === t);
    expect(of("DependencyResolved").map((e) => `${e.envelope.payload["wp_id"]}<-${e.envelope.payload["dependency_wp_id"]}`).sort()).toEqual(
      ["WP02<-WP01", "WP03<-WP01", "WP04<-WP01", "WP05<-WP02", "WP05<-WP03", "WP06<-WP04", "WP06<-WP05"].sort(),
    );
    expect(of("MissionClosed").map((e) => e.envelope.payload)).toEqual([{ mission_slug: MISSION, mission_number: 1, mission_type: "software-dev" }]);
    const assigned = of("WPAssigned").map((e) => `${e.envelope.payload["wp_id"]}:${e.envelope.payload["phase"]}:${e.envelope.payload["agent_id"]}:${e.envelope.payload["retry_count"]}`);
    expect(assigned).toContain("WP04:implementation:alpha:0");
    expect(assigned).toContain("WP04:implementation:beta:1");
    // Every WP rejected once by beta except WP02 (its reviews: a hang, then an approval): two implementation assignments.
    for (const wp of ["WP01", "WP03", "WP05", "WP06"]) expect(assigned.filter((a) => a.startsWith(`${wp}:implementation`))).toHaveLength(2);
    // All the run's events share one correlation id (the lane events too).
    const runEvents = events.filter((e) => ["WPAssigned", "DependencyResolved", "MissionClosed", "WPStatusChanged"].includes(e.event_type));
    expect(new Set(runEvents.map((e) => e.envelope.correlation_id))).toEqual(new Set([state.correlation_id]));
  });

  it("SIGKILL mid-run, then --resume: finished, nothing completed is redone, no event lost or doubled", async () => {
    const graph = { WP01: [], WP02: ["WP01"], WP03: ["WP01"], WP04: ["WP02", "WP03"] };
    const agents = ["agents:", fakeAgent("alpha", "succeed", "approve"), fakeAgent("beta", "succeed", "approve"), "defaults:", "  implementation: [alpha]", "  review: [beta]", "global_concurrency: 2", ""].join("\n");
    const p = project("killed", graph, agents);
    expect((await machine.cli(["sync", "enable", "--json"], { cwd: p.dir })).status).toBe(0);
    const fake = mkdtempSync(join(tmpdir(), "sk-e2e-fake-"));
    const env = { FAKE_STATE_DIR: fake, FAKE_DELAY_MS: "400" };
    const child = machine.spawnCli(["orchestrate", "--mission", MISSION, "--json"], p.dir, env);
    let childStderr = "";
    let gone = false;
    child.stderr?.on("data", (c: Buffer) => (childStderr += c.toString()));
    const exited = new Promise<void>((resolve) =>
      child.once("exit", () => {
        gone = true;
        resolve();
      }),
    );
    const statePath = join(p.dir, ".kittify", "orchestration-state.json");
    const deadline = Date.now() + 90_000;
    for (;;) {
      const s = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, "utf8")) as { work_packages: Record<string, { status: string }> }) : null;
      if (s?.work_packages["WP01"]?.status === "completed" && calls(fake).some((c) => c.wp !== "WP01")) break;
      if (gone) throw new Error(`the run ended before it could be killed: ${childStderr}`);
      if (Date.now() > deadline) throw new Error("the run did not get past WP01");
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill("SIGKILL");
    await exited;
    await new Promise((r) => setTimeout(r, 1000));
    const before = calls(fake).length;

    const status = await machine.cli(["orchestrate", "--status"], { cwd: p.dir });
    expect(status.stdout).toMatch(/killed\?\): continue with 'spec-kitty orchestrate --resume'/);
    const fresh = await machine.cli(["orchestrate", "--mission", MISSION], { cwd: p.dir });
    expect(fresh.status).toBe(1);
    expect(fresh.stderr).toMatch(/--resume/);

    const resume = await machine.cli(["orchestrate", "--resume"], { cwd: p.dir, env, timeoutMs: 120_000 });
    expect(resume.status, resume.stderr).toBe(0);
    expect(lanes(p.dir)).toEqual({ WP01: "approved", WP02: "approved", WP03: "approved", WP04: "approved" });
    expect(calls(fake).slice(before).filter((c) => c.wp === "WP01")).toEqual([]);
    for (const wp of Object.keys(graph)) {
      expect(logRows(p.dir).filter((r) => r.wp_id === wp).map((r) => r.to_lane)).toEqual(["planned", "claimed", "in_progress", "for_review", "in_review", "approved"]);
    }

    const sync = await machine.cli(["sync", "now", "--json"], { cwd: p.dir, timeoutMs: 60_000 });
    expect(sync.status, sync.stderr).toBe(0);
    const events = await received(p.uuid);
    const ids = events.map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    const state = JSON.parse(readFileSync(statePath, "utf8")) as { correlation_id: string; events: Array<{ event_id: string }> };
    for (const r of logRows(p.dir).filter((x) => x.from_lane !== "genesis")) expect(ids).toContain(r.event_id);
    for (const e of state.events) expect(ids).toContain(e.event_id);
    expect(events.filter((e) => e.event_type === "MissionClosed")).toHaveLength(1);
    expect(events.filter((e) => e.event_type === "DependencyResolved")).toHaveLength(4);
    const runFacts = events.filter((e) => ["WPAssigned", "DependencyResolved", "MissionClosed"].includes(e.event_type));
    expect(new Set(runFacts.map((e) => e.envelope.correlation_id))).toEqual(new Set([state.correlation_id]));
    // The refused second start reported its own failure, under its own correlation.
    expect(events.filter((e) => e.event_type === "ErrorLogged").map((e) => e.envelope.payload["error_message"])).toEqual([expect.stringMatching(/^ORCHESTRATION_EXISTS/)]);
  });
});
