import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { RepositoryLocation, WorktreeEntry } from "../internal/git.ts";
import { branchHead } from "../internal/git.ts";
import { CoordinationBranchDeleted, coordUnavailable } from "./errors.ts";
import type { MissionMeta } from "./meta.ts";

/**
 * Where a mission's status is read and where writes to it are committed, decided once from meta.json
 * and a few facts about the repository. The decision is a pure function of those facts (the truth
 * table below); gathering the facts is the only I/O.
 *
 * | coordination declared | facts                                         | outcome                               |
 * |-----------------------|-----------------------------------------------|---------------------------------------|
 * | no                    | target branch checked out in worktree W       | legacy: read and commit in W          |
 * | no                    | target branch checked out nowhere             | legacy: read primary, writes refused  |
 * | no                    | not a git work tree                           | legacy: read and write, no commit     |
 * | yes                   | branch missing                                | CoordinationBranchDeleted             |
 * | yes                   | worktree dir absent                           | pending: read primary, first write creates the worktree |
 * | yes                   | worktree dir empty / without the mission dir  | CoordAuthorityUnavailable             |
 * | yes                   | dir not registered with the branch            | CoordAuthorityUnavailable             |
 * | yes                   | registered worktree with the mission dir      | coordination: read and commit there   |
 * | yes                   | not a git work tree                           | CoordAuthorityUnavailable             |
 */

export type Topology = "legacy" | "coordination";

/** How a write reaches git. */
export type WriteTarget =
  /** Commit on `branch`, checked out in `worktree`, which holds `missionDir`. */
  | { readonly kind: "commit"; readonly missionDir: string; readonly worktree: string; readonly branch: string }
  /** Create the coordination worktree on `branch` at `worktree` first (the first write of the mission). */
  | { readonly kind: "create-coordination-worktree"; readonly missionDir: string; readonly worktree: string; readonly branch: string }
  /** Not a git work tree: write the files, commit nothing. */
  | { readonly kind: "uncommitted"; readonly missionDir: string }
  /** Writes are refused (the destination branch is not checked out anywhere); `reason` says why. */
  | { readonly kind: "refused"; readonly branch: string; readonly reason: string };

export interface ResolvedTopology {
  readonly topology: Topology;
  /** Directory holding status.events.jsonl and status.json, as things are now. */
  readonly readDir: string;
  readonly coordinationBranch: string | null;
  /** For coordination topology: whether the worktree exists yet. */
  readonly coordinationWorktree: "materialized" | "pending" | null;
  readonly write: WriteTarget;
}

/** Facts about the repository the decision depends on; gathered by `gatherTopologyFacts`. */
export interface TopologyFacts {
  /** The primary checkout (the main worktree), or the given root when not a git work tree. */
  readonly primaryRoot: string;
  /** Directory name of the mission under kitty-specs/. */
  readonly missionDir: string;
  readonly worktrees: readonly WorktreeEntry[] | null;
  /** Only gathered when coordination is declared. */
  readonly coordination: {
    readonly branchExists: boolean;
    readonly worktreePath: string;
    readonly missionDirName: string;
    readonly worktreeDir: "absent" | "empty" | "without-mission-dir" | "present";
  } | null;
  /** Only gathered for legacy missions whose target branch is checked out nowhere. */
  readonly targetBranchExists: boolean | null;
}

/** The coordination directory name: the slug verbatim when it already ends in -<mid8> (no NNN- strip). */
export const coordinationDirName = (missionSlug: string, missionId: string): string => {
  const mid8 = missionId.slice(0, 8);
  return missionSlug.endsWith(`-${mid8}`) ? missionSlug : `${missionSlug}-${mid8}`;
};

/** The pure decision; throws CoordinationBranchDeleted or CoordAuthorityUnavailable (fail closed). */
export const resolveTopology = (meta: MissionMeta, facts: TopologyFacts): ResolvedTopology => {
  const primaryDir = join(facts.primaryRoot, "kitty-specs", facts.missionDir);
  if (meta.coordinationBranch === null) return resolveLegacy(meta, facts, primaryDir);
  const branch = meta.coordinationBranch;
  const coord = facts.coordination;
  if (facts.worktrees === null || coord === null) {
    throw coordUnavailable(meta.missionSlug, "(none)", primaryDir, "the mission declares a coordination branch but this is not a git work tree");
  }
  const coordMissionDir = join(coord.worktreePath, "kitty-specs", coord.missionDirName);
  if (!coord.branchExists) {
    throw new CoordinationBranchDeleted({
      missionSlug: meta.missionSlug,
      branch,
      message:
        `coordination branch '${branch}' of mission '${meta.missionSlug}' is declared in meta.json but does not exist; ` +
        `its status history may be lost: restore the branch (e.g. from a remote) or flatten the mission`,
    });
  }
  const unavailable = (reason: string) => coordUnavailable(meta.missionSlug, coordMissionDir, primaryDir, reason);
  if (coord.worktreeDir === "absent") {
    // The create-to-first-write window: the primary checkout is still the authority.
    return {
      topology: "coordination",
      readDir: primaryDir,
      coordinationBranch: branch,
      coordinationWorktree: "pending",
      write: { kind: "create-coordination-worktree", missionDir: coordMissionDir, worktree: coord.worktreePath, branch },
    };
  }
  if (coord.worktreeDir === "empty") throw unavailable("the coordination worktree directory exists but is empty");
  const registered = facts.worktrees.find((w) => samePath(w.path, coord.worktreePath));
  if (registered === undefined) throw unavailable("the directory is not a registered git worktree");
  if (registered.branch !== `refs/heads/${branch}`) {
    throw unavailable(`the worktree has ${registered.branch ?? "a detached HEAD"} checked out instead of refs/heads/${branch}`);
  }
  if (coord.worktreeDir === "without-mission-dir") {
    throw unavailable(`the coordination worktree has no kitty-specs/${coord.missionDirName}`);
  }
  return {
    topology: "coordination",
    readDir: coordMissionDir,
    coordinationBranch: branch,
    coordinationWorktree: "materialized",
    write: { kind: "commit", missionDir: coordMissionDir, worktree: coord.worktreePath, branch },
  };
};

