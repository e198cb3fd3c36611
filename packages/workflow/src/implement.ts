import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, relative } from "node:path";
import type { LaneTransitionRow, MissionStatusOptions, StatusSnapshot, TransitionRequest } from "@spec-kitty/status";
import type { WorkflowEmitter } from "./emit.ts";
import { WorkflowError } from "./errors.ts";
import { writeFileAtomic } from "./files.ts";
import { frontList, parseFront, splitFrontmatter } from "./frontmatter.ts";
import { branchExists, git, gitOut, requireRepo, revParse } from "./git.ts";
import { findWorkPackageFile, missionStatus, openMission, type MissionContext } from "./mission.ts";
import {
  LOCAL_STATE_EXCLUDES,
  contextFilePath,
  ensureLocalExcludes,
  excludeKittySpecs,
  findWorktree,
  listWorktrees,
  mergeBaseBranch,
  statusCall,
  workspaceName,
  workspacePath,
} from "./workspace.ts";

/**
 * `spec-kitty implement WPnn`: the work package's worktree `.worktrees/<mission dir>-WPnn` on a branch of the same
 * name, based as the reference decides (§2.3: no dependency → the target branch; one → its workspace branch, or
 * the target when it is done; several → the target when all are done (with --force), else a multi-parent merge
 * base built with plumbing), and the lane change `planned → claimed → in_progress` as one MissionStatus batch.
 * The user's checkout is never switched; a re-run on an existing worktree reuses it and changes nothing.
 */
export interface ImplementOptions {
  readonly cwd: string;
  readonly mission?: string;
  readonly wpId: string;
  /** Branch from this WP's workspace (or the target branch when that WP is done). */
  readonly base?: string;
  /** Proceed when several dependencies are all done (branch from the target). */
  readonly force?: boolean;
  readonly actor: string;
  readonly emitter: WorkflowEmitter;
  readonly statusOptions?: MissionStatusOptions;
  /** Recorded as `shell_pid` in the claim's policy metadata (default: the parent process). */
  readonly shellPid?: number;
}

export interface ImplementResult {
  readonly missionSlug: string;
  readonly wpId: string;
  /** Absolute. */
  readonly workspacePath: string;
  readonly branch: string;
  /** The branch the workspace was created from. */
  readonly base: string;
  readonly baseCommit: string;
  readonly status: "created" | "reused";
  readonly transitions: readonly LaneTransitionRow[];
  /** Non-fatal problems (a base that is not a declared dependency, a reused workspace whose base moved). */
  readonly warnings: readonly string[];
  /** How the base was chosen, when it was not simply the target branch. */
  readonly notes: readonly string[];
  /** Dependencies of the work package, from its front matter. */
  readonly dependencies: readonly string[];
}

/** The workspace context file `.kittify/workspaces/<name>.json` (the reference's fields). */
export interface WorkspaceContext {
  readonly wp_id: string;
  readonly feature_slug: string;
  readonly mission_slug: string;
  readonly worktree_path: string;
  readonly branch_name: string;
  readonly base_branch: string;
  readonly base_commit: string;
  readonly dependencies: readonly string[];
  readonly created_at: string;
  readonly created_by: "implement-command" | "implement-command-multi-parent-merge";
  readonly vcs_backend: "git";
}

const PRIMARY_BRANCHES = ["main", "master"] as const;

/** The dependencies a WP file declares in its front matter (`dependencies: [WP01]`). */
export const wpDependencies = (path: string): readonly string[] => {
  const file = splitFrontmatter(readFileSync(path, "utf8"), path);
  return frontList(parseFront(file), "dependencies", file) ?? [];
};

export const readWorkspaceContext = (path: string): WorkspaceContext | null => {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as WorkspaceContext;
  } catch {
    return null;
  }
};

interface BaseDecision {
  readonly branch: string;
  /** Set when the base is a multi-parent merge of these branches (built later). */
  readonly mergeOf: readonly { readonly wpId: string; readonly branch: string }[] | null;
  readonly note: string | null;
}

const laneOf = (snapshot: StatusSnapshot, wpId: string): string => snapshot.work_packages[wpId]?.lane ?? "uninitialized";

