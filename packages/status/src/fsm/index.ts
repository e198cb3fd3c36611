/** The lane FSM of a work package: vocabulary, the transition table, guards and validation. Pure, no I/O. */
export {
  LANES,
  FROM_LANES,
  TERMINAL_LANES,
  NON_DISPLAY_LANES,
  LANE_ALIASES,
  UNINITIALIZED,
  resolveLaneAlias,
  isDisplayLane,
  isLane,
  isTerminalLane,
  isLegacyAliasNoop,
} from "./lanes.ts";
export type { DisplayLane, Lane, Uninitialized } from "./lanes.ts";
export type { DoneEvidence, RepoEvidence, ReviewApproval, ReviewResult, VerificationResult } from "./evidence.ts";
export { GUARDS, GuardMessages } from "./guards.ts";
export type { Guard, GuardId, GuardInput } from "./guards.ts";
export { TRANSITION_TABLE, allowedTargets, edgeGuard, allEdges } from "./table.ts";
export type { LaneRow, ProgressBucket } from "./table.ts";
export { validateTransition, FORCE_MESSAGE } from "./validate.ts";
export type { AcceptedTransition, TransitionRejection } from "./validate.ts";
export { renderFsmMarkdown, spliceFsmTable, FSM_TABLE_BEGIN, FSM_TABLE_END } from "./markdown.ts";
