import type { DoneEvidence, Lane, ReviewResult, Uninitialized } from "../fsm/index.ts";
import type { ActorField, InnerStateChangedRow, JsonObject, LaneTransitionRow, WpInnerStateDelta } from "../log/index.ts";

/** A request to move one work package to another lane. Field names are the domain's; rows are snake_case. */
export interface TransitionRequest {
  readonly wpId: string;
  /** The target lane; `doing` is accepted for in_progress. */
  readonly toLane: string;
  readonly actor: ActorField;
  readonly force?: boolean;
  readonly reason?: string | null;
  readonly reviewRef?: string | null;
  readonly evidence?: DoneEvidence | null;
  readonly reviewResult?: ReviewResult | null;
  /** Defaults to `<executionMode>:<repository root>`. */
  readonly workspaceContext?: string | null;
  /** Inferred for in_progress -> for_review from the work package's subtask roster when not given. */
  readonly subtasksComplete?: boolean | null;
  /** Inferred for in_progress -> for_review (any earlier transition of the work package) when not given. */
  readonly implementationEvidencePresent?: boolean | null;
  readonly executionMode?: "worktree" | "direct_repo";
  readonly policyMetadata?: JsonObject | null;
  /** Runtime state recorded in the same atomic unit as the transition. */
  readonly annotation?: WpInnerStateDelta;
}

/** What a successful write produced, and where it went. */
export interface CommitReceipt {
  /** The new commit, or for a no-op the destination's current commit; null when nothing was committed. */
  readonly commitSha: string | null;
  readonly committedAt: string;
  /** Short branch name the commit landed on; null when not committed. */
  readonly destinationRef: string | null;
  /** The worktree whose files were written. */
  readonly worktreeRoot: string;
  readonly eventIds: readonly string[];
  /** True when nothing needed writing (an alias naming the current lane). */
  readonly isNoop: boolean;
  /** False when the files were written without a commit (not a git work tree) or nothing was written. */
  readonly committed: boolean;
  /** Why there is no commit, when there is none. */
  readonly note: string | null;
}

export interface TransitionOutcome {
  /** The row appended (for a no-op: the row that would have been, never persisted). */
  readonly event: LaneTransitionRow;
  readonly receipt: CommitReceipt;
}

export interface BatchOutcome {
  readonly events: readonly LaneTransitionRow[];
  readonly receipt: CommitReceipt;
}

export interface AnnotationOutcome {
  readonly annotation: InnerStateChangedRow;
  readonly receipt: CommitReceipt;
}

/** A read projection of one work package (the reference's `claim()`, which locks nothing). */
export interface ActiveWPStatus {
  readonly wpId: string;
  readonly currentLane: Lane | Uninitialized;
  /** The work package's last lane transition in file order, or null. */
  readonly lastEvent: LaneTransitionRow | null;
}

/** The steps of a write, reported to the stage probe as they complete. */
export type TransactionStage = "locked" | "appended" | "materialized" | "committed";

/**
 * Observes each completed step of a write. The test seam for faults: a probe that throws makes the
 * write fail at that point, and the bookkeeping must roll back (before the commit) or keep the commit.
 */
export type StageProbe = (stage: TransactionStage) => void | Promise<void>;

/** Called after a write has been persisted (committed, or written where there is no git); the sync seam. */
export type PostCommitHook = (event: PostCommitEvent) => void | Promise<void>;

export interface PostCommitEvent {
  readonly missionSlug: string;
  readonly missionId: string | null;
  readonly receipt: CommitReceipt;
  readonly rows: readonly (LaneTransitionRow | InnerStateChangedRow)[];
}

/** The ports a MissionStatus runs with; every field has a production default. */
export interface MissionStatusOptions {
  /** ISO-8601 UTC timestamps with microseconds (default: the system clock). */
  readonly clock?: () => string;
  /** New event ids (default: monotonic ULIDs). */
  readonly newEventId?: () => string;
  /** How long a write waits for the mission's lock (default 30 000 ms). */
  readonly lockTimeoutMs?: number;
  readonly stageProbe?: StageProbe;
  readonly postCommitHooks?: readonly PostCommitHook[];
  /** Hook failures never fail the write; they are reported here (default: ignored). */
  readonly onPostCommitHookFailure?: (error: unknown) => void;
}
