import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultProxy } from "../src/fault-proxy.ts";
import { Machine, makeProject, startTeamServer, type TeamServer, type ServerProcess } from "../src/processes.ts";

/**
 * `spec-kitty implement` and `spec-kitty merge` as processes in a real repository, delivering to a real
 * spec-kitty-server: exactly one WPStatusChanged per real lane change, none on re-runs, one MissionClosed, and
 * the same outcome with the server unreachable (the events arrive with the next `sync now`).
 */

let server: ServerProcess;
let proxy: FaultProxy;
let account: { team: string; email: string; password: string };
let token: string;

let team: TeamServer | undefined;
beforeAll(async () => {
  team = await startTeamServer("wm@example.com");
  ({ server, proxy, account, token } = team);
});
afterAll(async () => {
  await team?.stop();
});

const MISSION = "001-checkout";
const MISSION_ID = "01KZ8Q3M4N5P6R7S8T9V0W1X2Y";

const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

/** A project with one finalized mission: WP01, and WP02 depending on it, both planned. */
const missionProject = (name: string): { dir: string; uuid: string } => {
  const project = makeProject(name);
  const dir = join(project.dir, "kitty-specs", MISSION);
  mkdirSync(join(dir, "tasks"), { recursive: true });
  const meta = { mission_id: MISSION_ID, mission_number: null, mission_slug: MISSION, mission_type: "software-dev", slug: MISSION, target_branch: "main", created_at: "2026-08-01T10:00:00+00:00", friendly_name: "Checkout" };
  writeFileSync(join(dir, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  const seed = (wp: string, i: number) =>
    `{"actor": "finalize-tasks", "at": "2026-08-01T10:00:00.00000${i}+00:00", "event_id": "01KZ000000000000000000000${i}", "evidence": null, "execution_mode": "worktree", "force": false, "from_lane": "genesis", "mission_id": "${MISSION_ID}", "mission_slug": "${MISSION}", "policy_metadata": null, "reason": null, "review_ref": null, "to_lane": "planned", "wp_id": "${wp}"}\n`;
  writeFileSync(join(dir, "status.events.jsonl"), seed("WP01", 1) + seed("WP02", 2));
  writeFileSync(join(dir, "tasks", "WP01-cart.md"), "---\nwork_package_id: WP01\ntitle: Cart\ndependencies: []\n---\n# Cart\n");
  writeFileSync(join(dir, "tasks", "WP02-pay.md"), "---\nwork_package_id: WP02\ntitle: Pay\ndependencies: [WP01]\n---\n# Pay\n");
  writeFileSync(join(project.dir, ".gitignore"), ".worktrees/\n");
  writeFileSync(join(project.dir, "app.txt"), "app\n");
  git(project.dir, "checkout", "-q", "-b", "main");
  git(project.dir, "config", "user.name", "e2e");
  git(project.dir, "config", "user.email", "e2e@example.invalid");
  git(project.dir, "config", "commit.gpgsign", "false");
  git(project.dir, "add", "-A");
  git(project.dir, "commit", "-q", "-m", "mission");
  return project;
};

interface ServerEvent {
  readonly event_id: string;
  readonly event_type: string;
  readonly envelope: { readonly aggregate_id: string; readonly payload: Record<string, unknown> };
}

const received = async (projectUuid: string): Promise<ServerEvent[]> => {
  const response = await fetch(`${server.url}/api/v1/events/?project_uuid=${projectUuid}&limit=1000`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status === 404) return [];
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: ServerEvent[] }).events;
};

const hops = (events: readonly ServerEvent[]): string[] =>
  events.filter((e) => e.event_type === "WPStatusChanged").map((e) => `${String(e.envelope.payload["wp_id"])}:${String(e.envelope.payload["from_lane"])}->${String(e.envelope.payload["to_lane"])}`);

