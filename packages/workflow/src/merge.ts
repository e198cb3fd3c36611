import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import type { DoneEvidence, LaneTransitionRow, MissionStatusOptions, ReviewApproval, StatusSnapshot } from "@spec-kitty/status";
import { missionClosedFact, type WorkflowEmitter } from "./emit.ts";
import { WorkflowError } from "./errors.ts";
import { writeFileAtomic } from "./files.ts";
import { branchExists, commitPaths, git, gitOut, requireRepo, revParse } from "./git.ts";
import { topologicalOrder } from "./graph.ts";
import { wpDependencies } from "./implement.ts";
import { listWorkPackageFiles, META_FILE, missionStatus, openMission, readMetaFile, writeMetaFile, type MissionContext } from "./mission.ts";
import {
  LOCAL_STATE_EXCLUDES,
  WORKTREES_DIR,
  contextFilePath,
  ensureLocalExcludes,
  findWorktree,
  listWorktrees,
  mergeBaseBranch,
  samePath,
  statusCall,
  workspaceName,
  workspacePath,
  worktreeWithBranch,
  type WorktreeInfo,
} from "./workspace.ts";

/**
 * `spec-kitty merge`: every WP branch of a mission into its target branch (meta.json `target_branch`, or
 * `--target`), in dependency order, without switching the user's checkout: where the target is checked out and
 * clean (usually the main checkout) the merge happens there, otherwise in a dedicated worktree
 * `.worktrees/<mission dir>-merge`. Each merged WP moves `approved → done` through MissionStatus with the approval
 * review and the merged commit as evidence. A conflict stops with the merge in progress and a persisted
 * `.kittify/merge-state.json`, which `--resume` continues and `--abort` undoes. When every WP is done the mission
 * gets its `mission_number` and one `MissionClosed` is emitted; a re-run finds nothing to do and reports nothing.
 */
export type MergeStrategy = "merge" | "squash";

export interface MergeOptions {
  readonly cwd: string;
  readonly mission?: string;
  readonly strategy?: MergeStrategy;
  /** Delete each merged WP branch (default true). */
  readonly deleteBranch?: boolean;
  /** Remove each merged WP worktree (default true). */
  readonly removeWorktree?: boolean;
  readonly push?: boolean;
  /** Overrides meta.json `target_branch`. */
  readonly target?: string;
  readonly dryRun?: boolean;
  readonly resume?: boolean;
  readonly abort?: boolean;
  /** Merge WPs that are not approved yet (recorded as forced done transitions). */
  readonly force?: boolean;
  readonly actor: string;
  readonly emitter: WorkflowEmitter;
  readonly statusOptions?: MissionStatusOptions;
}

export type MergeStepAction = "merge" | "already-merged" | "done" | "skip-canceled";

export interface MergeStep {
  readonly wpId: string;
  readonly branch: string;
  readonly lane: string;
  readonly action: MergeStepAction;
}

export interface MergeResult {
  readonly status: "merged" | "nothing-to-do" | "dry-run" | "aborted" | "nothing-to-abort";
  readonly missionSlug: string;
  readonly missionDir: string;
  readonly targetBranch: string;
  readonly strategy: MergeStrategy;
  /** The checkout the merges were made in (absolute). */
  readonly workspace: string | null;
  readonly plan: readonly MergeStep[];
  /** WPs merged by this run, in order, with the target's commit after each. */
  readonly merged: readonly { readonly wpId: string; readonly commit: string }[];
  readonly transitions: readonly LaneTransitionRow[];
  readonly missionNumber: number | null;
  readonly missionNumberAssigned: boolean;
  readonly missionClosed: boolean;
  readonly pushed: boolean;
  readonly removedWorktrees: readonly string[];
  readonly deletedBranches: readonly string[];
  readonly warnings: readonly string[];
}

