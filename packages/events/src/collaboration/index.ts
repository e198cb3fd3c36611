/**
 * Collaboration (feature 006): the fourteen event types, identity and focus models, payload schemas, the
 * reducer with its output models and errors.
 */
export * from "./event-types.ts";
export {
  AuthPrincipalBinding,
  FocusTarget,
  ParticipantExternalRefs,
  ParticipantIdentity,
  ParticipantType,
  focusKey,
} from "./identity.ts";
export type { ParticipantIdentityEncoded } from "./identity.ts";
export * from "./payloads.ts";
export {
  CollaborationAnomaly,
  CommentEntry,
  DecisionEntry,
  ReducedCollaborationState,
  Roster,
  WarningEntry,
} from "./outputs.ts";
export type { ReducedCollaborationStateEncoded } from "./outputs.ts";
export { UnknownParticipantError } from "./errors.ts";
export { reduceCollaborationEvents } from "./reducer.ts";
export type { CollaborationMode, CollaborationReduceError, ReduceCollaborationOptions } from "./reducer.ts";
export { decodeRoster, encodeReducedCollaborationState, isValidCollaborationPayload } from "./codec.ts";