export const implement = async (o: ImplementOptions): Promise<ImplementResult> => {
  const repo = requireRepo(o.cwd);
  if (repo.inWorktree) {
    throw new WorkflowError({
      code: "IMPLEMENT_IN_WORKTREE",
      message: `'implement' must run from the main repository, not from the worktree ${repo.worktreeRoot}`,
      hint: `cd ${repo.mainRoot}`,
    });
  }
  const ctx = await openMission(repo.mainRoot, o.mission);
  const wpFile = findWorkPackageFile(ctx, o.wpId);
  const dependencies = wpDependencies(wpFile.path);
  const status = await statusCall(() => missionStatus(ctx, o.statusOptions), o.wpId);
  const snapshot = await statusCall(() => status.snapshot(), o.wpId).catch((error: unknown) => {
    if (error instanceof WorkflowError && error.code === "CANONICAL_STATUS_NOT_FOUND") throw notFinalized(ctx, o.wpId);
    throw error;
  });
  const lane = laneOf(snapshot, o.wpId);
  if (lane === "uninitialized" || lane === "genesis") throw notFinalized(ctx, o.wpId);

  const name = workspaceName(ctx, o.wpId);
  const path = workspacePath(ctx, o.wpId);
  const warnings: string[] = [];
  const worktrees = await listWorktrees(repo.mainRoot);
  const existing = findWorktree(worktrees, path);
  if (existing !== undefined) return reuse(ctx, o, existing.branch ?? name, path, dependencies, snapshot);
  if (existsSync(path)) {
    throw new WorkflowError({
      code: "WORKSPACE_INVALID",
      message: `${relative(repo.mainRoot, path)} exists but is not a git worktree of this repository`,
      wpId: o.wpId,
      hint: `move it away or delete it, then run 'spec-kitty implement ${o.wpId}' again`,
    });
  }
  if (lane === "done" || lane === "canceled" || lane === "blocked") {
    throw new WorkflowError({
      code: "WP_NOT_IMPLEMENTABLE",
      message: `${o.wpId} is ${lane}; only a planned, claimed or active work package gets a workspace`,
      wpId: o.wpId,
      hint: lane === "blocked" ? `unblock it first: spec-kitty agent tasks move-task ${o.wpId} --to in_progress --mission ${ctx.dir}` : undefined,
    });
  }

  // The lane change must be committable before anything is created (legacy missions commit their status on the
  // target branch, which must be checked out somewhere).
  const write = status.resolvedTopology.write;
  if (write.kind === "refused") {
    throw new WorkflowError({
      code: "STATUS_NOT_WRITABLE",
      message: `cannot record ${o.wpId}'s lane change: ${write.reason}; nothing was created`,
      wpId: o.wpId,
      hint: `check out ${write.branch} in the main checkout or a worktree (create it from main first if it does not exist), then run implement again`,
    });
  }

  const decision = await chooseBase(ctx, o, dependencies, snapshot, warnings);

  // Everything is validated; from here on each write is undone if a later step fails.
  const undo: Array<() => Promise<void>> = [];
  const rollback = async (): Promise<void> => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
  };
  try {
    let baseBranch = decision.branch;
    if (decision.mergeOf !== null) {
      baseBranch = mergeBaseBranch(ctx, o.wpId);
      const created = await buildMergeBase(ctx, o.wpId, baseBranch, decision.mergeOf);
      if (created) undo.push(async () => void (await git(repo.mainRoot, ["branch", "-D", baseBranch], { allowFail: true })));
    } else if (baseBranch === ctx.targetBranch && !(await branchExists(repo.mainRoot, baseBranch))) {
      const primary = await firstExisting(repo.mainRoot, PRIMARY_BRANCHES);
      if (primary === null || (PRIMARY_BRANCHES as readonly string[]).includes(baseBranch)) {
        throw new WorkflowError({
          code: "TARGET_BRANCH_MISSING",
          message: `the mission's target branch '${baseBranch}' (${relative(repo.mainRoot, ctx.metaPath)} target_branch) does not exist, and there is no main or master to create it from`,
          wpId: o.wpId,
          field: "target_branch",
        });
      }
      await git(repo.mainRoot, ["branch", baseBranch, primary]);
      warnings.push(`created target branch ${baseBranch} from ${primary}`);
      undo.push(async () => void (await git(repo.mainRoot, ["branch", "-D", baseBranch], { allowFail: true })));
    }
    const baseCommit = await revParse(repo.mainRoot, baseBranch);
    if (baseCommit === null) {
      throw new WorkflowError({ code: "BASE_BRANCH_MISSING", message: `base branch '${baseBranch}' does not resolve to a commit`, wpId: o.wpId });
    }

    ensureLocalExcludes(repo.commonDir, LOCAL_STATE_EXCLUDES);
    mkdirSync(dirname(path), { recursive: true });
    const reuseBranch = await branchExists(repo.mainRoot, name);
    await git(repo.mainRoot, reuseBranch ? ["worktree", "add", path, name] : ["worktree", "add", "-b", name, path, baseCommit]);
    if (reuseBranch) warnings.push(`branch ${name} already existed; the workspace checks it out as it is`);
    undo.push(async () => {
      await git(repo.mainRoot, ["worktree", "remove", "--force", path], { allowFail: true });
      rmSync(path, { recursive: true, force: true });
      await git(repo.mainRoot, ["worktree", "prune"], { allowFail: true });
      if (!reuseBranch) await git(repo.mainRoot, ["branch", "-D", name], { allowFail: true });
    });
    await excludeKittySpecs(path);

    const now = (o.statusOptions?.clock ?? (() => new Date().toISOString()))();
    const contextPath = contextFilePath(ctx, o.wpId);
    const context: WorkspaceContext = {
      wp_id: o.wpId,
      feature_slug: ctx.dir,
      mission_slug: ctx.slug,
      worktree_path: relative(repo.mainRoot, path),
      branch_name: name,
      base_branch: baseBranch,
      base_commit: baseCommit,
      dependencies: [...dependencies],
      created_at: now,
      created_by: decision.mergeOf === null ? "implement-command" : "implement-command-multi-parent-merge",
      vcs_backend: "git",
    };
    mkdirSync(dirname(contextPath), { recursive: true });
    writeFileAtomic(contextPath, `${JSON.stringify(context, null, 2)}\n`);
    undo.push(async () => rmSync(contextPath, { force: true }));

    const transitions = await claim(status, o, lane, path);
    return {
      missionSlug: ctx.slug,
      wpId: o.wpId,
      workspacePath: path,
      branch: name,
      base: baseBranch,
      baseCommit,
      status: "created",
      transitions,
      warnings,
      notes: decision.note === null ? [] : [decision.note],
      dependencies,
    };
  } catch (error) {
    await rollback();
    throw error;
  }
};

