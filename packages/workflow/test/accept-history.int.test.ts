import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MissionStatus, readEventLog } from "@spec-kitty/status";
import { git, initGitRepo, missionMeta, tempDirs, wpIds, writeMission } from "@spec-kitty/test-support";
import * as Either from "effect/Either";
import {
  accept,
  addHistory,
  markStatus,
  openMission,
  parseActivityLog,
  recordingEmitter,
  subtaskCompletion,
  WorkflowError,
} from "../src/index.ts";

const temps = tempDirs("sk-accept-history-");
afterAll(() => temps.cleanup());

const DIR = "demo-01KZY1JB";
const MISSION_ID = "01KZY1JBHRNZG2PXBPFHQ66DA3";

// T010 belongs to WP01 by its section, though its number would say WP01 by the reference's old T→WP rule too;
// T003 belongs to WP02 (by number it would be WP00).
const TASKS_MD = `# Tasks

## Work Package WP01: First (Priority: P0)
**Prompt**: \`/tasks/WP01-task.md\`
### Included Subtasks
- [x] T001 Set up
- [ ] T010 [P] Later subtask numbered 10

## Work Package WP02: Second
- [ ] T003 Another
- [X] T004 Upper-case tick

### Dependencies
- Depends on WP01.

## Notes
- [ ] T050 outside every section
`;

interface Seed {
  readonly tasks?: string;
  readonly artifacts?: readonly string[];
}

/** A committed mission with two work packages seeded genesis -> planned, tasks.md, WP files, spec and plan. */
const seed = (o: Seed = {}): string => {
  const root = temps.make();
  const dir = writeMission(root, { dir: DIR, meta: missionMeta(DIR, MISSION_ID), wps: wpIds(2), wpFiles: true });
  writeFileSync(join(dir, "tasks.md"), o.tasks ?? TASKS_MD);
  for (const name of o.artifacts ?? ["spec.md", "plan.md"]) writeFileSync(join(dir, name), `# ${name}\n`);
  initGitRepo(root);
  return root;
};

const mission = (root: string) => MissionStatus.load(root, DIR);
const missionDir = (root: string) => join(root, "kitty-specs", DIR);
const headCount = (root: string) => Number(git(root, "rev-list", "--count", "HEAD").trim());

/** Processes of group `pgid` that are still running (zombies waiting for their reaper do not count). */
const liveMembers = (pgid: number): string[] =>
  readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(fields[2]) === pgid && fields[0] !== "Z" ? [pid] : [];
      } catch {
        return [];
      }
    });

const force = async (root: string, wpId: string, lane: string) => {
  const ms = await mission(root);
  await ms.transition({ wpId, toLane: lane, actor: "tester", force: true, reason: "test setup" });
};

describe("subtaskCompletion", () => {
  it("per work package from its tasks.md section; checkboxes until the log records subtasks, then the log", async () => {
    const root = seed();
    const ctx = await openMission(root, DIR);
    const ms = await mission(root);
    let c = subtaskCompletion(ctx, ms.readLog());
    expect(c.workPackages.get("WP01")).toMatchObject({ source: "tasks.md", pending: ["T010"], complete: false });
    expect(c.workPackages.get("WP02")).toMatchObject({ source: "tasks.md", pending: ["T003"] });
    expect(c.workPackages.get("WP02")?.subtasks.find((s) => s.id === "T004")).toEqual({ id: "T004", done: true, line: 11 });
    expect(c.orphans.map((t) => t.id)).toEqual(["T050"]);
    await ms.annotate("WP01", { subtasks: { T010: "done" } }, "tester");
    c = subtaskCompletion(ctx, ms.readLog());
    // The log now decides for WP01: T001 was never recorded there.
    expect(c.workPackages.get("WP01")).toMatchObject({ source: "log", pending: ["T001"], complete: false });
    expect(c.workPackages.get("WP02")?.source).toBe("tasks.md");
  });

  it("agrees with the in_progress -> for_review guard of the status package", async () => {
    const root = seed();
    const ctx = await openMission(root, DIR);
    const ms = await mission(root);
    await ms.transitionBatch([
      { wpId: "WP01", toLane: "claimed", actor: "a" },
      { wpId: "WP01", toLane: "in_progress", actor: "a" },
    ]);
    expect(subtaskCompletion(ctx, ms.readLog()).workPackages.get("WP01")?.complete).toBe(false);
    await expect(ms.transition({ wpId: "WP01", toLane: "for_review", actor: "a" })).rejects.toMatchObject({ code: "GUARD_FAILED" });
    const result = await markStatus({ cwd: root, mission: DIR, ids: ["T010"], status: "done", actor: "a", emitter: recordingEmitter() });
    expect(result.updated).toEqual(["T010"]);
    expect(subtaskCompletion(ctx, ms.readLog()).workPackages.get("WP01")?.complete).toBe(true);
    await expect(ms.transition({ wpId: "WP01", toLane: "for_review", actor: "a" })).resolves.toMatchObject({ event: { to_lane: "for_review" } });
  });
});

