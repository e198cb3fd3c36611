/**
 * The fourteen collaboration payloads. Unknown keys are ignored, as in the reference; every required
 * string must be non-empty, optional strings may be empty or null.
 */
import * as Schema from "effect/Schema";
import { FocusTarget, NonEmptyString, OptionalString, ParticipantIdentity } from "./identity.ts";

const ParticipantIds = Schema.Array(Schema.String).pipe(Schema.minItems(2));
const Severity = Schema.Literal("info", "warning");

const payload = <F extends Schema.Struct.Fields>(name: string, description: string, fields: F) =>
  Schema.Struct(fields).annotations({ identifier: `${name}Payload`, title: `${name}Payload`, description });

export const ParticipantInvitedPayload = payload("ParticipantInvited", "A participant was invited to a mission.", {
  participant_id: NonEmptyString,
  participant_identity: ParticipantIdentity,
  invited_by: NonEmptyString,
  mission_id: NonEmptyString,
});
export type ParticipantInvitedPayload = Schema.Schema.Type<typeof ParticipantInvitedPayload>;

export const ParticipantJoinedPayload = payload("ParticipantJoined", "A participant joined a mission.", {
  participant_id: NonEmptyString,
  participant_identity: ParticipantIdentity,
  mission_id: NonEmptyString,
  auth_principal_id: OptionalString,
});
export type ParticipantJoinedPayload = Schema.Schema.Type<typeof ParticipantJoinedPayload>;

export const ParticipantLeftPayload = payload("ParticipantLeft", "A participant left a mission.", {
  participant_id: NonEmptyString,
  mission_id: NonEmptyString,
  reason: OptionalString,
});
export type ParticipantLeftPayload = Schema.Schema.Type<typeof ParticipantLeftPayload>;

export const PresenceHeartbeatPayload = payload("PresenceHeartbeat", "A participant is still present.", {
  participant_id: NonEmptyString,
  mission_id: NonEmptyString,
  session_id: OptionalString,
});
export type PresenceHeartbeatPayload = Schema.Schema.Type<typeof PresenceHeartbeatPayload>;

export const DriveIntentSetPayload = payload("DriveIntentSet", "A participant declared or dropped drive intent.", {
  participant_id: NonEmptyString,
  mission_id: NonEmptyString,
  intent: Schema.Literal("active", "inactive"),
});
export type DriveIntentSetPayload = Schema.Schema.Type<typeof DriveIntentSetPayload>;

export const FocusChangedPayload = payload("FocusChanged", "A participant moved their focus.", {
  participant_id: NonEmptyString,
  mission_id: NonEmptyString,
  focus_target: FocusTarget,
  previous_focus_target: Schema.optionalWith(Schema.NullOr(FocusTarget), { default: () => null }),
});
export type FocusChangedPayload = Schema.Schema.Type<typeof FocusChangedPayload>;

export const PromptStepExecutionStartedPayload = payload(
  "PromptStepExecutionStarted",
  "A participant started executing a prompt step.",
  {
    participant_id: NonEmptyString,
    mission_id: NonEmptyString,
    step_id: NonEmptyString,
    wp_id: OptionalString,
    step_description: OptionalString,
  },
);
export type PromptStepExecutionStartedPayload = Schema.Schema.Type<typeof PromptStepExecutionStartedPayload>;

export const PromptStepExecutionCompletedPayload = payload(
  "PromptStepExecutionCompleted",
  "A participant finished a prompt step.",
  {
    participant_id: NonEmptyString,
    mission_id: NonEmptyString,
    step_id: NonEmptyString,
    wp_id: OptionalString,
    outcome: Schema.Literal("success", "failure", "skipped"),
  },
);
export type PromptStepExecutionCompletedPayload = Schema.Schema.Type<typeof PromptStepExecutionCompletedPayload>;

export const ConcurrentDriverWarningPayload = payload(
  "ConcurrentDriverWarning",
  "Several active drivers overlap on one focus target.",
  {
    warning_id: NonEmptyString,
    mission_id: NonEmptyString,
    participant_ids: ParticipantIds,
    focus_target: FocusTarget,
    severity: Severity,
  },
);
export type ConcurrentDriverWarningPayload = Schema.Schema.Type<typeof ConcurrentDriverWarningPayload>;

export const PotentialStepCollisionDetectedPayload = payload(
  "PotentialStepCollisionDetected",
  "Several participants are executing the same step.",
  {
    warning_id: NonEmptyString,
    mission_id: NonEmptyString,
    participant_ids: ParticipantIds,
    step_id: NonEmptyString,
    wp_id: OptionalString,
    severity: Severity,
  },
);
export type PotentialStepCollisionDetectedPayload = Schema.Schema.Type<typeof PotentialStepCollisionDetectedPayload>;

export const WarningAcknowledgedPayload = payload("WarningAcknowledged", "A participant answered a warning.", {
  participant_id: NonEmptyString,
  mission_id: NonEmptyString,
  warning_id: NonEmptyString,
  acknowledgement: Schema.Literal("continue", "hold", "reassign", "defer"),
});
export type WarningAcknowledgedPayload = Schema.Schema.Type<typeof WarningAcknowledgedPayload>;

export const CommentPostedPayload = payload("CommentPosted", "A participant posted a comment.", {
  participant_id: NonEmptyString,
  mission_id: NonEmptyString,
  comment_id: NonEmptyString,
  content: NonEmptyString,
  reply_to: OptionalString,
});
export type CommentPostedPayload = Schema.Schema.Type<typeof CommentPostedPayload>;

export const DecisionCapturedPayload = payload("DecisionCaptured", "A participant recorded a decision.", {
  participant_id: NonEmptyString,
  mission_id: NonEmptyString,
  decision_id: NonEmptyString,
  topic: NonEmptyString,
  chosen_option: NonEmptyString,
  rationale: OptionalString,
  referenced_warning_id: OptionalString,
});
export type DecisionCapturedPayload = Schema.Schema.Type<typeof DecisionCapturedPayload>;

export const SessionLinkedPayload = payload("SessionLinked", "A participant linked two of their sessions.", {
  participant_id: NonEmptyString,
  mission_id: NonEmptyString,
  primary_session_id: NonEmptyString,
  linked_session_id: NonEmptyString,
  link_type: Schema.Literal("cli_to_saas", "saas_to_cli"),
});
export type SessionLinkedPayload = Schema.Schema.Type<typeof SessionLinkedPayload>;

/** Payload schema per collaboration event type, for the conformance validator and the JSON Schema generator. */
export const COLLABORATION_PAYLOAD_SCHEMAS: Readonly<Record<string, Schema.Schema.AnyNoContext>> = {
  ParticipantInvited: ParticipantInvitedPayload,
  ParticipantJoined: ParticipantJoinedPayload,
  ParticipantLeft: ParticipantLeftPayload,
  PresenceHeartbeat: PresenceHeartbeatPayload,
  DriveIntentSet: DriveIntentSetPayload,
  FocusChanged: FocusChangedPayload,
  PromptStepExecutionStarted: PromptStepExecutionStartedPayload,
  PromptStepExecutionCompleted: PromptStepExecutionCompletedPayload,
  ConcurrentDriverWarning: ConcurrentDriverWarningPayload,
  PotentialStepCollisionDetected: PotentialStepCollisionDetectedPayload,
  WarningAcknowledged: WarningAcknowledgedPayload,
  CommentPosted: CommentPostedPayload,
  DecisionCaptured: DecisionCapturedPayload,
  SessionLinked: SessionLinkedPayload,
};