const notFinalized = (ctx: MissionContext, wpId: string): WorkflowError =>
  new WorkflowError({
    code: "WP_NOT_FINALIZED",
    message: `${wpId} is not finalized: the status log of ${ctx.relPath} has no lane for it`,
    wpId,
    hint: `run 'spec-kitty agent mission finalize-tasks --mission ${ctx.dir}'`,
  });

/** planned → claimed → in_progress (or the remaining hop) in one batch; nothing for lanes past in_progress. */
const claim = async (
  status: Awaited<ReturnType<typeof missionStatus>>,
  o: ImplementOptions,
  lane: string,
  path: string,
): Promise<readonly LaneTransitionRow[]> => {
  const toInProgress: TransitionRequest = { wpId: o.wpId, toLane: "in_progress", actor: o.actor, workspaceContext: `worktree:${path}` };
  const requests: TransitionRequest[] =
    lane === "planned"
      ? [{ wpId: o.wpId, toLane: "claimed", actor: o.actor, policyMetadata: { agent: o.actor, shell_pid: o.shellPid ?? process.ppid } }, toInProgress]
      : lane === "claimed"
        ? [toInProgress]
        : [];
  if (requests.length === 0) return [];
  const { events } = await statusCall(() => status.transitionBatch(requests), o.wpId);
  return events;
};

