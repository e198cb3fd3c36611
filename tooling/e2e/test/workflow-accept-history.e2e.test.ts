import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, missionMeta, wpIds, writeMission } from "@spec-kitty/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultProxy } from "../src/fault-proxy.ts";
import { Machine, makeProject, startTeamServer, type TeamServer, type ServerProcess } from "../src/processes.ts";

/**
 * mark-status, add-history, accept and move-task's failures end to end: the CLI as a process in a real repository,
 * capturing through the emission funnel and delivering to spec-kitty-server through a proxy that can go offline.
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

interface ServerEvent {
  readonly event_id: string;
  readonly event_type: string;
  readonly verdict: string;
  readonly envelope: { readonly aggregate_id: string; readonly correlation_id: string; readonly payload: Record<string, unknown> };
}

const serverEventsFull = async (projectUuid: string): Promise<ServerEvent[]> => {
  const response = await fetch(`${server.url}/api/v1/events/?project_uuid=${projectUuid}&limit=1000`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status === 404) return [];
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: ServerEvent[] }).events;
};

const DIR = "demo-01KZY1JB";
const MISSION_ID = "01KZY1JBHRNZG2PXBPFHQ66DA3";
const TASKS_MD = `# Tasks

## Work Package WP01: First
- [x] T001 Set up
- [ ] T010 Numbered like WP01 but listed here

## Work Package WP02: Second
- [ ] T003 Numbered like WP00
`;

/** A project repository with one committed mission (two work packages, finalized), its identity and sync on. */
const seedProject = async (machine: Machine) => {
  const project = makeProject("accept-history");
  const root = project.dir;
  git(root, "checkout", "-q", "-b", "main");
  git(root, "config", "user.name", "e2e");
  git(root, "config", "user.email", "e2e@example.invalid");
  git(root, "config", "commit.gpgsign", "false");
  const dir = writeMission(root, { dir: DIR, meta: missionMeta(DIR, MISSION_ID), wps: wpIds(2), wpFiles: true });
  writeFileSync(join(dir, "tasks.md"), TASKS_MD);
  writeFileSync(join(dir, "spec.md"), "# Spec\n");
  writeFileSync(join(dir, "plan.md"), "# Plan\n");
  writeFileSync(join(root, ".gitignore"), ".worktrees/\n");
  const enable = await machine.cli(["sync", "enable", "--json"], { cwd: root });
  expect(enable.status, enable.stderr).toBe(0);
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "mission");
  return { root, uuid: project.uuid, dir };
};

const loggedInMachine = async (): Promise<Machine> => {
  const machine = new Machine();
  const login = await machine.cli(["auth", "login", "--server", proxy.url, "--username", account.email, "--password-stdin", "--json"], {
    cwd: machine.home,
    input: `${account.password}\n`,
  });
  expect(login.status, login.stderr).toBe(0);
  return machine;
};

const json = (stdout: string): Record<string, unknown> => JSON.parse(stdout) as Record<string, unknown>;
const commitCount = (root: string): number => Number(git(root, "rev-list", "--count", "HEAD").trim());

