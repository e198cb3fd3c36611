import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { implement, merge, NULL_WORKFLOW_EMITTER, recordingEmitter, WorkflowError, type MergeOptions } from "../src/index.ts";
import { approve, commitIn, lanes, MISSION_DIR, MISSION_ID, missionRepo, recordingStatus } from "./im-fixtures.ts";

const temps = tempDirs("sk-merge-");
afterAll(() => temps.cleanup());

const head = (cwd: string, ref = "HEAD"): string => git(cwd, "rev-parse", ref).trim();
const ws = (root: string, wp: string): string => join(root, ".worktrees", `${MISSION_DIR}-${wp}`);
const statePath = (root: string): string => join(root, ".kittify", "merge-state.json");

const runMerge = async (root: string, extra: Partial<MergeOptions> = {}) => {
  const rec = recordingStatus();
  const emitter = recordingEmitter();
  const r = await merge({ cwd: root, actor: "merger", emitter, statusOptions: rec.options, ...extra });
  return { r, rows: rec.rows, facts: emitter.facts };
};

const catchError = async (p: Promise<unknown>): Promise<WorkflowError> => {
  try {
    await p;
  } catch (error) {
    if (error instanceof WorkflowError) return error;
    throw error;
  }
  throw new Error("expected a WorkflowError");
};

/** Implements every WP (in order), commits `files[wp]` in its worktree and approves it. */
const prepare = async (root: string, wps: readonly string[], files: Readonly<Record<string, Record<string, string>>>, approveThem = true): Promise<void> => {
  for (const wp of wps) {
    await implement({ cwd: root, mission: MISSION_DIR, wpId: wp, actor: "impl", emitter: NULL_WORKFLOW_EMITTER });
    commitIn(ws(root, wp), files[wp] ?? { [`${wp}.txt`]: `${wp}\n` }, `${wp} work`);
  }
  if (approveThem) for (const wp of wps) await approve(root, wp);
};

/** Every tracked file of a checkout with its bytes. */
const snapshotFiles = (cwd: string): Record<string, string> =>
  Object.fromEntries(
    git(cwd, "ls-files")
      .split("\n")
      .filter((f) => f !== "")
      .map((f) => [f, readFileSync(join(cwd, f), "latin1")]),
  );