const reuse = async (
  ctx: MissionContext,
  o: ImplementOptions,
  branch: string,
  path: string,
  dependencies: readonly string[],
  snapshot: StatusSnapshot,
): Promise<ImplementResult> => {
  const context = readWorkspaceContext(contextFilePath(ctx, o.wpId));
  const warnings: string[] = [];
  const base = context?.base_branch ?? ctx.targetBranch;
  const baseCommit = context?.base_commit ?? (await gitOut(path, ["rev-parse", "HEAD"]));
  if (context !== null) {
    const now = await revParse(ctx.repo.mainRoot, context.base_branch);
    // Status commits land on the target branch all the time; only a change outside kitty-specs/ is news.
    const moved =
      now !== null &&
      now !== context.base_commit &&
      (await git(ctx.repo.mainRoot, ["diff", "--quiet", context.base_commit, now, "--", ".", ":(exclude)kitty-specs"], { allowFail: true })).code === 1;
    if (moved) {
      warnings.push(`the base ${context.base_branch} moved since the workspace was created; to pick it up run 'git rebase ${context.base_branch}' in ${path}`);
    }
  }
  const lane = laneOf(snapshot, o.wpId);
  if (lane === "planned" || lane === "claimed") {
    warnings.push(`${o.wpId} is ${lane} although its workspace exists; move it with 'spec-kitty agent tasks move-task'`);
  }
  return { missionSlug: ctx.slug, wpId: o.wpId, workspacePath: path, branch, base, baseCommit, status: "reused", transitions: [], warnings, notes: [], dependencies };
};

const firstExisting = async (cwd: string, branches: readonly string[]): Promise<string | null> => {
  for (const b of branches) if (await branchExists(cwd, b)) return b;
  return null;
};

/** The branch of a dependency's workspace: the worktree's current branch, or an error saying how to create it. */
const workspaceBranch = async (ctx: MissionContext, wpId: string, lane: string, role: "base" | "dependency"): Promise<string> => {
  const path = workspacePath(ctx, wpId);
  const isDir = existsSync(path) && statSync(path).isDirectory();
  const ok = isDir && (await git(path, ["rev-parse", "--git-dir"], { allowFail: true })).code === 0;
  if (!ok) {
    throw new WorkflowError({
      code: "BASE_WORKSPACE_MISSING",
      message: `${role === "base" ? "Base" : "Dependency"} workspace ${wpId} does not exist (expected ${relative(ctx.repo.mainRoot, path)}); ${wpId} is in '${lane}' lane but workspace missing`,
      wpId,
      hint: `run 'spec-kitty implement ${wpId} --mission ${ctx.dir}' first`,
    });
  }
  const branch = (await git(path, ["symbolic-ref", "--quiet", "--short", "HEAD"], { allowFail: true })).stdout.trim();
  if (branch === "") {
    throw new WorkflowError({ code: "BASE_WORKSPACE_DETACHED", message: `the workspace of ${wpId} (${path}) has a detached HEAD`, wpId });
  }
  return branch;
};

