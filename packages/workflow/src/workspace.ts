import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { WorkflowError } from "./errors.ts";
import { git, gitOut } from "./git.ts";
import type { MissionContext } from "./mission.ts";

/**
 * The per-WP workspaces of a mission (the reference's naming): worktree `.worktrees/<mission dir>-WPnn` on a branch
 * of the same name, its context file `.kittify/workspaces/<name>.json`, and the multi-parent base branch
 * `<name>-merge-base`. Shared by implement and merge.
 */
export const WORKTREES_DIR = ".worktrees";
export const WORKSPACES_DIR = join(".kittify", "workspaces");

export const workspaceName = (mission: Pick<MissionContext, "dir">, wpId: string): string => `${mission.dir}-${wpId}`;
export const workspacePath = (mission: Pick<MissionContext, "repo" | "dir">, wpId: string): string =>
  join(mission.repo.mainRoot, WORKTREES_DIR, workspaceName(mission, wpId));
export const mergeBaseBranch = (mission: Pick<MissionContext, "dir">, wpId: string): string => `${workspaceName(mission, wpId)}-merge-base`;
export const contextFilePath = (mission: Pick<MissionContext, "repo" | "dir">, wpId: string): string =>
  join(mission.repo.mainRoot, WORKSPACES_DIR, `${workspaceName(mission, wpId)}.json`);

/** One entry of `git worktree list --porcelain`. */
export interface WorktreeInfo {
  readonly path: string;
  readonly head: string | null;
  /** Short branch name, or null when detached. */
  readonly branch: string | null;
}

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

export const samePath = (a: string, b: string): boolean => real(a) === real(b);

export const listWorktrees = async (cwd: string): Promise<readonly WorktreeInfo[]> => {
  const out = await gitOut(cwd, ["worktree", "list", "--porcelain"]);
  const entries: WorktreeInfo[] = [];
  for (const block of out.split(/\n\n+/)) {
    let path: string | null = null;
    let head: string | null = null;
    let branch: string | null = null;
    for (const line of block.split("\n")) {
      if (line.startsWith("worktree ")) path = line.slice("worktree ".length);
      else if (line.startsWith("HEAD ")) head = line.slice(5);
      else if (line.startsWith("branch ")) branch = line.slice(7).replace(/^refs\/heads\//, "");
    }
    if (path !== null) entries.push({ path, head, branch });
  }
  return entries;
};

export const findWorktree = (worktrees: readonly WorktreeInfo[], path: string): WorktreeInfo | undefined =>
  worktrees.find((w) => samePath(w.path, path));

/** The worktree that has `branch` checked out, the main checkout first. */
export const worktreeWithBranch = (worktrees: readonly WorktreeInfo[], branch: string): WorktreeInfo | undefined =>
  worktrees.find((w) => w.branch === branch);

/**
 * Adds `lines` to the repository's local exclude file (`<common git dir>/info/exclude`, never the tracked
 * .gitignore) when they are not there yet. Used for the machine-local state implement and merge keep in the main
 * checkout (.worktrees/, .kittify/workspaces/, .kittify/merge-state.json), so they never make it dirty.
 */
export const ensureLocalExcludes = (commonDir: string, lines: readonly string[]): void => {
  const path = join(commonDir, "info", "exclude");
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  const have = new Set(existing.split("\n").map((l) => l.trim()));
  const missing = lines.filter((l) => !have.has(l));
  if (missing.length === 0) return;
  mkdirSync(dirname(path), { recursive: true });
  const prefix = existing === "" || existing.endsWith("\n") ? "" : "\n";
  appendFileSync(path, `${prefix}# spec-kitty: machine-local workspace state\n${missing.join("\n")}\n`);
};

export const LOCAL_STATE_EXCLUDES = ["/.worktrees/", "/.kittify/workspaces/", "/.kittify/merge-state.json"] as const;

/**
 * Keeps `kitty-specs/` out of a WP worktree: a per-worktree sparse checkout (the mission's planning files and its
 * status log live in the main checkout; a WP branch never carries edits to them) and a per-worktree exclude file
 * so an untracked `kitty-specs/` created there is ignored too. The shared configuration and the tracked
 * .gitignore are left alone (the reference's #120).
 */
export const excludeKittySpecs = async (worktree: string): Promise<void> => {
  await git(worktree, ["sparse-checkout", "set", "--no-cone", "/*", "!/kitty-specs/"]);
  // The worktree's own git dir, from its `.git` file (no git process needed).
  const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(join(worktree, ".git"), "utf8"))?.[1]?.trim();
  const gitDir = pointer === undefined ? await gitOut(worktree, ["rev-parse", "--absolute-git-dir"]) : resolve(worktree, pointer);
  const exclude = join(gitDir, "info", "exclude");
  mkdirSync(dirname(exclude), { recursive: true });
  if (!existsSync(exclude) || !readFileSync(exclude, "utf8").includes("/kitty-specs/")) appendFileSync(exclude, "/kitty-specs/\n");
  await git(worktree, ["config", "--worktree", "core.excludesFile", exclude]);
};

/** Throws a domain WorkflowError for anything a status-package call throws that carries a code. */
export const statusCall = async <A>(f: () => Promise<A>, wpId?: string): Promise<A> => {
  try {
    return await f();
  } catch (error) {
    if (error instanceof WorkflowError) throw error;
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (typeof code === "string") throw new WorkflowError({ code, message, ...(wpId === undefined ? {} : { wpId }) });
    throw error;
  }
};
