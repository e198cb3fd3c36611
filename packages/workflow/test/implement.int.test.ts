import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { implement, recordingEmitter, WorkflowError, type ImplementOptions } from "../src/index.ts";
import { MissionStatus } from "@spec-kitty/status";
import { approve, commitIn, lanes, MISSION_DIR, missionRepo, recordingStatus } from "./im-fixtures.ts";

const temps = tempDirs("sk-implement-");
afterAll(() => temps.cleanup());

const run = (root: string, wpId: string, extra: Partial<ImplementOptions> = {}) => {
  const rec = recordingStatus();
  const emitter = recordingEmitter();
  return implement({ cwd: root, wpId, actor: "alice", emitter, statusOptions: rec.options, ...extra }).then((r) => ({ r, rows: rec.rows, facts: emitter.facts }));
};

const head = (root: string): string => git(root, "rev-parse", "HEAD").trim();
const branchOf = (root: string): string => git(root, "symbolic-ref", "--short", "HEAD").trim();
const catchError = async (p: Promise<unknown>): Promise<WorkflowError> => {
  try {
    await p;
  } catch (error) {
    if (error instanceof WorkflowError) return error;
    throw error;
  }
  throw new Error("expected a WorkflowError");
};

/** Marks `wpId` done (approved, then merged by hand onto main) so base selection sees a done dependency. */
const markDone = async (root: string, wpId: string): Promise<void> => {
  const status = await MissionStatus.load(root, MISSION_DIR);
  await status.transitionBatch([
    { wpId, toLane: "claimed", actor: "x" },
    { wpId, toLane: "in_progress", actor: "x", workspaceContext: "worktree:/elsewhere" },
  ]);
  await approve(root, wpId);
  await status.transition({
    wpId,
    toLane: "done",
    actor: "x",
    evidence: { review: { reviewer: "rita", verdict: "approved", reference: `review://${wpId}` }, repos: [{ repo: "r", branch: "main", commit: head(root) }] },
  });
};

