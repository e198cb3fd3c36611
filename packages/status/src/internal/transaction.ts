import * as Either from "effect/Either";
import { existsSync, lstatSync, readFileSync, truncateSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import {
  BookkeepingError,
  bookkeeping,
  CanonicalStatusNotFound,
  CoordAuthorityUnavailable,
  CoordinationBranchDeleted,
  coordUnavailable,
  InvalidTransitionRequest,
  TransitionError,
} from "../aggregate/errors.ts";
import type { WriteTarget } from "../aggregate/topology.ts";
import type { CommitReceipt, PostCommitHook, StageProbe } from "../aggregate/types.ts";
import { appendRows, EVENTS_FILENAME, type ParsedLog, readEventLog, replaceAtomically, type StatusLogRow } from "../log/index.ts";
import { addWorktree, commitFiles, committerIdentity, GitCommandFailed, removeWorktree, worktreeHead } from "./git.ts";
import { SNAPSHOT_FILENAME } from "../reduce/index.ts";
import { parseMicros } from "./clock.ts";
import { acquireLock, missionLockPath } from "./lock.ts";

/**
 * The one way status files change: take the mission's cross-process lock, read the log again under it,
 * let the caller decide the rows against that fresh state, append them, materialize status.json, and
 * commit exactly those two files on the destination branch. Any failure before the commit lands undoes
 * the file changes byte for byte (the log truncated to its size before, status.json restored); git is
 * never asked to check anything out. Post-commit hooks run only once the write is persisted.
 * Internal to the package: MissionStatus is its only caller.
 */



export interface TransactionDeps {
  readonly lockTimeoutMs: number;
  /** ISO-8601 UTC with microseconds; the commit date. */
  readonly clock: () => string;
  /** Re-materializes status.json in a mission directory from its log. */
  readonly materialize: (missionDir: string) => void;
  readonly stageProbe?: StageProbe;
  readonly postCommitHooks: readonly PostCommitHook[];
  readonly onPostCommitHookFailure: (error: unknown) => void;
}

export interface TransactionScope {
  readonly missionSlug: string;
  readonly missionId: string | null;
  /** The repository's common git dir, or null when not a git work tree. */
  readonly commonDir: string | null;
  readonly primaryRoot: string;
  readonly write: WriteTarget;
  /** `status transition WP01`: the commit message is `chore(spec-kitty): <operation>`. */
  readonly operation: string;
}

/** Decides the rows to append from the log as read under the lock; throws to refuse, [] for a no-op. */
export type PrepareRows = (log: ParsedLog, missionDir: string) => readonly StatusLogRow[];

export interface TransactionResult {
  readonly rows: readonly StatusLogRow[];
  readonly receipt: CommitReceipt;
  /** Where the files were written (changes after the first write of a coordination mission). */
  readonly missionDir: string;
}

export const BookkeepingTransaction = {
  run: async (scope: TransactionScope, deps: TransactionDeps, prepare: PrepareRows): Promise<TransactionResult> => {
    const write = scope.write;
    if (write.kind === "refused") {
      throw bookkeeping("BOOKKEEPING_POLICY_REFUSED", `status of mission '${scope.missionSlug}' cannot be recorded: ${write.reason}`);
    }
    const lockPath =
      scope.commonDir !== null
        ? missionLockPath(scope.commonDir, scope.missionSlug)
        : join(scope.primaryRoot, ".spec-kitty-locks", `${scope.missionSlug}.status.lock`);
    // The committer identity costs a git process; ask for it now so it runs while the lock is taken and the log
    // is read. writeUnderLock awaits it (cached per worktree) before anything is written.
    if (write.kind !== "uncommitted") void committerIdentity(write.worktree).catch(() => undefined);
    const lock = await acquireLock(lockPath, { timeoutMs: deps.lockTimeoutMs, what: `mission '${scope.missionSlug}'` });
    try {
      await deps.stageProbe?.("locked");
      const missionDir = await ensureMissionDir(scope, write);
      return await writeUnderLock(scope, write, deps, prepare, missionDir);
    } finally {
      await lock.release();
    }
  },
};

const writeUnderLock = async (
  scope: TransactionScope,
  write: Exclude<WriteTarget, { kind: "refused" }>,
  deps: TransactionDeps,
  prepare: PrepareRows,
  missionDir: string,
): Promise<TransactionResult> => {
  const logPath = join(missionDir, EVENTS_FILENAME);
  const statusPath = join(missionDir, SNAPSHOT_FILENAME);
  const log = readEventLog(logPath);
  if (Either.isLeft(log)) throw log.left;
  if (!log.right.exists) {
    throw new CanonicalStatusNotFound({
      missionSlug: scope.missionSlug,
      logPath,
      message: `no status log at ${logPath}: the work packages of mission '${scope.missionSlug}' were never finalized (run finalize-tasks)`,
    });
  }
  const rows = prepare(log.right, missionDir);
  assertDistinctIds(rows);
  const committing = write.kind !== "uncommitted";
  const worktreeRoot = committing ? write.worktree : scope.primaryRoot;
  const branch = committing ? write.branch : null;
  const head = committing ? await destinationHead(write.worktree, write.branch) : null;
  // Asked for before the lock (see run); a missing identity fails here, before anything is written.
  const identity = committing ? committerIdentity(write.worktree) : Promise.resolve("");
  if (committing) {
    try {
      await identity;
    } catch (error) {
      throw asBookkeepingError(error, scope);
    }
  }
  const at = deps.clock();
  if (rows.length === 0) {
    return {
      rows,
      missionDir,
      receipt: receipt({ commitSha: head, committedAt: at, destinationRef: branch, worktreeRoot, eventIds: [], isNoop: true, committed: false, note: "nothing to write" }),
    };
  }

  const logBefore = sizeOf(logPath);
  const statusBefore = existsSync(statusPath) ? readFileSync(statusPath) : null;
  let commitSha: string | null = null;
  try {
    appendRows(logPath, rows);
    await deps.stageProbe?.("appended");
    deps.materialize(missionDir);
    await deps.stageProbe?.("materialized");
    if (committing) {
      commitSha = await commitFiles({
        worktree: write.worktree,
        branch: write.branch,
        expectedHead: head,
        paths: [logPath, statusPath],
        message: `chore(spec-kitty): ${scope.operation}`,
        epochSeconds: epochSeconds(at),
        identity: await identity,
      });
    }
  } catch (error) {
    try {
      rollBack(logPath, logBefore, statusPath, statusBefore);
    } catch (rollbackError) {
      throw bookkeeping(
        "BOOKKEEPING_WRITE_FAILED",
        `writing the status of mission '${scope.missionSlug}' failed (${messageOf(error)}) and restoring ${logPath} / ${statusPath} failed too (${messageOf(rollbackError)}); inspect them before the next write`,
        error,
      );
    }
    throw asBookkeepingError(error, scope);
  }

  const done = receipt({
    commitSha,
    committedAt: at,
    destinationRef: branch,
    worktreeRoot,
    eventIds: rows.map((r) => r.event_id),
    isNoop: false,
    committed: commitSha !== null,
    note: committing ? null : "not a git work tree: the status files were written without a commit",
  });
  await deps.stageProbe?.("committed");
  for (const hook of deps.postCommitHooks) {
    try {
      await hook({ missionSlug: scope.missionSlug, missionId: scope.missionId, receipt: done, rows });
    } catch (error) {
      deps.onPostCommitHookFailure(error);
    }
  }
  return { rows, receipt: done, missionDir };
};

/**
 * The directory to write in. For a coordination mission's first write, checks the coordination
 * branch out into its worktree (under the lock, so two first writers cannot race), and requires the
 * mission directory to be on that branch.
 */
const ensureMissionDir = async (scope: TransactionScope, write: Exclude<WriteTarget, { kind: "refused" }>): Promise<string> => {
  if (write.kind !== "create-coordination-worktree") return write.missionDir;
  if (!existsSync(write.worktree)) {
    try {
      await addWorktree(scope.primaryRoot, write.worktree, write.branch);
    } catch (error) {
      throw bookkeeping(
        "BOOKKEEPING_WORKTREE_MISSING",
        `cannot create the coordination worktree ${write.worktree} on ${write.branch}: ${messageOf(error)}`,
        error,
      );
    }
    if (!existsSync(write.missionDir)) {
      await removeWorktree(scope.primaryRoot, write.worktree);
      throw bookkeeping(
        "BOOKKEEPING_WORKTREE_MISSING",
        `coordination branch ${write.branch} has no ${write.missionDir.slice(write.worktree.length + 1)}; the worktree was not kept`,
      );
    }
    return write.missionDir;
  }
  // Another writer created it since this mission was loaded: it must now be a complete authority.
  const head = await worktreeHead(write.worktree).catch(() => ({ ref: null, commit: null }));
  if (head.ref !== `refs/heads/${write.branch}` || !existsSync(write.missionDir)) {
    throw coordUnavailable(scope.missionSlug, write.missionDir, join(scope.primaryRoot, "kitty-specs"), "the coordination worktree appeared but is not usable");
  }
  return write.missionDir;
};

/** The destination's current commit, after checking the worktree still has the branch checked out. */
const destinationHead = async (worktree: string, branch: string): Promise<string | null> => {
  const head = await worktreeHead(worktree);
  if (head.ref !== `refs/heads/${branch}`) {
    throw bookkeeping(
      "BOOKKEEPING_POLICY_REFUSED",
      `the worktree ${worktree} has ${head.ref ?? "a detached HEAD"} checked out, not refs/heads/${branch}; nothing was written`,
    );
  }
  return head.commit;
};

const rollBack = (logPath: string, logBefore: number | null, statusPath: string, statusBefore: Buffer | null): void => {
  if (logBefore === null) unlinkSync(logPath);
  else if (sizeOf(logPath) !== logBefore) truncateSync(logPath, logBefore);
  const statusNow = existsSync(statusPath) ? readFileSync(statusPath) : null;
  if (statusBefore === null) {
    if (statusNow !== null) unlinkSync(statusPath);
  } else if (statusNow === null || !statusNow.equals(statusBefore)) {
    replaceAtomically(statusPath, statusBefore);
  }
};

const asBookkeepingError = (error: unknown, scope: TransactionScope): unknown => {
  if (error instanceof BookkeepingError) return error;
  if (error instanceof GitCommandFailed) {
    return bookkeeping("BOOKKEEPING_COMMIT_FAILED", `the status commit for mission '${scope.missionSlug}' failed; the files were restored: ${error.message}`, error);
  }
  if (error instanceof TransitionError || error instanceof CoordAuthorityUnavailable || error instanceof CoordinationBranchDeleted) return error;
  return bookkeeping("BOOKKEEPING_WRITE_FAILED", `writing the status of mission '${scope.missionSlug}' failed; the files were restored: ${messageOf(error)}`, error);
};

const assertDistinctIds = (rows: readonly StatusLogRow[]): void => {
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.event_id)) throw bookkeeping("BOOKKEEPING_DOUBLE_EVENT_ID", `event id ${row.event_id} appears twice in one write`);
    seen.add(row.event_id);
  }
  if (rows.some((r) => r.event_id === "")) throw new InvalidTransitionRequest({ field: "event_id", message: "an event id is empty" });
};

const sizeOf = (path: string): number | null => {
  try {
    return lstatSync(path).size;
  } catch {
    return null;
  }
};

/** Git records whole seconds. */
const epochSeconds = (iso: string): number => Math.floor((parseMicros(iso) ?? Date.now() * 1000) / 1_000_000);

const receipt = (r: CommitReceipt): CommitReceipt => r;

const messageOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error);