describe("markStatus", () => {
  it("annotates each owning work package found by section, emits one HistoryAdded per work package, leaves tasks.md alone", async () => {
    const root = seed();
    const tasksBefore = readFileSync(join(missionDir(root), "tasks.md"), "utf8");
    const commits = headCount(root);
    const emitter = recordingEmitter();
    const r = await markStatus({ cwd: root, mission: DIR, ids: ["T010", "t003", "T001"], status: "done", actor: "agent-x", emitter });
    expect(r).toMatchObject({ updated: ["T010", "T003"], unchanged: ["T001"], byWorkPackage: { WP01: ["T010", "T001"], WP02: ["T003"] }, status: "done" });
    expect(readFileSync(join(missionDir(root), "tasks.md"), "utf8")).toBe(tasksBefore);
    const log = readEventLog(join(missionDir(root), "status.events.jsonl"));
    if (Either.isLeft(log)) throw log.left;
    const annotations = log.right.annotations.map((a) => ({ wp: a.wp_id, delta: a.delta, actor: a.actor }));
    // WP01's first annotation carries its ticked T001 along; WP02's carries T004.
    expect(annotations).toEqual([
      { wp: "WP01", delta: { subtasks: { T001: "done", T010: "done" } }, actor: "agent-x" },
      { wp: "WP02", delta: { subtasks: { T004: "done", T003: "done" } }, actor: "agent-x" },
    ]);
    expect(emitter.facts).toEqual([
      { eventType: "HistoryAdded", aggregateId: "WP01", aggregateType: "WorkPackage", payload: { wp_id: "WP01", entry_type: "note", entry_content: "Subtask(s) T010 marked as done", author: "agent-x" } },
      { eventType: "HistoryAdded", aggregateId: "WP02", aggregateType: "WorkPackage", payload: { wp_id: "WP02", entry_type: "note", entry_content: "Subtask(s) T003 marked as done", author: "agent-x" } },
    ]);
    expect(headCount(root)).toBe(commits + 2);
    // A re-run writes and emits nothing.
    const again = recordingEmitter();
    const r2 = await markStatus({ cwd: root, mission: DIR, ids: ["T010", "T003"], status: "done", actor: "agent-x", emitter: again });
    expect(r2).toMatchObject({ updated: [], unchanged: ["T010", "T003"] });
    expect(again.facts).toEqual([]);
    expect(headCount(root)).toBe(commits + 2);
    // pending records "planned".
    const back = await markStatus({ cwd: root, mission: DIR, ids: ["T003"], status: "pending", actor: "agent-x", emitter: again });
    expect(back.updated).toEqual(["T003"]);
    const after = readEventLog(join(missionDir(root), "status.events.jsonl"));
    if (Either.isLeft(after)) throw after.left;
    expect(after.right.annotations.at(-1)?.delta).toEqual({ subtasks: { T003: "planned" } });
    expect(again.facts.map((f) => f.payload["entry_content"])).toEqual(["Subtask(s) T003 marked as pending"]);
  });

  it("refuses unowned ids, work package ids and bad statuses without writing anything", async () => {
    const root = seed();
    const logPath = join(missionDir(root), "status.events.jsonl");
    const before = readFileSync(logPath, "utf8");
    const emitter = recordingEmitter();
    const call = (ids: string[], status = "done") => markStatus({ cwd: root, mission: DIR, ids, status, actor: "a", emitter });
    await expect(call(["T001", "T999", "T050"])).rejects.toMatchObject({ code: "SUBTASK_NOT_FOUND", kind: "domain", details: { not_found: ["T999", "T050"] } });
    await expect(call(["T050"])).rejects.toThrow(/T050 \(line 17 is outside every work package section\)/);
    await expect(call(["WP01"])).rejects.toMatchObject({ code: "NOT_A_SUBTASK", kind: "usage", hint: expect.stringContaining("move-task WP01") });
    await expect(call(["T001"], "finished")).rejects.toMatchObject({ code: "INVALID_SUBTASK_STATUS", kind: "usage" });
    await expect(call(["X1"])).rejects.toBeInstanceOf(WorkflowError);
    expect(readFileSync(logPath, "utf8")).toBe(before);
    expect(emitter.facts).toEqual([]);
  });
});

