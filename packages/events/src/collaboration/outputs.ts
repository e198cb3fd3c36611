/**
 * The reducer's output models. The decoded side is what `reduceCollaborationEvents` returns; the encoded
 * side is the reference's `model_dump(mode="json")` (sets as sorted arrays, timestamps as the reference
 * dumps them).
 */
import * as Schema from "effect/Schema";
import { PyDateTimeFromInput } from "../core/index.ts";
import { FocusTarget, ParticipantIdentity } from "./identity.ts";

/** A non-fatal problem met while reducing; `reason` strings are part of the contract. */
export const CollaborationAnomaly = Schema.Struct({
  event_id: Schema.String,
  event_type: Schema.String,
  reason: Schema.String,
}).annotations({ identifier: "CollaborationAnomaly", title: "CollaborationAnomaly" });
export type CollaborationAnomaly = Schema.Schema.Type<typeof CollaborationAnomaly>;

/**
 * One warning of the timeline. `event_id` is the event that created or last re-emitted it; `warning_type`
 * is the emitting event type, or `UnknownWarning` for a placeholder created by an early acknowledgement.
 */
export const WarningEntry = Schema.Struct({
  warning_id: Schema.String,
  event_id: Schema.String,
  warning_type: Schema.String,
  participant_ids: Schema.Array(Schema.String),
  acknowledgements: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
    default: () => ({}),
  }),
}).annotations({ identifier: "WarningEntry", title: "WarningEntry" });
export type WarningEntry = Schema.Schema.Type<typeof WarningEntry>;

/** A captured decision (the reference keeps no rationale here). */
export const DecisionEntry = Schema.Struct({
  decision_id: Schema.String,
  event_id: Schema.String,
  participant_id: Schema.String,
  topic: Schema.String,
  chosen_option: Schema.String,
  referenced_warning_id: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
}).annotations({ identifier: "DecisionEntry", title: "DecisionEntry" });
export type DecisionEntry = Schema.Schema.Type<typeof DecisionEntry>;

/** A posted comment; replies are not resolved. */
export const CommentEntry = Schema.Struct({
  comment_id: Schema.String,
  event_id: Schema.String,
  participant_id: Schema.String,
  content: Schema.String,
  reply_to: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
}).annotations({ identifier: "CommentEntry", title: "CommentEntry" });
export type CommentEntry = Schema.Schema.Type<typeof CommentEntry>;

const StringList = Schema.Array(Schema.String);
const recordOf = <S extends Schema.Schema.Any>(value: S) =>
  Schema.optionalWith(Schema.Record({ key: Schema.String, value }), { default: () => ({}) });
const listOf = <S extends Schema.Schema.Any>(item: S) =>
  Schema.optionalWith(Schema.Array(item), { default: () => [] });

/**
 * The collaboration state of one mission. Set-valued fields (`active_drivers` and the values of
 * `participants_by_focus`) are held as sorted arrays so that the state and its dump are deterministic.
 */
export const ReducedCollaborationState = Schema.Struct({
  mission_id: Schema.String,
  participants: recordOf(ParticipantIdentity),
  departed_participants: recordOf(ParticipantIdentity),
  presence: recordOf(PyDateTimeFromInput),
  active_drivers: listOf(Schema.String),
  focus_by_participant: recordOf(FocusTarget),
  participants_by_focus: recordOf(StringList),
  warnings: listOf(WarningEntry),
  decisions: listOf(DecisionEntry),
  comments: listOf(CommentEntry),
  active_executions: recordOf(StringList),
  linked_sessions: recordOf(StringList),
  anomalies: listOf(CollaborationAnomaly),
  event_count: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 0 }),
  last_processed_event_id: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
}).annotations({
  identifier: "ReducedCollaborationState",
  title: "ReducedCollaborationState",
  description: "Collaboration state of one mission, folded from its collaboration events.",
});
export type ReducedCollaborationState = Schema.Schema.Type<typeof ReducedCollaborationState>;
export type ReducedCollaborationStateEncoded = Schema.Schema.Encoded<typeof ReducedCollaborationState>;

/** The participants a reduction starts from, keyed by participant id (they count as already joined). */
export const Roster = Schema.Record({ key: Schema.String, value: ParticipantIdentity }).annotations({
  identifier: "Roster",
  title: "Roster",
});
export type Roster = Schema.Schema.Type<typeof Roster>;