/** `.kittify/merge-state.json`: the reference's fields plus what resume and abort need. */
export interface MergeState {
  readonly feature_slug: string;
  readonly mission_slug: string;
  readonly target_branch: string;
  readonly wp_order: readonly string[];
  readonly completed_wps: readonly string[];
  readonly current_wp: string | null;
  readonly has_pending_conflicts: boolean;
  readonly strategy: MergeStrategy;
  readonly started_at: string;
  readonly updated_at: string;
  /** The target's commit before the first merge: what --abort restores. */
  readonly target_start: string;
  /** The checkout merging happens in. */
  readonly workspace: string;
  readonly merge_worktree_created: boolean;
  /** The target's commit before the current WP's merge began. */
  readonly pre_merge_head: string | null;
  readonly delete_branch: boolean;
  readonly remove_worktree: boolean;
  readonly push: boolean;
  readonly force: boolean;
  /** WPs that were merged (not just marked): their branches and worktrees are cleaned up. */
  readonly merged_wps: readonly string[];
}

export const MERGE_STATE_FILE = join(".kittify", "merge-state.json");

const mergeMessage = (wpId: string, slug: string): string => `Merge ${wpId} from ${slug}`;

const readState = (path: string): MergeState | null => {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as MergeState;
  } catch (error) {
    throw new WorkflowError({
      code: "MERGE_STATE_INVALID",
      kind: "input",
      message: `${path}: the merge state is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      file: path,
      hint: `inspect it; delete it to start over (the target branch is where the last completed merge left it)`,
    });
  }
};

const saveState = (path: string, state: MergeState): void => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
};

const now = (o: MergeOptions): string => (o.statusOptions?.clock ?? (() => new Date().toISOString()))();

/** Tracked changes (staged or not) of a checkout; untracked files do not count. */
const trackedChanges = async (cwd: string): Promise<readonly string[]> =>
  (await git(cwd, ["status", "--porcelain", "--untracked-files=no"])).stdout.split("\n").filter((l) => l.trim() !== "");

const unmergedFiles = async (cwd: string): Promise<readonly string[]> =>
  (await gitOut(cwd, ["diff", "--name-only", "--diff-filter=U"])).split("\n").filter((l) => l !== "");

const gitPath = async (cwd: string, name: string): Promise<string> => {
  const p = await gitOut(cwd, ["rev-parse", "--git-path", name]);
  return p.startsWith("/") ? p : join(cwd, p);
};

const mergeInProgress = async (cwd: string): Promise<boolean> => existsSync(await gitPath(cwd, "MERGE_HEAD"));

const isAncestor = async (cwd: string, a: string, b: string): Promise<boolean> =>
  (await git(cwd, ["merge-base", "--is-ancestor", a, b], { allowFail: true })).code === 0;

const laneOf = (snapshot: StatusSnapshot, wpId: string): string => snapshot.work_packages[wpId]?.lane ?? "uninitialized";

/** The approval review of a WP: from its last transition into approved (evidence.review, else review_result). */
export const approvalReview = (rows: readonly LaneTransitionRow[], wpId: string): ReviewApproval | null => {
  const row = rows.findLast((r) => r.wp_id === wpId && r.to_lane === "approved");
  if (row === undefined) return null;
  const fromEvidence = row.evidence?.review;
  if (fromEvidence !== undefined && fromEvidence.verdict === "approved" && fromEvidence.reviewer.trim() !== "" && fromEvidence.reference.trim() !== "") {
    return { reviewer: fromEvidence.reviewer, verdict: fromEvidence.verdict, reference: fromEvidence.reference };
  }
  const result = row.review_result;
  if (result !== undefined && result !== null && result.verdict === "approved") {
    return { reviewer: result.reviewer, verdict: "approved", reference: result.reference };
  }
  return null;
};

export const merge = async (o: MergeOptions): Promise<MergeResult> => {
  const repo = requireRepo(o.cwd);
  const root = repo.mainRoot;
  const statePath = join(root, MERGE_STATE_FILE);
  if (o.abort === true && o.resume === true) {
    throw new WorkflowError({ code: "MERGE_OPTIONS_CONFLICT", kind: "usage", message: "--resume and --abort cannot be used together" });
  }
  const state = readState(statePath);
  if (o.abort === true) return abort(o, root, statePath, state);
  if (o.resume === true && state === null) {
    throw new WorkflowError({ code: "NO_MERGE_STATE", message: `No merge state to resume (${MERGE_STATE_FILE} does not exist)`, hint: "start a merge with 'spec-kitty merge'" });
  }
  if (o.resume !== true && state !== null) {
    throw new WorkflowError({
      code: "MERGE_IN_PROGRESS",
      message: `a merge of ${state.feature_slug} into ${state.target_branch} is in progress (${MERGE_STATE_FILE}, at ${state.current_wp ?? "start"})`,
      hint: "continue it with 'spec-kitty merge --resume' or undo it with 'spec-kitty merge --abort'",
    });
  }
  const ctx = await openMission(root, state?.feature_slug ?? o.mission);
  if (repo.inWorktree && listWorkPackageFiles(ctx).some((f) => samePath(workspacePath(ctx, f.wpId), repo.worktreeRoot))) {
    throw new WorkflowError({
      code: "MERGE_IN_WP_WORKTREE",
      message: `'merge' cannot run from inside ${repo.worktreeRoot}: it merges (and removes) the work package worktrees`,
      hint: `cd ${root}`,
    });
  }
  const strategy: MergeStrategy = state?.strategy ?? o.strategy ?? "merge";
  const target = state?.target_branch ?? o.target ?? ctx.targetBranch;
  const flags = {
    deleteBranch: state?.delete_branch ?? o.deleteBranch ?? true,
    removeWorktree: state?.remove_worktree ?? o.removeWorktree ?? true,
    push: state?.push ?? o.push ?? false,
    force: state?.force ?? o.force ?? false,
  };
  if (!(await branchExists(root, target))) {
    throw new WorkflowError({
      code: "TARGET_BRANCH_MISSING",
      message: `target branch '${target}' does not exist${o.target === undefined ? ` (${relative(root, ctx.metaPath)} target_branch)` : " (--target)"}`,
      field: "target_branch",
    });
  }

  // The work packages, their dependency order and what each needs.
  const files = listWorkPackageFiles(ctx);
  if (files.length === 0) {
    throw new WorkflowError({ code: "NO_WORK_PACKAGES", message: `${ctx.relPath}/tasks has no work packages to merge`, hint: "run finalize-tasks first" });
  }
  const graph = Object.fromEntries(files.map((f) => [f.wpId, wpDependencies(f.path)]));
  const order = state?.wp_order ?? topologicalOrder(graph);
  const readStatus = await statusCall(() => missionStatus(ctx, o.statusOptions));
  const snapshot = await statusCall(() => readStatus.snapshot());
  if (state === null) {
    const offenders = order.filter((wp) => !["approved", "done", "canceled"].includes(laneOf(snapshot, wp)));
    if (offenders.length > 0 && !flags.force) {
      throw new WorkflowError({
        code: "WPS_NOT_APPROVED",
        message: `cannot merge ${ctx.dir}: every work package must be approved or done; not yet: ${offenders.map((wp) => `${wp} (${laneOf(snapshot, wp)})`).join(", ")}`,
        details: { offenders: offenders.map((wp) => ({ wp_id: wp, lane: laneOf(snapshot, wp) })) },
        hint: "finish their reviews first (or pass --force to merge them as they are)",
      });
    }
  }
  const worktrees = await listWorktrees(root);
  const plan: MergeStep[] = [];
  for (const wpId of order) {
    const lane = laneOf(snapshot, wpId);
    const branch = workspaceName(ctx, wpId);
    if (lane === "canceled") {
      plan.push({ wpId, branch, lane, action: "skip-canceled" });
      continue;
    }
    // done means integrated: never merged again (a kept squashed branch is not an ancestor of the target).
    if (state?.completed_wps.includes(wpId) === true || lane === "done") {
      plan.push({ wpId, branch, lane, action: "done" });
      continue;
    }
    if (!(await branchExists(root, branch))) {
      throw new WorkflowError({
        code: "WP_BRANCH_MISSING",
        message: `${wpId} has no branch ${branch} to merge`,
        wpId,
        hint: `create its workspace with 'spec-kitty implement ${wpId} --mission ${ctx.dir}'`,
      });
    }
    const merged = await isAncestor(root, branch, target);
    plan.push({ wpId, branch, lane, action: merged ? "already-merged" : "merge" });
  }
  const toMerge = plan.filter((s) => s.action === "merge");
  if (state === null) {
    const dirty: string[] = [];
    for (const step of toMerge) {
      const wt = findWorktree(worktrees, workspacePath(ctx, step.wpId));
      if (wt !== undefined && (await trackedChanges(wt.path)).length > 0) dirty.push(`${step.wpId} (${relative(root, wt.path)})`);
    }
    if (dirty.length > 0) {
      throw new WorkflowError({
        code: "WORKTREE_DIRTY",
        message: `work package worktrees have uncommitted changes: ${dirty.join(", ")}`,
        hint: "commit or discard them in each worktree, then run merge again",
      });
    }
  }

  // Where to merge: the checkout that has the target (if clean), else a dedicated worktree.
  const holder = state === null ? worktreeWithBranch(worktrees, target) : undefined;
  const mergePath = join(root, WORKTREES_DIR, `${ctx.dir}-merge`);
  if (holder !== undefined && (await trackedChanges(holder.path)).length > 0) {
    const changes = await trackedChanges(holder.path);
    throw new WorkflowError({
      code: "TARGET_DIRTY",
      message: `the target branch ${target} is checked out in ${holder.path} with uncommitted changes (${changes.map((l) => l.slice(3)).join(", ")}); nothing was merged`,
      hint: `commit or stash them there, then run merge again`,
    });
  }
  const transitionsNeeded = plan.filter((s) => s.action === "merge" || s.action === "already-merged");
  const base = {
    missionSlug: ctx.slug,
    missionDir: ctx.dir,
    targetBranch: target,
    strategy,
    plan,
  };
  if (o.dryRun === true) {
    return {
      ...base,
      status: "dry-run",
      workspace: state?.workspace ?? holder?.path ?? mergePath,
      merged: [],
      transitions: [],
      missionNumber: null,
      missionNumberAssigned: false,
      missionClosed: false,
      pushed: false,
      removedWorktrees: [],
      deletedBranches: [],
      warnings: [],
    };
  }

  let current: MergeState;
  let loaded: Awaited<ReturnType<typeof missionStatus>> | null = null;
  if (state !== null) {
    current = state;
  } else {
    if (toMerge.length === 0 && transitionsNeeded.length === 0 && allDone(plan) && numberOf(readMetaFile(ctx.metaPath)) !== null) {
      const cleanup = await cleanUp(ctx, plan.filter((s) => s.action === "done").map((s) => s.wpId), flags, strategy, target, []);
      return {
        ...base,
        status: "nothing-to-do",
        workspace: holder?.path ?? null,
        merged: [],
        transitions: [],
        missionNumber: numberOf(readMetaFile(ctx.metaPath)),
        missionNumberAssigned: false,
        missionClosed: false,
        pushed: false,
        ...cleanup,
      };
    }
    ensureLocalExcludes(repo.commonDir, LOCAL_STATE_EXCLUDES);
    let workspace = holder?.path;
    let created = false;
    if (workspace === undefined) {
      if (existsSync(mergePath)) {
        throw new WorkflowError({
          code: "MERGE_WORKTREE_EXISTS",
          message: `${relative(root, mergePath)} exists but does not have ${target} checked out`,
          hint: `remove it ('git worktree remove ${relative(root, mergePath)}') and run merge again`,
        });
      }
      mkdirSync(dirname(mergePath), { recursive: true });
      await git(root, ["worktree", "add", mergePath, target]);
      workspace = mergePath;
      created = true;
    }
    // The done transitions must be recordable before anything is merged (the status log's branch checked out somewhere).
    const probe = await statusCall(() => missionStatus(ctx, o.statusOptions)).catch(async (error: unknown) => {
      if (created) await git(root, ["worktree", "remove", "--force", mergePath], { allowFail: true });
      throw error;
    });
    loaded = probe;
    const write = probe.resolvedTopology.write;
    if (write.kind === "refused") {
      if (created) await git(root, ["worktree", "remove", "--force", mergePath], { allowFail: true });
      throw new WorkflowError({
        code: "STATUS_NOT_WRITABLE",
        message: `cannot record the merged work packages as done: ${write.reason}; nothing was merged`,
        hint: `check out ${write.branch} in a worktree (or the main checkout), then run merge again`,
      });
    }
    const at = now(o);
    current = {
      feature_slug: ctx.dir,
      mission_slug: ctx.slug,
      target_branch: target,
      wp_order: order,
      completed_wps: [],
      current_wp: null,
      has_pending_conflicts: false,
      strategy,
      started_at: at,
      updated_at: at,
      target_start: await gitOut(root, ["rev-parse", `refs/heads/${target}`]),
      workspace,
      merge_worktree_created: created,
      pre_merge_head: null,
      delete_branch: flags.deleteBranch,
      remove_worktree: flags.removeWorktree,
      push: flags.push,
      force: flags.force,
      merged_wps: [],
    };
    // Claim the state file exclusively: a second merge started at the same moment is refused, not interleaved.
    try {
      mkdirSync(dirname(statePath), { recursive: true });
      closeSync(openSync(statePath, "wx"));
    } catch (error) {
      if (created) await git(root, ["worktree", "remove", "--force", mergePath], { allowFail: true });
      if ((error as { code?: string }).code === "EEXIST") {
        throw new WorkflowError({ code: "MERGE_IN_PROGRESS", message: `another merge started meanwhile (${MERGE_STATE_FILE} exists)`, hint: "wait for it, then run merge again" });
      }
      throw error;
    }
    saveState(statePath, current);
  }
  const workspace = current.workspace;
  if (!existsSync(workspace)) {
    throw new WorkflowError({
      code: "MERGE_WORKSPACE_MISSING",
      message: `the merge workspace ${workspace} recorded in ${MERGE_STATE_FILE} no longer exists`,
      hint: "run 'spec-kitty merge --abort' to reset the target branch and start over",
    });
  }
  if (state !== null) {
    // --resume: the user must have finished the conflicted merge.
    const unresolved = await unmergedFiles(workspace);
    if ((await mergeInProgress(workspace)) || unresolved.length > 0) {
      throw new WorkflowError({
        code: "MERGE_UNRESOLVED",
        message: `the merge of ${state.current_wp ?? "a work package"} is still in progress in ${workspace}${unresolved.length > 0 ? ` (unresolved: ${unresolved.join(", ")})` : ""}`,
        wpId: state.current_wp ?? undefined,
        hint: `resolve the files, 'git add' them and 'git commit' in ${workspace}, then 'spec-kitty merge --resume' (or 'spec-kitty merge --abort')`,
      });
    }
  }

  // The merges. MissionStatus is loaded now: the workspace holds the target, so status commits land there.
  const status = loaded ?? (await statusCall(() => missionStatus(ctx, o.statusOptions)));
  const log = status.readLog();
  const transitions: LaneTransitionRow[] = [];
  const merged: { wpId: string; commit: string }[] = [];
  const warnings: string[] = [];
  for (const step of plan) {
    if (step.action === "skip-canceled" || step.action === "done") continue;
    let action = step.action;
    if (state !== null && state.current_wp === step.wpId && state.pre_merge_head !== null) {
      // Resumed: the user committed the resolution (the target moved), or gave the merge up (then merge again).
      const head = await gitOut(workspace, ["rev-parse", "HEAD"]);
      const done = strategy === "merge" ? await isAncestor(workspace, step.branch, "HEAD") : head !== state.pre_merge_head;
      action = done ? "already-merged" : "merge";
      if (done) current = { ...current, merged_wps: [...current.merged_wps, step.wpId] };
    } else if (action === "merge" && (await isAncestor(workspace, step.branch, "HEAD"))) {
      action = "already-merged";
    }
    if (action === "merge") {
      const pre = await gitOut(workspace, ["rev-parse", "HEAD"]);
      current = { ...current, current_wp: step.wpId, pre_merge_head: pre, has_pending_conflicts: false, updated_at: now(o) };
      saveState(statePath, current);
      await mergeOne(ctx, o, workspace, step, strategy, statePath, current);
      current = { ...current, merged_wps: [...current.merged_wps, step.wpId] };
      const commit = await gitOut(workspace, ["rev-parse", "HEAD"]);
      merged.push({ wpId: step.wpId, commit });
    }
    const lane = laneOf(await status.snapshot(), step.wpId);
    if (lane !== "done") {
      const commit = await gitOut(workspace, ["rev-parse", "HEAD"]);
      const review = approvalReview(log.transitions, step.wpId);
      const approved = lane === "approved" && review !== null;
      const evidence: DoneEvidence = {
        review: review ?? { reviewer: o.actor, verdict: "approved", reference: `merge:${target}@${commit}` },
        repos: [{ repo: basename(root), branch: target, commit }],
      };
      const { event } = await statusCall(
        () =>
          status.transition({
            wpId: step.wpId,
            toLane: "done",
            actor: o.actor,
            evidence,
            reason: `Merged ${step.wpId} into ${target}`,
            ...(approved ? {} : { force: true, reason: `Merged ${step.wpId} into ${target} with --force (lane was ${lane})` }),
            policyMetadata: { merge_phase: "lane_integrated", target_branch: target },
          }),
        step.wpId,
      );
      transitions.push(event);
    }
    current = { ...current, completed_wps: [...current.completed_wps, step.wpId], current_wp: null, pre_merge_head: null, updated_at: now(o) };
    saveState(statePath, current);
  }

  // Every WP done: the mission's number (once) and MissionClosed (when this run finished it).
  const finalSnapshot = await status.snapshot();
  const complete = order.every((wp) => ["done", "canceled"].includes(laneOf(finalSnapshot, wp)));
  let missionNumber: number | null = null;
  let assigned = false;
  if (complete) {
    const outcome = await assignMissionNumber(ctx, workspace, repo.commonDir);
    missionNumber = outcome.number;
    assigned = outcome.assigned;
  }
  const changed = merged.length > 0 || transitions.length > 0 || assigned || state !== null;
  const closed = complete && changed && missionNumber !== null;
  if (closed) {
    o.emitter.emit(missionClosedFact({ missionId: ctx.missionId, missionSlug: ctx.slug, missionNumber: missionNumber as number, missionType: ctx.missionType }));
  }

  let pushed = false;
  if (flags.push) {
    const r = await git(workspace, ["push", "origin", target], { allowFail: true, timeoutMs: 120_000 });
    pushed = r.code === 0;
    if (!pushed) warnings.push(`push of ${target} to origin failed: ${(r.stderr.trim() || r.stdout.trim()).split("\n")[0] ?? ""}`);
  }
  const cleanupIds = [...new Set([...current.merged_wps, ...plan.filter((s) => s.action !== "skip-canceled").map((s) => s.wpId)])];
  const cleanup = await cleanUp(ctx, cleanupIds, flags, strategy, target, current.merged_wps);
  if (current.merge_worktree_created) {
    await git(root, ["worktree", "remove", "--force", workspace], { allowFail: true });
    await git(root, ["worktree", "prune"], { allowFail: true });
  }
  rmSync(statePath, { force: true });
  return {
    ...base,
    status: changed ? "merged" : "nothing-to-do",
    workspace,
    merged,
    transitions,
    missionNumber,
    missionNumberAssigned: assigned,
    missionClosed: closed,
    pushed,
    removedWorktrees: cleanup.removedWorktrees,
    deletedBranches: cleanup.deletedBranches,
    warnings: [...warnings, ...cleanup.warnings],
  };
};

const allDone = (plan: readonly MergeStep[]): boolean => plan.every((s) => s.action === "done" || s.action === "skip-canceled");

/** One WP branch into the target in `workspace`; a conflict persists the state and throws MERGE_CONFLICT. */
const mergeOne = async (
  ctx: MissionContext,
  o: MergeOptions,
  workspace: string,
  step: MergeStep,
  strategy: MergeStrategy,
  statePath: string,
  state: MergeState,
): Promise<void> => {
  const message = mergeMessage(step.wpId, ctx.slug);
  const r =
    strategy === "merge"
      ? await git(workspace, ["merge", "--no-ff", "--no-edit", "-m", message, step.branch], { allowFail: true })
      : await git(workspace, ["merge", "--squash", step.branch], { allowFail: true });
  const conflicts = await unmergedFiles(workspace);
  if (r.code !== 0 || conflicts.length > 0) {
    if (conflicts.length === 0) {
      // Not a conflict (e.g. an untracked file in the way): nothing was merged; undo any partial squash.
      await git(workspace, ["reset", "--merge"], { allowFail: true });
      saveState(statePath, { ...state, has_pending_conflicts: false, updated_at: now(o) });
      throw new WorkflowError({
        code: "MERGE_FAILED",
        message: `merging ${step.wpId} (${step.branch}) into ${state.target_branch} failed in ${workspace}: ${(r.stderr.trim() || r.stdout.trim()).split("\n").slice(0, 4).join(" | ")}`,
        wpId: step.wpId,
        hint: "fix the cause, then 'spec-kitty merge --resume' (or 'spec-kitty merge --abort' to undo the merges so far)",
      });
    }
    saveState(statePath, { ...state, has_pending_conflicts: true, updated_at: now(o) });
    const commit = strategy === "merge" ? "git commit --no-edit" : `git commit -m "${message}"`;
    const commands = [`cd ${workspace}`, `# edit ${conflicts.join(", ")}`, `git add ${conflicts.join(" ")}`, commit, "spec-kitty merge --resume"];
    throw new WorkflowError({
      code: "MERGE_CONFLICT",
      message: `merging ${step.wpId} (${step.branch}) into ${state.target_branch} conflicts in ${conflicts.join(", ")}; the merge is left in progress in ${workspace}`,
      wpId: step.wpId,
      details: { workspace, conflicts, wp_id: step.wpId, commands },
      hint: `resolve: ${commands.join(" && ")}; or undo everything with 'spec-kitty merge --abort'`,
    });
  }
  if (strategy === "squash") {
    const staged = await gitOut(workspace, ["diff", "--cached", "--name-only"]);
    if (staged !== "") await git(workspace, ["commit", "--quiet", "-m", message]);
  }
};

const numberOf = (meta: Readonly<Record<string, unknown>>): number | null => {
  const n = meta["mission_number"];
  if (typeof n === "number" && Number.isInteger(n)) return n;
  if (typeof n === "string" && /^\d+$/.test(n)) return Number(n);
  return null;
};

/** A lock under the shared git dir (every worktree sees it); 10 s deadline, a lock older than 60 s is stale. */
const withLock = async <A>(commonDir: string, name: string, f: () => Promise<A>): Promise<A> => {
  const path = join(commonDir, name);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      closeSync(openSync(path, "wx"));
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      try {
        if (Date.now() - statSync(path).mtimeMs > 60_000) rmSync(path, { force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) {
        throw new WorkflowError({ code: "LOCK_TIMEOUT", message: `${path} is held by another process (waited 10 s)`, hint: "retry; delete the file if no spec-kitty process is running" });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await f();
  } finally {
    rmSync(path, { force: true });
  }
};

/**
 * `mission_number` = 1 + the highest number among the missions on the target (the workspace's kitty-specs/),
 * assigned once under a lock and committed on the target as `chore(<slug>): assign mission_number=N`.
 */
const assignMissionNumber = async (ctx: MissionContext, workspace: string, commonDir: string): Promise<{ number: number; assigned: boolean }> =>
  withLock(commonDir, "spec-kitty-mission-number.lock", async () => {
    const metaPath = join(workspace, ctx.relPath, META_FILE);
    const meta = readMetaFile(metaPath);
    const existing = numberOf(meta);
    if (existing !== null) return { number: existing, assigned: false };
    let max = 0;
    const specs = join(workspace, "kitty-specs");
    for (const dir of existsSync(specs) ? readdirSync(specs) : []) {
      const p = join(specs, dir, META_FILE);
      if (!existsSync(p)) continue;
      try {
        max = Math.max(max, numberOf(JSON.parse(readFileSync(p, "utf8")) as Record<string, unknown>) ?? 0);
      } catch {
        // an unreadable meta.json of another mission has no number to count
      }
    }
    const number = max + 1;
    writeMetaFile(metaPath, { ...meta, mission_number: number });
    await commitPaths(workspace, [relative(workspace, metaPath)], `chore(${ctx.slug}): assign mission_number=${number}`);
    return { number, assigned: true };
  });

/** Removes merged WP worktrees (and their context files), deletes their branches and implement's merge-base branches. */
const cleanUp = async (
  ctx: MissionContext,
  wpIds: readonly string[],
  flags: { readonly deleteBranch: boolean; readonly removeWorktree: boolean },
  strategy: MergeStrategy,
  target: string,
  mergedByThisMerge: readonly string[],
): Promise<{ removedWorktrees: string[]; deletedBranches: string[]; warnings: string[] }> => {
  const root = ctx.repo.mainRoot;
  const removedWorktrees: string[] = [];
  const deletedBranches: string[] = [];
  const warnings: string[] = [];
  const worktrees: readonly WorktreeInfo[] = await listWorktrees(root);
  for (const wpId of wpIds) {
    const path = workspacePath(ctx, wpId);
    const branch = workspaceName(ctx, wpId);
    if (flags.removeWorktree && findWorktree(worktrees, path) !== undefined) {
      const r = await git(root, ["worktree", "remove", path], { allowFail: true });
      if (r.code === 0) {
        removedWorktrees.push(relative(root, path));
        rmSync(contextFilePath(ctx, wpId), { force: true });
      } else warnings.push(`could not remove ${relative(root, path)}: ${r.stderr.trim().split("\n")[0] ?? ""}`);
    }
    if (flags.deleteBranch && (await branchExists(root, branch)) && !worktrees.some((w) => w.branch === branch && !samePath(w.path, path))) {
      if (!flags.removeWorktree && findWorktree(await listWorktrees(root), path) !== undefined) continue;
      // A squashed branch is not an ancestor of the target: it is deleted by force once it was merged.
      const safe = (await isAncestor(root, branch, target)) || (strategy === "squash" && mergedByThisMerge.includes(wpId));
      if (safe) {
        const r = await git(root, ["branch", "-D", branch], { allowFail: true });
        if (r.code === 0) deletedBranches.push(branch);
      } else warnings.push(`kept branch ${branch}: it is not merged into ${target}`);
    }
    const mb = mergeBaseBranch(ctx, wpId);
    if ((await revParse(root, `refs/heads/${mb}`)) !== null && (flags.removeWorktree || !existsSync(path))) {
      const r = await git(root, ["branch", "-D", mb], { allowFail: true });
      if (r.code === 0) deletedBranches.push(mb);
    }
  }
  return { removedWorktrees, deletedBranches, warnings };
};

/** `--abort`: abandons a merge in progress and resets the target to where it was before the merge started. */
const abort = async (o: MergeOptions, root: string, statePath: string, state: MergeState | null): Promise<MergeResult> => {
  const empty = {
    strategy: state?.strategy ?? o.strategy ?? "merge",
    plan: [],
    merged: [],
    transitions: [],
    missionNumber: null,
    missionNumberAssigned: false,
    missionClosed: false,
    pushed: false,
    removedWorktrees: [],
    deletedBranches: [],
    warnings: [],
  } as const;
  if (state === null) {
    return { ...empty, status: "nothing-to-abort", missionSlug: "", missionDir: "", targetBranch: "", workspace: null };
  }
  const workspace = state.workspace;
  if (existsSync(workspace)) {
    if (await mergeInProgress(workspace)) await git(workspace, ["merge", "--abort"]);
    const branch = (await git(workspace, ["symbolic-ref", "--quiet", "--short", "HEAD"], { allowFail: true })).stdout.trim();
    if (branch !== state.target_branch) {
      throw new WorkflowError({
        code: "MERGE_WORKSPACE_MOVED",
        message: `${workspace} has ${branch || "a detached HEAD"} checked out, not ${state.target_branch}; nothing was reset`,
        hint: `check out ${state.target_branch} there and run 'spec-kitty merge --abort' again`,
      });
    }
    // --merge: also clears a conflicted squash (no MERGE_HEAD) and keeps unrelated local changes.
    await git(workspace, ["reset", "--merge", state.target_start]);
    if (state.merge_worktree_created) {
      await git(root, ["worktree", "remove", "--force", workspace], { allowFail: true });
      await git(root, ["worktree", "prune"], { allowFail: true });
    }
  } else {
    await git(root, ["update-ref", `refs/heads/${state.target_branch}`, state.target_start]);
  }
  rmSync(statePath, { force: true });
  return { ...empty, status: "aborted", missionSlug: state.mission_slug, missionDir: state.feature_slug, targetBranch: state.target_branch, workspace };
};