describe("addHistory", () => {
  const now = (iso: string) => () => new Date(iso);
  it("appends the entry to the Activity Log, commits only the WP file, emits one HistoryAdded; a retry within the minute adds nothing", async () => {
    const root = seed();
    const wpFile = join(missionDir(root), "tasks", "WP01-task.md");
    const before = readFileSync(wpFile, "utf8");
    writeFileSync(join(root, "user-staged.txt"), "mine\n");
    git(root, "add", "user-staged.txt");
    const commits = headCount(root);
    const emitter = recordingEmitter();
    const r = await addHistory({ cwd: root, mission: DIR, wpId: "WP01", note: "Started\nwork", agent: "claude", shellPid: "4242", emitter, now: now("2026-08-02T10:11:12.345Z") });
    const line = "- 2026-08-02T10:11:12Z \u2013 claude \u2013 shell_pid=4242 \u2013 Started work";
    expect(r).toMatchObject({ appended: true, commitCreated: true, entry: line, wpId: "WP01" });
    expect(readFileSync(wpFile, "utf8")).toBe(`${before}\n## Activity Log\n\n${line}\n`);
    expect(headCount(root)).toBe(commits + 1);
    expect(git(root, "show", "--name-only", "--format=%s", "HEAD").trim().split("\n")).toEqual([`chore: Add history entry to WP01 on ${DIR}`, "", `kitty-specs/${DIR}/tasks/WP01-task.md`]);
    expect(git(root, "diff", "--cached", "--name-only").trim()).toBe("user-staged.txt");
    expect(emitter.facts).toEqual([
      { eventType: "HistoryAdded", aggregateId: "WP01", aggregateType: "WorkPackage", payload: { wp_id: "WP01", entry_type: "note", entry_content: "Started work", author: "claude" } },
    ]);
    const retry = recordingEmitter();
    const r2 = await addHistory({ cwd: root, mission: DIR, wpId: "WP01", note: "Started work", agent: "claude", shellPid: "4242", emitter: retry, now: now("2026-08-02T10:11:50Z") });
    expect(r2).toMatchObject({ appended: false, commitCreated: false });
    expect(retry.facts).toEqual([]);
    expect(headCount(root)).toBe(commits + 1);
    // Another minute: a new entry, at the end of the section.
    await addHistory({ cwd: root, mission: DIR, wpId: "WP01", note: "Started work", agent: "claude", shellPid: "4242", emitter: retry, now: now("2026-08-02T10:12:01Z") });
    expect(parseActivityLog(readFileSync(wpFile, "utf8")).map((e) => e.timestamp)).toEqual(["2026-08-02T10:11:12Z", "2026-08-02T10:12:01Z"]);
    expect(retry.facts).toHaveLength(1);
  });

  it("finishes an attempt that wrote its entry but did not commit it, and refuses a WP file with other edits", async () => {
    const root = seed();
    const wpFile = join(missionDir(root), "tasks", "WP02-task.md");
    const before = readFileSync(wpFile, "utf8");
    const line = "- 2026-08-02T10:11:12Z \u2013 bot \u2013 Halfway";
    writeFileSync(wpFile, `${before}\n## Activity Log\n\n${line}\n`);
    const emitter = recordingEmitter();
    const r = await addHistory({ cwd: root, mission: DIR, wpId: "WP02", note: "Halfway", agent: "bot", emitter, now: () => new Date("2026-08-02T10:11:40Z") });
    expect(r).toMatchObject({ appended: false, commitCreated: true });
    expect(git(root, "status", "--porcelain").trim()).toBe("");
    expect(emitter.facts).toHaveLength(1);
    writeFileSync(wpFile, `${readFileSync(wpFile, "utf8")}\nan edit\n`);
    await expect(addHistory({ cwd: root, mission: DIR, wpId: "WP02", note: "x", agent: "bot", emitter })).rejects.toMatchObject({ code: "WP_FILE_DIRTY" });
    await expect(addHistory({ cwd: root, mission: DIR, wpId: "WP07", note: "x", agent: "bot", emitter })).rejects.toMatchObject({ code: "WP_NOT_FOUND" });
    await expect(addHistory({ cwd: root, mission: DIR, wpId: "WP01", note: "  ", agent: "bot", emitter })).rejects.toMatchObject({ code: "NOTE_REQUIRED", kind: "usage" });
    await expect(addHistory({ cwd: root, mission: DIR, wpId: "WP01", note: "x", agent: "a - b", emitter })).rejects.toMatchObject({ code: "INVALID_AGENT" });
    expect(emitter.facts).toHaveLength(1);
  });
});

