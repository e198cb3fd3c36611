/** Lanes, the WPStatusChanged contract, the lane rules and the status reducer. */
export {
  LANES,
  Lane,
  TERMINAL_LANES,
  NON_DISPLAY_LANES,
  DISPLAY_LANES,
  LANE_ALIASES,
  WP_STATUS_CHANGED,
  UnknownLaneError,
  isLane,
  normalizeLane,
  LaneWithAlias,
  ExecutionMode,
  SyncLaneV1,
  SyncLaneV2,
  CANONICAL_TO_SYNC_V1,
  CANONICAL_TO_SYNC_V2,
  canonicalToSyncV1,
  canonicalToSyncV2,
} from "./lanes.ts";
export {
  RepoEvidence,
  VerificationEntry,
  ReviewVerdict,
  DoneEvidence,
  ForceMetadata,
  encodeDoneEvidence,
} from "./evidence.ts";
export type { DoneEvidenceEncoded } from "./evidence.ts";
export {
  TransitionActor,
  StatusTransitionPayload,
  StatusTransitionPayloadWire,
  isBootstrapPlannedEvent,
  actorLabel,
} from "./payload.ts";
export type { TransitionValidationResult, TransitionFields, LaneEdge } from "./transition.ts";
export {
  ALLOWED_TRANSITIONS,
  REVIEW_REJECTION_FAMILY,
  validateTransition,
  isAllowedEdge,
  renderLane,
} from "./transition.ts";
export {
  WPState,
  TransitionAnomaly,
  ReducedStatus,
  EMPTY_REDUCED_STATUS,
  PAYLOAD_VALIDATION_FAILED,
  reduceStatusEvents,
  encodeReducedStatus,
} from "./reducer.ts";
export {
  WPStatusChangedPayload,
  WPStatusChangedModelPayload,
  STATUS_PAYLOAD_SCHEMAS,
  STATUS_MODEL_SCHEMAS,
} from "./registry.ts";
export type { Strictness } from "./fields.ts";
