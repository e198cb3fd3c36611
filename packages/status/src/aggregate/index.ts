/** The MissionStatus aggregate: mission resolution, fail-closed topology, reads, and the only write path. */
export { MissionStatus } from "./mission-status.ts";
export type {
  ActiveWPStatus,
  AnnotationOutcome,
  BatchOutcome,
  CommitReceipt,
  MissionStatusOptions,
  PostCommitEvent,
  PostCommitHook,
  StageProbe,
  TransactionStage,
  TransitionOutcome,
  TransitionRequest,
} from "./types.ts";
export type { ResolvedTopology, Topology, WriteTarget } from "./topology.ts";
export type { ValidationFinding, ValidationReport } from "./validate-log.ts";
export {
  BookkeepingError,
  CanonicalStatusNotFound,
  CoordAuthorityUnavailable,
  CoordinationBranchDeleted,
  InvalidMissionSlug,
  InvalidTransitionRequest,
  MissionMetadataUnavailable,
  MissionNotFound,
  MissionSelectorAmbiguous,
  TransitionError,
} from "./errors.ts";
export type { BookkeepingErrorCode } from "./errors.ts";
export { matchMissionHandle } from "./handle.ts";
export { parseTasksSection, readSubtaskRoster, subtasksComplete, type SubtaskRoster } from "./roster.ts";
export type { MissionCandidate } from "./handle.ts";