describe("accept", () => {
  const ready = async (root: string) => {
    await markStatus({ cwd: root, mission: DIR, ids: ["T010", "T003"], status: "done", actor: "a", emitter: recordingEmitter() });
    writeFileSync(join(missionDir(root), "tasks.md"), TASKS_MD.replace("- [ ] T050 outside every section\n", ""));
    git(root, "commit", "-q", "-am", "tasks: drop the stray subtask");
    await force(root, "WP01", "approved");
    await force(root, "WP02", "done");
  };
  const run = (root: string, extra: Partial<Parameters<typeof accept>[0]> = {}) => {
    const emitter = recordingEmitter();
    return accept({ cwd: root, mission: DIR, actor: "lead", mode: "local", emitter, now: () => new Date("2026-08-03T09:00:00Z"), ...extra }).then((r) => ({ r, facts: emitter.facts }));
  };

  it("refuses, listing each readiness failure, with one ErrorLogged (none with allowFail or in checklist mode)", async () => {
    const root = seed({ artifacts: ["spec.md"] });
    writeFileSync(join(missionDir(root), "spec.md"), "# Spec\n\nWho pays? [NEEDS CLARIFICATION: billing]\n");
    git(root, "commit", "-q", "-am", "spec");
    await force(root, "WP02", "canceled");
    writeFileSync(join(missionDir(root), "notes.txt"), "uncommitted\n");
    writeFileSync(join(root, "elsewhere.txt"), "not the mission's\n");
    const { r, facts } = await run(root, { tests: ["exit 3", "true"] });
    expect(r.status).toBe("refused");
    expect(r.summary.ok).toBe(false);
    expect(r.summary.not_done).toEqual(["WP01 (planned)", "WP02 (canceled)"]);
    expect(r.summary.unchecked_tasks).toEqual(["WP01 T010 (tasks.md:7)", "WP02 T003 (tasks.md:10)", "T050 (tasks.md:17, outside every work package section)"]);
    expect(r.summary.missing_artifacts).toEqual(["plan.md"]);
    expect(r.summary.needs_clarification).toEqual(["spec.md:3"]);
    expect(r.summary.git_dirty).toEqual([`?? kitty-specs/${DIR}/notes.txt`]);
    expect(r.summary.test_failures).toEqual(["exit 3: exit 3"]);
    expect(r.validation.map((v) => v.result)).toEqual(["fail", "pass"]);
    expect(r.summary.lanes).toEqual({ planned: ["WP01"], canceled: ["WP02"] });
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({ eventType: "ErrorLogged", aggregateId: DIR, aggregateType: "Feature", payload: { error_type: "validation", agent_id: "lead" } });
    expect(String(facts[0]?.payload["error_message"])).toMatch(/^Outstanding acceptance issues detected for demo-01KZY1JB: 2 work packages not approved or done, 3 unfinished subtasks/);
    expect(JSON.parse(readFileSync(join(missionDir(root), "meta.json"), "utf8")).accepted_at).toBeUndefined();
    expect((await run(root, { allowFail: true })).facts).toEqual([]);
    const checklist = await run(root, { mode: "checklist" });
    expect(checklist.r.status).toBe("checklist");
    expect(checklist.facts).toEqual([]);
  });

  it("accepts: meta.json's acceptance fields, one commit of meta.json alone, the user's staged file left staged; a re-run changes nothing", async () => {
    const root = seed({ tasks: TASKS_MD });
    await ready(root);
    writeFileSync(join(root, "user-staged.txt"), "mine\n");
    git(root, "add", "user-staged.txt");
    const head = git(root, "rev-parse", "HEAD").trim();
    const commits = headCount(root);
    const { r, facts } = await run(root, { tests: ["true"] });
    expect(r.summary.ok).toBe(true);
    expect(r).toMatchObject({ status: "accepted", commit_created: true, parent_commit: head, mode: "local", accepted_at: "2026-08-03T09:00:00+00:00" });
    expect(facts).toEqual([]);
    expect(headCount(root)).toBe(commits + 1);
    expect(git(root, "show", "--name-only", "--format=%s", "HEAD").trim().split("\n")).toEqual([`Accept ${DIR}`, "", `kitty-specs/${DIR}/meta.json`]);
    expect(r.accept_commit).toBe(git(root, "rev-parse", "HEAD").trim());
    expect(git(root, "diff", "--cached", "--name-only").trim()).toBe("user-staged.txt");
    const meta = JSON.parse(readFileSync(join(missionDir(root), "meta.json"), "utf8"));
    expect(meta).toMatchObject({
      accepted_at: "2026-08-03T09:00:00+00:00",
      accepted_by: "lead",
      acceptance_mode: "local",
      accepted_from_commit: head,
      accept_commit: null,
      acceptance_history: [{ accepted_at: "2026-08-03T09:00:00+00:00", accepted_by: "lead", mode: "local", branch: "main", accepted_from_commit: head, validation_commands: ["true"] }],
      mission_id: MISSION_ID,
    });
    const again = await run(root);
    expect(again.r.status).toBe("already_accepted");
    expect(again.facts).toEqual([]);
    expect(headCount(root)).toBe(commits + 1);
  });

  it("--no-commit writes meta.json only; a re-run with --no-commit is already accepted; history keeps the last 20", async () => {
    const root = seed();
    await ready(root);
    const metaPath = join(missionDir(root), "meta.json");
    const meta = JSON.parse(readFileSync(metaPath, "utf8"));
    meta.acceptance_history = Array.from({ length: 20 }, (_, i) => ({ accepted_at: `old-${i}` }));
    writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
    git(root, "commit", "-q", "-am", "history");
    const commits = headCount(root);
    const { r } = await run(root, { noCommit: true });
    expect(r).toMatchObject({ status: "accepted", commit_created: false, meta_updated: true });
    expect(headCount(root)).toBe(commits);
    const written = JSON.parse(readFileSync(metaPath, "utf8"));
    expect(written.acceptance_history).toHaveLength(20);
    expect(written.acceptance_history[0].accepted_at).toBe("old-1");
    expect(written.acceptance_history[19].accepted_by).toBe("lead");
    expect((await run(root, { noCommit: true })).r.status).toBe("already_accepted");
    // Without --no-commit the pending acceptance is recorded again and committed.
    const committed = await run(root);
    expect(committed.r).toMatchObject({ status: "accepted", commit_created: true });
    expect(existsSync(metaPath)).toBe(true);
  });

  it("a --test command past its deadline is killed with its children and recorded as timed out", async () => {
    const root = seed();
    await ready(root);
    const pidFile = join(root, "..", `pid-${Date.now()}`);
    const { r } = await run(root, { tests: [`echo $$ > ${pidFile}; sleep 30 & sleep 30`], testTimeoutMs: 300 });
    expect(r.validation).toEqual([expect.objectContaining({ result: "fail", timed_out: true, exit_code: null })]);
    expect(r.summary.test_failures).toEqual([expect.stringMatching(/: timed out$/)]);
    expect(r.status).toBe("refused");
    // The shell led its own process group; nothing of it is left (the background sleep included).
    const group = Number(readFileSync(pidFile, "utf8").trim());
    expect(group).toBeGreaterThan(1);
    expect(liveMembers(group)).toEqual([]);
  });

  it("an unknown mode is a usage error and a mission without a status log names finalize-tasks", async () => {
    const root = seed();
    await expect(run(root, { mode: "eventually" })).rejects.toMatchObject({ code: "INVALID_ACCEPT_MODE", kind: "usage" });
    git(root, "rm", "-q", `kitty-specs/${DIR}/status.events.jsonl`);
    git(root, "commit", "-q", "-m", "no log");
    await expect(run(root)).rejects.toMatchObject({ code: "CANONICAL_STATUS_NOT_FOUND", hint: expect.stringContaining("finalize-tasks") });
  });
});