const chooseBase = async (
  ctx: MissionContext,
  o: ImplementOptions,
  dependencies: readonly string[],
  snapshot: StatusSnapshot,
  warnings: string[],
): Promise<BaseDecision> => {
  const target = ctx.targetBranch;
  if (o.base !== undefined) {
    if (!/^WP\d{2}$/.test(o.base)) {
      throw new WorkflowError({ code: "INVALID_WP_ID", kind: "usage", message: `--base '${o.base}' is not a work package id (like WP01)` });
    }
    if (o.base === o.wpId) throw new WorkflowError({ code: "INVALID_BASE", kind: "usage", message: `${o.wpId} cannot be its own base` });
    try {
      findWorkPackageFile(ctx, o.base);
    } catch {
      throw new WorkflowError({ code: "BASE_NOT_FOUND", message: `Base work package ${o.base} does not exist in ${ctx.relPath}/tasks`, wpId: o.wpId });
    }
    if (!dependencies.includes(o.base)) warnings.push(`${o.base} is not a declared dependency of ${o.wpId} (dependencies: ${dependencies.join(", ") || "none"})`);
    const baseLane = laneOf(snapshot, o.base);
    if (baseLane === "done") return { branch: target, mergeOf: null, note: `${o.base} is done: branching from ${target}` };
    return { branch: await workspaceBranch(ctx, o.base, baseLane, "base"), mergeOf: null, note: null };
  }
  if (dependencies.length === 0) return { branch: target, mergeOf: null, note: null };
  if (dependencies.length === 1) {
    const dep = dependencies[0] as string;
    const depLane = laneOf(snapshot, dep);
    if (depLane === "done") return { branch: target, mergeOf: null, note: `${o.wpId} depends on ${dep}, which is done: branching from ${target}` };
    return { branch: await workspaceBranch(ctx, dep, depLane, "dependency"), mergeOf: null, note: `Auto-detected: ${o.wpId} depends on ${dep}` };
  }
  const sorted = [...dependencies].sort();
  const done = sorted.filter((d) => laneOf(snapshot, d) === "done");
  if (done.length === sorted.length) {
    if (o.force !== true) {
      throw new WorkflowError({
        code: "MULTI_PARENT_ALL_DONE",
        message: `Multi-parent dependencies (${sorted.join(", ")}) all done.`,
        wpId: o.wpId,
        hint: `merge them to ${target} first: 'spec-kitty merge --mission ${ctx.dir}', then run implement again; or pass --force to branch from ${target} now`,
      });
    }
    return { branch: target, mergeOf: null, note: `all dependencies done (--force): branching from ${target}` };
  }
  const parents: { wpId: string; branch: string }[] = [];
  for (const dep of sorted) {
    if (done.includes(dep)) continue;
    parents.push({ wpId: dep, branch: await workspaceBranch(ctx, dep, laneOf(snapshot, dep), "dependency") });
  }
  // Work of done dependencies is on the target branch already.
  if (done.length > 0) parents.push({ wpId: done.join("+"), branch: target });
  if (parents.length === 1) return { branch: (parents[0] as { branch: string }).branch, mergeOf: null, note: null };
  return { branch: "", mergeOf: parents, note: `${o.wpId} depends on ${sorted.join(", ")}: basing it on a merge of ${parents.map((p) => p.branch).join(", ")}` };
};

/**
 * Builds `<name>-merge-base` from the first parent with each other parent merged in, entirely with plumbing
 * (`git merge-tree --write-tree` + `commit-tree`): no checkout anywhere. A conflict leaves nothing behind and says
 * how to proceed. Returns whether the branch was created (false: it already pointed at the same merge).
 */
const buildMergeBase = async (
  ctx: MissionContext,
  wpId: string,
  branch: string,
  parents: readonly { readonly wpId: string; readonly branch: string }[],
): Promise<boolean> => {
  const root = ctx.repo.mainRoot;
  const [first, ...rest] = parents;
  if (first === undefined) throw new Error("a merge base needs parents");
  let head = await gitOut(root, ["rev-parse", `${first.branch}^{commit}`]);
  for (const parent of rest) {
    const other = await gitOut(root, ["rev-parse", `${parent.branch}^{commit}`]);
    const merged = await git(root, ["merge-tree", "--write-tree", "--name-only", "--no-messages", head, other], { allowFail: true });
    const lines = merged.stdout.split("\n").filter((l) => l !== "");
    if (merged.code === 1) {
      const files = lines.slice(1);
      throw new WorkflowError({
        code: "MERGE_BASE_CONFLICT",
        message: `cannot build the multi-parent base for ${wpId}: merging ${parent.branch} into ${first.branch}${rest.indexOf(parent) > 0 ? " (with the others)" : ""} conflicts in ${files.join(", ") || "some files"}; nothing was created`,
        wpId,
        details: { conflicts: files },
        hint:
          `resolve it yourself: in the workspace of ${first.wpId} run 'git merge ${parent.branch}', fix and commit, then 'spec-kitty implement ${wpId} --base ${first.wpId}'; ` +
          `or merge the dependencies first ('spec-kitty merge --mission ${ctx.dir}')`,
      });
    }
    if (merged.code !== 0 || lines[0] === undefined) {
      throw new WorkflowError({ code: "GIT_FAILED", message: `git merge-tree failed (exit ${merged.code}): ${merged.stderr.trim()}`, wpId });
    }
    head = await gitOut(root, ["commit-tree", lines[0], "-p", head, "-p", other, "-m", `Merge ${parent.branch} into multi-parent base for ${wpId}`]);
  }
  const before = await revParse(root, `refs/heads/${branch}`);
  await git(root, ["update-ref", `refs/heads/${branch}`, head]);
  return before === null;
};
