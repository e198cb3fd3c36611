import * as Data from "effect/Data";
import type { TransitionRejection } from "../fsm/index.ts";

/**
 * The typed failures of MissionStatus and its bookkeeping. Each carries a stable machine `code` and a
 * message that says what is wrong, where, and what to do. Topology errors fail closed: the aggregate
 * never falls back to a possibly stale primary checkout.
 */

/** No mission under kitty-specs/ matches the handle. */
export class MissionNotFound extends Data.TaggedError("MissionNotFound")<{
  readonly handle: string;
  readonly kittySpecs: string;
  readonly message: string;
}> {
  readonly code = "MISSION_NOT_FOUND" as const;
}

/** More than one mission matches the handle; nothing is picked silently. */
export class MissionSelectorAmbiguous extends Data.TaggedError("MissionSelectorAmbiguous")<{
  readonly handle: string;
  readonly candidates: readonly string[];
  readonly message: string;
}> {
  readonly code = "MISSION_SELECTOR_AMBIGUOUS" as const;
}

/** The handle is not a safe single path segment (separators, `..`, a leading dot, non-ASCII). */
export class InvalidMissionSlug extends Data.TaggedError("InvalidMissionSlug")<{
  readonly handle: string;
  readonly reason: string;
  readonly message: string;
}> {
  readonly code = "INVALID_MISSION_SLUG" as const;
}

/** meta.json is missing, unparseable or wrongly typed: the topology cannot be decided. */
export class MissionMetadataUnavailable extends Data.TaggedError("MissionMetadataUnavailable")<{
  readonly missionSlug: string;
  readonly metaPath: string;
  readonly reason: string;
  readonly message: string;
}> {
  readonly code = "MISSION_METADATA_UNAVAILABLE" as const;
}

/** The mission declares a coordination branch whose worktree exists but cannot serve as the authority. */
export class CoordAuthorityUnavailable extends Data.TaggedError("CoordAuthorityUnavailable")<{
  readonly missionSlug: string;
  readonly coordCandidate: string;
  readonly primaryCandidate: string;
  readonly reason: string;
  readonly message: string;
}> {
  readonly code = "COORD_AUTHORITY_UNAVAILABLE" as const;
}

/** The declared coordination branch no longer exists: the status history on it may be lost. */
export class CoordinationBranchDeleted extends Data.TaggedError("CoordinationBranchDeleted")<{
  readonly missionSlug: string;
  readonly branch: string;
  readonly message: string;
}> {
  readonly code = "COORDINATION_BRANCH_DELETED" as const;
}

/** The mission has no status.events.jsonl: its work packages were never finalized. */
export class CanonicalStatusNotFound extends Data.TaggedError("CanonicalStatusNotFound")<{
  readonly missionSlug: string;
  readonly logPath: string;
  readonly message: string;
}> {
  readonly code = "CANONICAL_STATUS_NOT_FOUND" as const;
}

/** The FSM refused the transition; `message` is the guard's (the reference's) wording, verbatim. */
export class TransitionError extends Data.TaggedError("TransitionError")<{
  readonly wpId: string;
  readonly rejection: TransitionRejection;
  readonly message: string;
}> {
  get code(): TransitionRejection["code"] {
    return this.rejection.code;
  }
}

/** A request that cannot be turned into a log row (bad work package id, empty batch, blank actor). */
export class InvalidTransitionRequest extends Data.TaggedError("InvalidTransitionRequest")<{
  readonly field: string;
  readonly message: string;
}> {
  readonly code = "INVALID_TRANSITION_REQUEST" as const;
}

export type BookkeepingErrorCode =
  | "BOOKKEEPING_POLICY_REFUSED"
  | "BOOKKEEPING_LOCK_TIMEOUT"
  | "BOOKKEEPING_WORKTREE_MISSING"
  | "BOOKKEEPING_COMMIT_FAILED"
  | "BOOKKEEPING_DOUBLE_EVENT_ID"
  | "BOOKKEEPING_LEGACY_RESOLUTION_FAILED"
  | "BOOKKEEPING_WRITE_FAILED";

/**
 * The bookkeeping (lock, append, materialize, commit) failed. Whatever it had written was rolled
 * back byte for byte before this error was raised, unless `code` says otherwise in the message.
 */
export class BookkeepingError extends Data.TaggedError("BookkeepingError")<{
  readonly code: BookkeepingErrorCode;
  readonly message: string;
  readonly cause?: unknown;
}> {}

export const missionNotFound = (handle: string, kittySpecs: string, known: readonly string[]): MissionNotFound =>
  new MissionNotFound({
    handle,
    kittySpecs,
    message:
      `no mission matches '${handle}' under ${kittySpecs}` +
      (known.length === 0 ? " (no missions there)" : `; known missions: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", …" : ""}`),
  });

export const metadataUnavailable = (missionSlug: string, metaPath: string, reason: string): MissionMetadataUnavailable =>
  new MissionMetadataUnavailable({
    missionSlug,
    metaPath,
    reason,
    message: `mission metadata unavailable for '${missionSlug}' (${metaPath}): ${reason}; the status topology cannot be decided, nothing is read or written`,
  });

export const coordUnavailable = (
  missionSlug: string,
  coordCandidate: string,
  primaryCandidate: string,
  reason: string,
): CoordAuthorityUnavailable =>
  new CoordAuthorityUnavailable({
    missionSlug,
    coordCandidate,
    primaryCandidate,
    reason,
    message:
      `Coordination worktree unavailable for mission '${missionSlug}': ${reason}. Expected coord path: ${coordCandidate}. ` +
      `Primary checkout (stale, not used): ${primaryCandidate}. Either repair the coordination worktree ` +
      `or flatten the mission (remove coordination_branch from meta.json).`,
  });

export const bookkeeping = (code: BookkeepingErrorCode, message: string, cause?: unknown): BookkeepingError =>
  new BookkeepingError(cause === undefined ? { code, message } : { code, message, cause });