describe("implement", () => {
  it("creates the worktree from the target, moves planned → claimed → in_progress in one batch, keeps the checkout", async () => {
    const root = missionRepo(temps, { WP01: [] });
    const before = head(root);
    const { r, rows } = await run(root, "WP01");
    const name = `${MISSION_DIR}-WP01`;
    expect(r).toMatchObject({ wpId: "WP01", branch: name, base: "main", status: "created", workspacePath: join(root, ".worktrees", name) });
    expect(r.baseCommit).toBe(before);
    expect(rows.map((e) => `${e.from_lane}->${e.to_lane}`)).toEqual(["planned->claimed", "claimed->in_progress"]);
    expect(rows[0]?.policy_metadata).toMatchObject({ agent: "alice" });
    expect(r.transitions.map((e) => e.event_id)).toEqual(rows.map((e) => e.event_id));
    expect(branchOf(root)).toBe("main");
    expect(git(root, "status", "--porcelain")).toBe("");
    expect(branchOf(r.workspacePath)).toBe(name);
    // kitty-specs is kept out of the worktree without touching the tracked .gitignore.
    expect(existsSync(join(r.workspacePath, "kitty-specs"))).toBe(false);
    expect(existsSync(join(r.workspacePath, "app.txt"))).toBe(true);
    expect(git(r.workspacePath, "status", "--porcelain")).toBe("");
    expect(readFileSync(join(r.workspacePath, ".gitignore"), "utf8")).toBe(".worktrees/\n");
    const context = JSON.parse(readFileSync(join(root, ".kittify", "workspaces", `${name}.json`), "utf8"));
    expect(context).toMatchObject({ wp_id: "WP01", branch_name: name, base_branch: "main", base_commit: before, worktree_path: `.worktrees/${name}` });
    expect(await lanes(root)).toEqual({ WP01: "in_progress" });
  });

  it("a re-run reuses the worktree, writes and reports nothing", async () => {
    const root = missionRepo(temps, { WP01: [] });
    const first = await run(root, "WP01");
    const log = readFileSync(join(root, "kitty-specs", MISSION_DIR, "status.events.jsonl"), "utf8");
    const commit = head(root);
    const again = await run(root, "WP01");
    expect(again.r.status).toBe("reused");
    expect(again.r.workspacePath).toBe(first.r.workspacePath);
    expect(again.r.baseCommit).toBe(first.r.baseCommit);
    expect(again.rows).toEqual([]);
    expect(again.facts).toEqual([]);
    expect(readFileSync(join(root, "kitty-specs", MISSION_DIR, "status.events.jsonl"), "utf8")).toBe(log);
    expect(head(root)).toBe(commit);
  });

  it("single dependency in progress: branches from the dependency's workspace", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: ["WP01"] });
    const one = await run(root, "WP01");
    commitIn(one.r.workspacePath, { "one.txt": "1\n" }, "WP01 work");
    const two = await run(root, "WP02");
    expect(two.r.base).toBe(`${MISSION_DIR}-WP01`);
    expect(two.r.baseCommit).toBe(head(one.r.workspacePath));
    expect(existsSync(join(two.r.workspacePath, "one.txt"))).toBe(true);
  });

  it("single dependency without a workspace: refused, nothing created", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: ["WP01"] });
    const e = await catchError(run(root, "WP02"));
    expect(e.code).toBe("BASE_WORKSPACE_MISSING");
    expect(e.message).toContain("WP01");
    expect(existsSync(join(root, ".worktrees", `${MISSION_DIR}-WP02`))).toBe(false);
    expect(await lanes(root)).toEqual({ WP01: "planned", WP02: "planned" });
  });

  it("single dependency done: branches from the target branch", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: ["WP01"] });
    await markDone(root, "WP01");
    const target = head(root);
    const two = await run(root, "WP02");
    expect(two.r.base).toBe("main");
    expect(two.r.baseCommit).toBe(target);
  });

  it("several dependencies, some in progress: a multi-parent merge base, built without a checkout", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: [], WP03: ["WP01", "WP02"] });
    const one = await run(root, "WP01");
    const two = await run(root, "WP02");
    commitIn(one.r.workspacePath, { "one.txt": "1\n" }, "WP01 work");
    commitIn(two.r.workspacePath, { "two.txt": "2\n" }, "WP02 work");
    const beforeMain = head(root);
    const three = await run(root, "WP03");
    const mergeBase = `${MISSION_DIR}-WP03-merge-base`;
    expect(three.r.base).toBe(mergeBase);
    expect(git(root, "rev-parse", mergeBase).trim()).toBe(three.r.baseCommit);
    expect(git(root, "log", "-1", "--format=%s", mergeBase).trim()).toBe(`Merge ${MISSION_DIR}-WP02 into multi-parent base for WP03`);
    expect(existsSync(join(three.r.workspacePath, "one.txt")) && existsSync(join(three.r.workspacePath, "two.txt"))).toBe(true);
    expect(branchOf(root)).toBe("main");
    // The main checkout only got the status commit of the claim.
    expect(git(root, "rev-list", "--count", `${beforeMain}..HEAD`).trim()).toBe("1");
    const context = JSON.parse(readFileSync(join(root, ".kittify", "workspaces", `${MISSION_DIR}-WP03.json`), "utf8"));
    expect(context.created_by).toBe("implement-command-multi-parent-merge");
  });

  it("several dependencies that conflict: a clear error, no branch, no worktree, no lane change", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: [], WP03: ["WP01", "WP02"] });
    const one = await run(root, "WP01");
    const two = await run(root, "WP02");
    commitIn(one.r.workspacePath, { "app.txt": "one\n" }, "WP01 work");
    commitIn(two.r.workspacePath, { "app.txt": "two\n" }, "WP02 work");
    const e = await catchError(run(root, "WP03"));
    expect(e.code).toBe("MERGE_BASE_CONFLICT");
    expect(e.message).toContain("app.txt");
    expect(e.hint).toContain("--base WP01");
    expect(git(root, "branch", "--list", `${MISSION_DIR}-WP03*`).trim()).toBe("");
    expect(existsSync(join(root, ".worktrees", `${MISSION_DIR}-WP03`))).toBe(false);
    expect((await lanes(root))["WP03"]).toBe("planned");
  });

  it("several dependencies all done: refused without --force, from the target with it", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: [], WP03: ["WP01", "WP02"] });
    await markDone(root, "WP01");
    await markDone(root, "WP02");
    const e = await catchError(run(root, "WP03"));
    expect(e.code).toBe("MULTI_PARENT_ALL_DONE");
    expect(e.message).toBe("Multi-parent dependencies (WP01, WP02) all done.");
    const forced = await run(root, "WP03", { force: true });
    expect(forced.r.base).toBe("main");
  });

  it("several dependencies, one done: merges the other's branch with the target", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: [], WP03: ["WP01", "WP02"] });
    await markDone(root, "WP01");
    const two = await run(root, "WP02");
    commitIn(two.r.workspacePath, { "two.txt": "2\n" }, "WP02 work");
    const three = await run(root, "WP03");
    expect(three.r.base).toBe(`${MISSION_DIR}-WP03-merge-base`);
    expect(existsSync(join(three.r.workspacePath, "two.txt"))).toBe(true);
  });

  it("--base: a workspace branch, the target when done, an error when missing; a warning when not a dependency", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: [], WP03: [] });
    const one = await run(root, "WP01");
    const two = await run(root, "WP02", { base: "WP01" });
    expect(two.r.base).toBe(`${MISSION_DIR}-WP01`);
    expect(two.r.warnings.join("\n")).toContain("not a declared dependency");
    expect(one.r.base).toBe("main");
    const missing = await catchError(run(root, "WP03", { base: "WP09" }));
    expect(missing.code).toBe("BASE_NOT_FOUND");
  });

  it("refuses a work package that is not finalized, inside a worktree, or unknown", async () => {
    const root = missionRepo(temps, { WP01: [] });
    writeFileSync(join(root, "kitty-specs", MISSION_DIR, "tasks", "WP02-new.md"), "---\nwork_package_id: WP02\ntitle: New\n---\n");
    const e = await catchError(run(root, "WP02"));
    expect(e.code).toBe("WP_NOT_FINALIZED");
    expect(e.hint).toContain("finalize-tasks");
    expect((await catchError(run(root, "WP07"))).code).toBe("WP_NOT_FOUND");
    const one = await run(root, "WP01");
    const inside = await catchError(run(one.r.workspacePath, "WP01"));
    expect(inside.code).toBe("IMPLEMENT_IN_WORKTREE");
  });

  it("refuses up front when the target branch is checked out nowhere (the lane change could not be committed)", async () => {
    const root = missionRepo(temps, { WP01: [] });
    git(root, "switch", "-q", "-c", "side");
    const e = await catchError(run(root, "WP01"));
    expect(e.code).toBe("STATUS_NOT_WRITABLE");
    expect(e.hint).toContain("main");
    expect(existsSync(join(root, ".worktrees", `${MISSION_DIR}-WP01`))).toBe(false);
    expect(git(root, "branch", "--list", `${MISSION_DIR}-WP01`).trim()).toBe("");
  });

  it("a failing transition undoes the worktree, branch and context file", async () => {
    const root = missionRepo(temps, { WP01: [] });
    const e = await catchError(
      run(root, "WP01", {
        statusOptions: {
          stageProbe: (stage) => {
            if (stage === "appended") throw Object.assign(new Error("disk full"), { code: "IO_FAILED" });
          },
        },
      }),
    );
    expect(e.message).toContain("disk full");
    expect(existsSync(join(root, ".worktrees", `${MISSION_DIR}-WP01`))).toBe(false);
    expect(git(root, "branch", "--list", `${MISSION_DIR}-WP01`).trim()).toBe("");
    expect(existsSync(join(root, ".kittify", "workspaces", `${MISSION_DIR}-WP01.json`))).toBe(false);
    expect(await lanes(root)).toEqual({ WP01: "planned" });
  });
});