describe("merge", () => {
  it("merges a diamond in dependency order, records done with evidence, numbers and closes the mission once, cleans up", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: ["WP01"], WP03: ["WP01"], WP04: ["WP02", "WP03"] });
    await prepare(root, ["WP01", "WP02", "WP03", "WP04"], {});
    expect(git(root, "branch", "--list", `${MISSION_DIR}-WP04-merge-base`).trim()).not.toBe("");
    // A dry run shows the plan in dependency order and changes nothing.
    const start = head(root);
    const dry = await runMerge(root, { dryRun: true });
    expect(dry.r.status).toBe("dry-run");
    expect(dry.r.plan.map((s) => `${s.wpId}:${s.action}`)).toEqual(["WP01:merge", "WP02:merge", "WP03:merge", "WP04:merge"]);
    expect(dry.rows).toEqual([]);
    expect(dry.facts).toEqual([]);
    expect(head(root)).toBe(start);
    expect(existsSync(statePath(root))).toBe(false);
    const { r, rows, facts } = await runMerge(root);
    expect(r.status).toBe("merged");
    expect(r.workspace).toBe(root);
    expect(r.merged.map((m) => m.wpId)).toEqual(["WP01", "WP02", "WP03", "WP04"]);
    const subjects = git(root, "log", "--first-parent", "--format=%s", "main").split("\n");
    const merges = subjects.filter((s) => s.startsWith("Merge WP")).reverse();
    expect(merges).toEqual(["WP01", "WP02", "WP03", "WP04"].map((wp) => `Merge ${wp} from ${MISSION_DIR}`));
    expect(subjects[0]).toBe(`chore(${MISSION_DIR}): assign mission_number=1`);
    // One approved -> done per WP, each with the approval review and the merged commit.
    expect(rows.map((e) => `${e.wp_id}:${e.from_lane}->${e.to_lane}`)).toEqual(["WP01", "WP02", "WP03", "WP04"].map((wp) => `${wp}:approved->done`));
    for (const [i, e] of rows.entries()) {
      const wp = `WP0${i + 1}`;
      expect(e.evidence?.review).toEqual({ reviewer: "rita", verdict: "approved", reference: `review://${wp}` });
      expect(e.evidence?.repos?.[0]?.branch).toBe("main");
      expect(e.evidence?.repos?.[0]?.commit).toBe(r.merged[i]?.commit);
      expect(e.force).toBe(false);
    }
    expect(await lanes(root)).toEqual({ WP01: "done", WP02: "done", WP03: "done", WP04: "done" });
    expect(r.missionNumber).toBe(1);
    expect(JSON.parse(readFileSync(join(root, "kitty-specs", MISSION_DIR, "meta.json"), "utf8")).mission_number).toBe(1);
    expect(facts.map((f) => f.eventType)).toEqual(["MissionClosed"]);
    expect(facts[0]).toMatchObject({ aggregateId: MISSION_ID, aggregateType: "Mission", payload: { mission_slug: MISSION_DIR, mission_number: 1, mission_type: "software-dev" } });
    // Cleanup: worktrees, branches, merge-base branch, context files, state; the checkout is on main and clean.
    for (const wp of ["WP01", "WP02", "WP03", "WP04"]) {
      expect(existsSync(ws(root, wp))).toBe(false);
      expect(existsSync(join(root, ".kittify", "workspaces", `${MISSION_DIR}-${wp}.json`))).toBe(false);
    }
    expect(git(root, "branch", "--list", `${MISSION_DIR}-*`).trim()).toBe("");
    expect(existsSync(statePath(root))).toBe(false);
    expect(git(root, "symbolic-ref", "--short", "HEAD").trim()).toBe("main");
    expect(git(root, "status", "--porcelain")).toBe("");
    for (const wp of ["WP01", "WP02", "WP03", "WP04"]) expect(readFileSync(join(root, `${wp}.txt`), "utf8")).toBe(`${wp}\n`);

    // A re-run does nothing: no commit, no row, no event.
    const before = head(root);
    const again = await runMerge(root);
    expect(again.r.status).toBe("nothing-to-do");
    expect(again.rows).toEqual([]);
    expect(again.facts).toEqual([]);
    expect(head(root)).toBe(before);
  });

  it("refuses while work packages are not approved, naming them, and changes nothing; --force merges them anyway", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: [] });
    await prepare(root, ["WP01", "WP02"], {}, false);
    await approve(root, "WP01");
    const before = head(root);
    const e = await catchError(runMerge(root));
    expect(e.code).toBe("WPS_NOT_APPROVED");
    expect(e.message).toContain("WP02 (in_progress)");
    expect(e.message).not.toContain("WP01");
    expect(e.details).toEqual({ offenders: [{ wp_id: "WP02", lane: "in_progress" }] });
    expect(head(root)).toBe(before);
    expect(existsSync(statePath(root))).toBe(false);
    const { r, rows } = await runMerge(root, { force: true });
    expect(r.status).toBe("merged");
    expect(rows.map((e) => `${e.wp_id}:${e.from_lane}->${e.to_lane}:${e.force}`)).toEqual(["WP01:approved->done:false", "WP02:in_progress->done:true"]);
    expect(rows[1]?.reason).toContain("--force");
  });
  it("refuses a dirty target checkout or WP worktree and changes nothing", async () => {
    const root = missionRepo(temps, { WP01: [] });
    await prepare(root, ["WP01"], {});
    writeFileSync(join(root, "app.txt"), "local edit\n");
    const before = head(root);
    const e = await catchError(runMerge(root));
    expect(e.code).toBe("TARGET_DIRTY");
    expect(e.message).toContain("app.txt");
    expect(head(root)).toBe(before);
    expect(readFileSync(join(root, "app.txt"), "utf8")).toBe("local edit\n");
    expect(existsSync(statePath(root))).toBe(false);
    expect(existsSync(ws(root, "WP01"))).toBe(true);
    expect(await lanes(root)).toEqual({ WP01: "approved" });
    // Not from inside a WP worktree.
    expect((await catchError(runMerge(ws(root, "WP01")))).code).toBe("MERGE_IN_WP_WORKTREE");
    // A WP worktree with uncommitted changes is refused too.
    git(root, "checkout", "--", "app.txt");
    writeFileSync(join(ws(root, "WP01"), "WP01.txt"), "unsaved\n");
    const dirtyWorktree = await catchError(runMerge(root));
    expect(dirtyWorktree.code).toBe("WORKTREE_DIRTY");
    expect(dirtyWorktree.message).toContain("WP01");
    expect(head(root)).toBe(before);
  });

  it("a conflict stops with the merge in progress and a state; after resolving, --resume finishes", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: [] });
    await prepare(root, ["WP01", "WP02"], { WP01: { "app.txt": "one\n" }, WP02: { "app.txt": "two\n" } });
    const rec = recordingStatus();
    const emitter = recordingEmitter();
    const options = { cwd: root, actor: "merger", emitter, statusOptions: rec.options };
    const e = await catchError(merge(options));
    expect(e.code).toBe("MERGE_CONFLICT");
    expect(e.wpId).toBe("WP02");
    expect(e.message).toContain("app.txt");
    expect(e.details).toMatchObject({ workspace: root, conflicts: ["app.txt"] });
    expect(e.hint).toContain("spec-kitty merge --resume");
    const state = JSON.parse(readFileSync(statePath(root), "utf8"));
    expect(state).toMatchObject({ feature_slug: MISSION_DIR, target_branch: "main", wp_order: ["WP01", "WP02"], completed_wps: ["WP01"], current_wp: "WP02", has_pending_conflicts: true, strategy: "merge" });
    expect(await lanes(root)).toEqual({ WP01: "done", WP02: "approved" });
    expect(emitter.facts).toEqual([]);
    // A resume before the conflict is resolved is refused.
    expect((await catchError(merge({ ...options, resume: true }))).code).toBe("MERGE_UNRESOLVED");
    // Another merge while one is in progress is refused.
    expect((await catchError(merge(options))).code).toBe("MERGE_IN_PROGRESS");
    writeFileSync(join(root, "app.txt"), "one and two\n");
    git(root, "add", "app.txt");
    git(root, "commit", "-q", "--no-edit");
    const resumed = await merge({ ...options, resume: true });
    expect(resumed.status).toBe("merged");
    expect(await lanes(root)).toEqual({ WP01: "done", WP02: "done" });
    expect(rec.rows.map((r) => `${r.wp_id}:${r.to_lane}`)).toEqual(["WP01:done", "WP02:done"]);
    expect(emitter.facts.map((f) => f.eventType)).toEqual(["MissionClosed"]);
    expect(existsSync(statePath(root))).toBe(false);
    expect(readFileSync(join(root, "app.txt"), "utf8")).toBe("one and two\n");
    expect(git(root, "branch", "--list", `${MISSION_DIR}-*`).trim()).toBe("");
    expect(git(root, "status", "--porcelain")).toBe("");
    // Nothing left to do, nothing reported.
    const again = await runMerge(root);
    expect(again.r.status).toBe("nothing-to-do");
    expect(again.facts).toEqual([]);
  });

  it("--abort after a conflict restores the target ref and working tree byte for byte", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: [] });
    await prepare(root, ["WP01", "WP02"], { WP01: { "app.txt": "one\n" }, WP02: { "app.txt": "two\n" } });
    const start = head(root, "main");
    const files = snapshotFiles(root);
    const log = readFileSync(join(root, "kitty-specs", MISSION_DIR, "status.events.jsonl"), "utf8");
    expect((await catchError(merge({ cwd: root, actor: "m", emitter: NULL_WORKFLOW_EMITTER }))).code).toBe("MERGE_CONFLICT");
    expect(head(root, "main")).not.toBe(start);
    const { r, facts } = await runMerge(root, { abort: true });
    expect(r.status).toBe("aborted");
    expect(facts).toEqual([]);
    expect(head(root, "main")).toBe(start);
    expect(snapshotFiles(root)).toEqual(files);
    expect(git(root, "status", "--porcelain")).toBe("");
    expect(existsSync(join(root, ".git", "MERGE_HEAD"))).toBe(false);
    expect(existsSync(statePath(root))).toBe(false);
    expect(readFileSync(join(root, "kitty-specs", MISSION_DIR, "status.events.jsonl"), "utf8")).toBe(log);
    expect(await lanes(root)).toEqual({ WP01: "approved", WP02: "approved" });
    // The WP workspaces are untouched; a second abort has nothing to do.
    expect(existsSync(ws(root, "WP01")) && existsSync(ws(root, "WP02"))).toBe(true);
    expect((await runMerge(root, { abort: true })).r.status).toBe("nothing-to-abort");
  });

  it("merges in a dedicated worktree when the target is not checked out, never switching the user's checkout; numbers after the highest", async () => {
    const root = missionRepo(temps, { WP01: [] });
    const other = join(root, "kitty-specs", "002-older");
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, "meta.json"), `${JSON.stringify({ mission_slug: "002-older", mission_number: 41, target_branch: "main" })}\n`);
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "older mission");
    await prepare(root, ["WP01"], {});
    git(root, "switch", "-q", "-c", "side");
    const { r, facts } = await runMerge(root, { mission: MISSION_DIR });
    expect(r.workspace).toBe(join(root, ".worktrees", `${MISSION_DIR}-merge`));
    expect(git(root, "symbolic-ref", "--short", "HEAD").trim()).toBe("side");
    expect(r.missionNumber).toBe(42);
    expect(git(root, "log", "-3", "--format=%s", "main").trim().split("\n")).toEqual([
      `chore(${MISSION_DIR}): assign mission_number=42`,
      `chore(spec-kitty): status transition WP01`,
      `Merge WP01 from ${MISSION_DIR}`,
    ]);
    expect(existsSync(r.workspace as string)).toBe(false);
    expect(facts.map((f) => f.eventType)).toEqual(["MissionClosed"]);
    expect(git(root, "status", "--porcelain")).toBe("");
  });

  it("--target merges into another branch; refused up front when the status log's branch is checked out nowhere", async () => {
    const root = missionRepo(temps, { WP01: [] });
    await prepare(root, ["WP01"], {});
    git(root, "branch", "release");
    git(root, "switch", "-q", "-c", "side");
    const before = head(root, "release");
    const e = await catchError(runMerge(root, { target: "release" }));
    expect(e.code).toBe("STATUS_NOT_WRITABLE");
    expect(e.message).toContain("main");
    expect(head(root, "release")).toBe(before);
    expect(existsSync(join(root, ".worktrees", `${MISSION_DIR}-merge`))).toBe(false);
    expect(existsSync(statePath(root))).toBe(false);
    git(root, "switch", "-q", "main");
    const { r } = await runMerge(root, { target: "release" });
    expect(r.targetBranch).toBe("release");
    expect(git(root, "log", "-1", "--format=%s", "release^").trim()).toBe(`Merge WP01 from ${MISSION_DIR}`);
    expect(await lanes(root)).toEqual({ WP01: "done" });
  });

  it("squash: one commit per WP with the reference's message; --keep-branch/--keep-worktree keep them; --push pushes the target", async () => {
    const root = missionRepo(temps, { WP01: [] });
    await prepare(root, ["WP01"], { WP01: { "a.txt": "a\n" } });
    commitIn(ws(root, "WP01"), { "b.txt": "b\n" }, "more work");
    const remote = temps.make("sk-merge-remote-");
    git(remote, "init", "-q", "--bare");
    git(root, "remote", "add", "origin", remote);
    const { r } = await runMerge(root, { strategy: "squash", deleteBranch: false, removeWorktree: false, push: true });
    expect(r.pushed).toBe(true);
    expect(git(remote, "rev-parse", "main").trim()).toBe(head(root, "main"));
    expect(r.merged.map((m) => m.wpId)).toEqual(["WP01"]);
    const commit = r.merged[0]?.commit as string;
    expect(git(root, "log", "-1", "--format=%s%n%P", commit).trim().split("\n")).toEqual([`Merge WP01 from ${MISSION_DIR}`, expect.stringMatching(/^[0-9a-f]{40}$/)]);
    expect(existsSync(ws(root, "WP01"))).toBe(true);
    expect(git(root, "branch", "--list", `${MISSION_DIR}-WP01`).trim()).not.toBe("");
    expect(await lanes(root)).toEqual({ WP01: "done" });
    // The kept squashed branch is not merged again on a re-run, and nothing is reported.
    const again = await runMerge(root, { strategy: "squash", deleteBranch: false, removeWorktree: false });
    expect(again.r.status).toBe("nothing-to-do");
    expect(again.r.merged).toEqual([]);
    expect(again.facts).toEqual([]);
    expect(head(root, "main")).toBe(git(remote, "rev-parse", "main").trim());
  });
});