describe("mark-status, add-history, accept and move-task failures against the server", () => {
  it("each command's files, commits, JSON and the exact events the server receives, also when it was unreachable", async () => {
    const machine = await loggedInMachine();
    const { root, uuid, dir } = await seedProject(machine);
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => machine.cli(args, { cwd: root, env: { SPEC_KITTY_ACTOR: "ana", ...env } });

    // mark-status: ownership by section, one annotation and one HistoryAdded per owning work package.
    const tasksBefore = readFileSync(join(dir, "tasks.md"), "utf8");
    const marked = await cli(["agent", "tasks", "mark-status", "T010", "T003", "T001", "--status", "done", "--mission", DIR, "--actor", "agent-x", "--json"]);
    expect(marked.status, marked.stderr).toBe(0);
    expect(json(marked.stdout)).toMatchObject({
      result: "success",
      updated: ["T010", "T003"],
      unchanged: ["T001"],
      not_found: [],
      status: "done",
      count: 2,
      by_work_package: { WP01: ["T010", "T001"], WP02: ["T003"] },
    });
    expect(readFileSync(join(dir, "tasks.md"), "utf8")).toBe(tasksBefore);
    const annotations = readFileSync(join(dir, "status.events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind?: string; wp_id: string; delta?: unknown })
      .filter((r) => r.kind === "annotation");
    expect(annotations.map((a) => [a.wp_id, a.delta])).toEqual([
      ["WP01", { subtasks: { T001: "done", T010: "done" } }],
      ["WP02", { subtasks: { T003: "done" } }],
    ]);
    const again = await cli(["agent", "tasks", "mark-status", "T010", "--status", "done", "--mission", DIR, "--json"]);
    expect(json(again.stdout)).toMatchObject({ updated: [], unchanged: ["T010"], count: 0 });
    const wpId = await cli(["agent", "tasks", "mark-status", "WP01", "--status", "done", "--mission", DIR, "--json"]);
    expect(wpId.status).toBe(2);
    expect(json(wpId.stdout)).toMatchObject({ error: { code: "NOT_A_SUBTASK", hint: expect.stringContaining("move-task WP01") } });
    const unowned = await cli(["agent", "tasks", "mark-status", "T999", "--status", "done", "--mission", DIR, "--json"]);
    expect(unowned.status).toBe(1);
    expect(json(unowned.stdout)).toMatchObject({ error: { code: "SUBTASK_NOT_FOUND", not_found: ["T999"] } });

    // add-history: one entry, one commit of the WP file, one HistoryAdded; the retry adds nothing.
    const commits = commitCount(root);
    const added = await cli(["agent", "tasks", "add-history", "WP01", "--note", "Implemented the parser", "--agent", "bot", "--shell-pid", "4242", "--mission", DIR, "--json"]);
    expect(added.status, added.stderr).toBe(0);
    expect(json(added.stdout)).toMatchObject({ result: "success", task_id: "WP01", note: "Implemented the parser", appended: true, commit_created: true });
    expect(readFileSync(join(dir, "tasks", "WP01-task.md"), "utf8")).toMatch(/## Activity Log\n\n- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \u2013 bot \u2013 shell_pid=4242 \u2013 Implemented the parser\n$/);
    expect(commitCount(root)).toBe(commits + 1);
    const retried = await cli(["agent", "tasks", "add-history", "WP01", "--note", "Implemented the parser", "--agent", "bot", "--shell-pid", "4242", "--mission", DIR, "--json"]);
    expect(json(retried.stdout)).toMatchObject({ appended: false, commit_created: false });
    expect(commitCount(root)).toBe(commits + 1);

    // accept refused: the report on stdout, exit 1, one ErrorLogged.
    const refused = await cli(["accept", "--mission", DIR, "--mode", "local", "--json"]);
    expect(refused.status).toBe(1);
    const report = json(refused.stdout) as { status: string; summary: { ok: boolean; not_done: string[]; lanes: Record<string, string[]> } };
    expect(report.status).toBe("refused");
    expect(report.summary).toMatchObject({ ok: false, not_done: ["WP01 (planned)", "WP02 (planned)"], lanes: { planned: ["WP01", "WP02"] } });
    expect(refused.stderr).toMatch(/is not ready for acceptance/);

    // move-task refused: exit 1, ErrorLogged with the agent and the work package.
    const badMove = await cli(["agent", "tasks", "move-task", "WP02", "--to", "for_review", "--mission", DIR, "--actor", "agent-y"]);
    expect(badMove.status).toBe(1);

    const online = await machine.cli(["sync", "now", "--json"], { cwd: root, timeoutMs: 60_000 });
    expect(online.status, online.stderr).toBe(0);
    let events = await serverEventsFull(uuid);
    const history = events.filter((e) => e.event_type === "HistoryAdded");
    expect(history.map((e) => [e.envelope.aggregate_id, e.envelope.payload])).toEqual([
      ["WP01", { wp_id: "WP01", entry_type: "note", entry_content: "Subtask(s) T010 marked as done", author: "agent-x" }],
      ["WP02", { wp_id: "WP02", entry_type: "note", entry_content: "Subtask(s) T003 marked as done", author: "agent-x" }],
      ["WP01", { wp_id: "WP01", entry_type: "note", entry_content: "Implemented the parser", author: "bot" }],
    ]);
    // The two HistoryAdded of one mark-status share its correlation id.
    expect(history[0]?.envelope.correlation_id).toBe(history[1]?.envelope.correlation_id);
    const errors = events.filter((e) => e.event_type === "ErrorLogged");
    expect(errors.map((e) => e.envelope.payload)).toEqual([
      expect.objectContaining({ error_type: "validation", error_message: expect.stringContaining("SUBTASK_NOT_FOUND"), agent_id: "ana" }),
      expect.objectContaining({ error_type: "validation", error_message: expect.stringContaining("Outstanding acceptance issues"), agent_id: "ana" }),
      expect.objectContaining({ error_type: "validation", wp_id: "WP02", agent_id: "agent-y", error_message: expect.stringMatching(/^[A-Z_]+: /) }),
    ]);
    expect(errors[2]?.envelope.aggregate_id).toBe("WP02");
    expect(events.filter((e) => e.verdict !== "valid").map((e) => [e.event_type, (e as unknown as { violations?: unknown }).violations])).toEqual([]);
    expect(events.filter((e) => e.event_type === "WPStatusChanged")).toEqual([]);
    const deliveredBefore = events.length;

    // Offline: reviews approve both work packages (evidence without repos gets one), accept succeeds.
    // WP02 has a worktree (as implement makes it): its evidence names that branch and commit.
    git(root, "worktree", "add", "-q", "-b", `${DIR}-WP02`, `.worktrees/${DIR}-WP02`);
    const wt = join(root, ".worktrees", `${DIR}-WP02`);
    writeFileSync(join(wt, "code.txt"), "work\n");
    git(wt, "add", "code.txt");
    git(wt, "commit", "-q", "-m", "WP02 work");
    const wpHead = git(wt, "rev-parse", "HEAD").trim();
    proxy.offline = true;
    try {
      writeFileSync(join(root, "..", "evidence.json"), JSON.stringify({ review: { reviewer: "rita", verdict: "approved", reference: "review://1" } }));
      for (const wp of ["WP01", "WP02"]) {
        const moved = await cli(["agent", "tasks", "move-task", wp, "--to", "approved", "--mission", DIR, "--actor", "rita", "--force", "--reason", "reviewed offline", "--evidence", join(root, "..", "evidence.json")], { SPEC_KITTY_SYNC_FLUSH: "off" });
        expect(moved.status, moved.stderr).toBe(0);
      }
      writeFileSync(join(root, "user-staged.txt"), "mine\n");
      git(root, "add", "user-staged.txt");
      const head = git(root, "rev-parse", "HEAD").trim();
      const before = commitCount(root);
      const accepted = await cli(["accept", "--mission", DIR, "--mode", "local", "--actor", "lead", "--test", "true", "--json"], { SPEC_KITTY_SYNC_FLUSH: "off" });
      expect(accepted.status, accepted.stderr).toBe(0);
      expect(json(accepted.stdout)).toMatchObject({
        status: "accepted",
        commit_created: true,
        parent_commit: head,
        summary: { ok: true, lanes: { approved: ["WP01", "WP02"] } },
        cleanup_instructions: [`git worktree remove .worktrees/${DIR}-WP02`, `git branch -d ${DIR}-WP02`],
      });
      expect(commitCount(root)).toBe(before + 1);
      expect(git(root, "show", "--name-only", "--format=%s", "HEAD").trim().split("\n")).toEqual([`Accept ${DIR}`, "", `kitty-specs/${DIR}/meta.json`]);
      expect(git(root, "diff", "--cached", "--name-only").trim()).toBe("user-staged.txt");
      expect(json(readFileSync(join(dir, "meta.json"), "utf8"))).toMatchObject({ accepted_by: "lead", acceptance_mode: "local", accepted_from_commit: head, accept_commit: null });
      const rerun = await cli(["accept", "--mission", DIR, "--mode", "local", "--json"], { SPEC_KITTY_SYNC_FLUSH: "off" });
      expect(rerun.status, rerun.stderr).toBe(0);
      expect(json(rerun.stdout)).toMatchObject({ status: "already_accepted", commit_created: false });
      expect(commitCount(root)).toBe(before + 1);
    } finally {
      proxy.offline = false;
    }
    const now = await machine.cli(["sync", "now", "--json"], { cwd: root, timeoutMs: 60_000 });
    expect(now.status, now.stderr).toBe(0);
    events = await serverEventsFull(uuid);
    const fresh = events.slice(deliveredBefore);
    // Accept emitted nothing; the two reviews are the only new events, accepted by the server's contract.
    expect(fresh.map((e) => [e.event_type, e.envelope.aggregate_id, e.verdict])).toEqual([
      ["WPStatusChanged", "WP01", "valid"],
      ["WPStatusChanged", "WP02", "valid"],
    ]);
    const repos = (i: number) => (fresh[i]?.envelope.payload["evidence"] as { repos: Array<{ repo: string; branch: string; commit: string }> }).repos;
    expect(repos(0)).toEqual([{ repo: "accept-history", branch: "main", commit: expect.stringMatching(/^[0-9a-f]{40}$/) }]);
    expect(repos(1)).toEqual([{ repo: "accept-history", branch: `${DIR}-WP02`, commit: wpHead }]);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
  });
});