const logIds = (project: string): string[] =>
  readFileSync(join(project, "kitty-specs", MISSION, "status.events.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => (JSON.parse(l) as { event_id: string }).event_id);

const machineFor = async (url: string): Promise<Machine> => {
  const machine = new Machine();
  const login = await machine.cli(["auth", "login", "--server", url, "--username", account.email, "--password-stdin"], { cwd: machine.home, input: `${account.password}\n` });
  expect(login.status, login.stderr).toBe(0);
  return machine;
};

/**
 * Drives a WP from in_progress to approved with `agent tasks move-task`; the evidence file carries the review and
 * the WP branch's commit (the wire contract requires `repos` on approved/done evidence).
 */
const approveWithCli = async (machine: Machine, cwd: string, wp: string): Promise<void> => {
  const evidence = join(cwd, "..", `${wp}-evidence.json`);
  const branch = `${MISSION}-${wp}`;
  const commit = git(cwd, "rev-parse", branch).trim();
  writeFileSync(evidence, JSON.stringify({ review: { reviewer: "rita", verdict: "approved", reference: `review://${wp}` }, repos: [{ repo: "wm", branch, commit }] }));
  for (const args of [
    ["--to", "for_review", "--actor", "impl"],
    ["--to", "in_review", "--actor", "rita"],
    ["--to", "approved", "--actor", "rita", "--evidence", evidence, "--review-ref", `review://${wp}`],
  ]) {
    const r = await machine.cli(["agent", "tasks", "move-task", wp, "--mission", MISSION, ...args, "--json"], { cwd });
    expect(r.status, r.stderr).toBe(0);
  }
};

const commitWork = (worktree: string, file: string): void => {
  writeFileSync(join(worktree, file), `${file}\n`);
  git(worktree, "add", "-A");
  git(worktree, "commit", "-q", "-m", `work on ${file}`);
};

describe("implement and merge end to end (CLI processes → spec-kitty-server)", () => {
  it("one WPStatusChanged per hop, none on re-runs, done per merged WP, one MissionClosed", async () => {
    const machine = await machineFor(server.url);
    const project = missionProject("wm-online");
    expect((await machine.cli(["sync", "enable"], { cwd: project.dir })).status).toBe(0);

    const first = await machine.cli(["implement", "WP01", "--mission", MISSION, "--actor", "alice", "--json"], { cwd: project.dir });
    expect(first.status, first.stderr).toBe(0);
    const json = JSON.parse(first.stdout);
    expect(json).toEqual({
      workspace_path: join(project.dir, ".worktrees", `${MISSION}-WP01`),
      branch: `${MISSION}-WP01`,
      mission_slug: MISSION,
      wp_id: "WP01",
      base: "main",
      base_commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      status: "created",
    });
    const again = await machine.cli(["implement", "WP01", "--mission", MISSION, "--json"], { cwd: project.dir });
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "reused", workspace_path: json.workspace_path });
    expect((await machine.cli(["sync", "now"], { cwd: project.dir })).status).toBe(0);
    let events = await received(project.uuid);
    expect(hops(events)).toEqual(["WP01:planned->claimed", "WP01:claimed->in_progress"]);
    // The server got the status log's own rows.
    expect(events.map((e) => e.event_id)).toEqual(logIds(project.dir).slice(2));

    commitWork(json.workspace_path, "cart.txt");
    const second = await machine.cli(["implement", "WP02", "--mission", MISSION, "--json"], { cwd: project.dir });
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).base).toBe(`${MISSION}-WP01`);
    commitWork(JSON.parse(second.stdout).workspace_path, "pay.txt");
    await approveWithCli(machine, project.dir, "WP01");
    await approveWithCli(machine, project.dir, "WP02");

    const merged = await machine.cli(["merge", "--mission", MISSION, "--json"], { cwd: project.dir });
    expect(merged.status, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ status: "merged", target_branch: "main", mission_number: 1, mission_closed: true, merged: [{ wp_id: "WP01" }, { wp_id: "WP02" }] });
    const rerun = await machine.cli(["merge", "--mission", MISSION, "--json"], { cwd: project.dir });
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ status: "nothing-to-do", mission_closed: false });
    expect((await machine.cli(["sync", "now"], { cwd: project.dir })).status).toBe(0);
    events = await received(project.uuid);
    const done = hops(events).filter((h) => h.endsWith("->done"));
    expect(done).toEqual(["WP01:approved->done", "WP02:approved->done"]);
    expect(hops(events).filter((h) => h.startsWith("WP02:planned") || h.startsWith("WP02:claimed"))).toEqual(["WP02:planned->claimed", "WP02:claimed->in_progress"]);
    const closed = events.filter((e) => e.event_type === "MissionClosed");
    expect(closed).toHaveLength(1);
    expect(closed[0]?.envelope).toMatchObject({ aggregate_id: MISSION_ID, payload: { mission_slug: MISSION, mission_number: 1, mission_type: "software-dev" } });
    // Every lane change the log holds (after the two seed rows) reached the server exactly once.
    const ids = events.filter((e) => e.event_type === "WPStatusChanged").map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(logIds(project.dir).slice(2).sort());
    expect(git(project.dir, "status", "--porcelain")).toBe("");
    expect(git(project.dir, "symbolic-ref", "--short", "HEAD").trim()).toBe("main");
  });

  it("with the server unreachable both commands succeed with the same output; the events arrive after sync now", async () => {
    const machine = await machineFor(proxy.url);
    const project = missionProject("wm-offline");
    expect((await machine.cli(["sync", "enable"], { cwd: project.dir })).status).toBe(0);
    proxy.offline = true;
    try {
      const run = await machine.cli(["implement", "WP01", "--mission", MISSION, "--json"], { cwd: project.dir, timeoutMs: 30_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ status: "created", wp_id: "WP01" });
      commitWork(JSON.parse(run.stdout).workspace_path, "cart.txt");
      await approveWithCli(machine, project.dir, "WP01");
      const two = await machine.cli(["implement", "WP02", "--mission", MISSION, "--json"], { cwd: project.dir, timeoutMs: 30_000 });
      expect(two.status, two.stderr).toBe(0);
      await approveWithCli(machine, project.dir, "WP02");
      const merged = await machine.cli(["merge", "--mission", MISSION, "--json"], { cwd: project.dir, timeoutMs: 30_000 });
      expect(merged.status, merged.stderr).toBe(0);
      expect(JSON.parse(merged.stdout)).toMatchObject({ status: "merged", mission_closed: true });
      expect((await machine.cli(["sync", "now"], { cwd: project.dir })).status).toBe(1);
      expect(await received(project.uuid)).toEqual([]);
    } finally {
      proxy.offline = false;
    }
    const now = await machine.cli(["sync", "now", "--json"], { cwd: project.dir });
    expect(now.status, now.stderr).toBe(0);
    const events = await received(project.uuid);
    expect(hops(events).filter((h) => h.startsWith("WP01"))).toEqual([
      "WP01:planned->claimed",
      "WP01:claimed->in_progress",
      "WP01:in_progress->for_review",
      "WP01:for_review->in_review",
      "WP01:in_review->approved",
      "WP01:approved->done",
    ]);
    expect(events.filter((e) => e.event_type === "MissionClosed")).toHaveLength(1);
  });
});