const resolveLegacy = (meta: MissionMeta, facts: TopologyFacts, primaryDir: string): ResolvedTopology => {
  const base = { topology: "legacy" as const, coordinationBranch: null, coordinationWorktree: null };
  if (facts.worktrees === null) return { ...base, readDir: primaryDir, write: { kind: "uncommitted", missionDir: primaryDir } };
  const branch = meta.targetBranch;
  const holder = checkedOutIn(facts.worktrees, branch, facts.primaryRoot);
  if (holder !== null) {
    const missionDir = join(holder, "kitty-specs", facts.missionDir);
    return { ...base, readDir: missionDir, write: { kind: "commit", missionDir, worktree: holder, branch } };
  }
  const primaryBranch = facts.worktrees.find((w) => samePath(w.path, facts.primaryRoot))?.branch ?? null;
  const reason =
    facts.targetBranchExists === false
      ? `the mission's target branch '${branch}' does not exist`
      : `the mission's target branch '${branch}' is not checked out in any worktree ` +
        `(the primary checkout has ${primaryBranch === null ? "a detached HEAD" : primaryBranch.replace(/^refs\/heads\//, "")}); ` +
        `check it out (git switch ${branch}) to record status`;
  return { ...base, readDir: primaryDir, write: { kind: "refused", branch, reason } };
};

/** The worktree with `branch` checked out, the primary checkout first. */
const checkedOutIn = (worktrees: readonly WorktreeEntry[], branch: string, primaryRoot: string): string | null => {
  const ref = `refs/heads/${branch}`;
  const holders = worktrees.filter((w) => !w.bare && w.branch === ref);
  const primary = holders.find((w) => samePath(w.path, primaryRoot));
  return (primary ?? holders[0])?.path ?? null;
};

/** The primary checkout of a repository: its main worktree, unless that one is bare. */
export const primaryCheckout = (repo: RepositoryLocation, fallback: string): string => {
  const main = repo.worktrees[0];
  return main !== undefined && !main.bare ? main.path : fallback;
};

/** Gathers the facts `resolveTopology` needs, touching git only where the decision depends on it. */
export const gatherTopologyFacts = async (
  meta: MissionMeta,
  missionDir: string,
  primaryRoot: string,
  repo: RepositoryLocation | null,
): Promise<TopologyFacts> => {
  const worktrees = repo?.worktrees ?? null;
  if (meta.coordinationBranch === null || meta.missionId === null || worktrees === null) {
    let targetBranchExists: boolean | null = null;
    if (worktrees !== null && checkedOutIn(worktrees, meta.targetBranch, primaryRoot) === null) {
      targetBranchExists = (await branchHead(primaryRoot, meta.targetBranch)) !== null;
    }
    return { primaryRoot, missionDir, worktrees, coordination: null, targetBranchExists };
  }
  const missionDirName = coordinationDirName(meta.missionSlug, meta.missionId);
  const worktreePath = join(primaryRoot, ".worktrees", `${missionDirName}-coord`);
  const branchRef = `refs/heads/${meta.coordinationBranch}`;
  const branchExists =
    worktrees.some((w) => w.branch === branchRef) || (await branchHead(primaryRoot, meta.coordinationBranch)) !== null;
  return {
    primaryRoot,
    missionDir,
    worktrees,
    coordination: { branchExists, worktreePath, missionDirName, worktreeDir: inspectDir(worktreePath, missionDirName) },
    targetBranchExists: null,
  };
};

const inspectDir = (worktreePath: string, missionDirName: string): "absent" | "empty" | "without-mission-dir" | "present" => {
  let entries: string[];
  try {
    entries = readdirSync(worktreePath);
  } catch {
    return "absent";
  }
  if (entries.length === 0) return "empty";
  try {
    return statSync(join(worktreePath, "kitty-specs", missionDirName)).isDirectory() ? "present" : "without-mission-dir";
  } catch {
    return "without-mission-dir";
  }
};

const samePath = (a: string, b: string): boolean => resolve(a) === resolve(b);
