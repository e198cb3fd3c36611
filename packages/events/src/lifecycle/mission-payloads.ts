import * as Schema from "effect/Schema";
import {
  forbidExtra,
  ignoreExtra,
  intField,
  NonEmptyString,
  oneOfMessage,
  optionalNullable,
  type Strictness,
} from "../status/fields.ts";

// Mission lifecycle event types (reference `S/lifecycle.py`).
export const MISSION_CREATED = "MissionCreated";
export const MISSION_CLOSED = "MissionClosed";
export const MISSION_STARTED = "MissionStarted";
export const MISSION_COMPLETED = "MissionCompleted";
export const MISSION_CANCELLED = "MissionCancelled";
export const MISSION_ORIGIN_BOUND = "MissionOriginBound";
export const PHASE_ENTERED = "PhaseEntered";
export const REVIEW_ROLLBACK = "ReviewRollback";
export const MISSION_REOPENED = "MissionReopened";
export const FOLLOW_UP_RECORDED = "FollowUpRecorded";

/** The event types the mission lifecycle reducer folds (MissionOriginBound is deliberately not one of them). */
export const MISSION_EVENT_TYPES: ReadonlySet<string> = new Set([
  MISSION_CREATED,
  MISSION_CLOSED,
  MISSION_STARTED,
  MISSION_COMPLETED,
  MISSION_CANCELLED,
  PHASE_ENTERED,
  REVIEW_ROLLBACK,
  MISSION_REOPENED,
  FOLLOW_UP_RECORDED,
]);

/** Lifecycle status of a mission (spelled `cancelled`, unlike the `canceled` lane). */
export const MissionStatus = Schema.Literal("active", "completed", "cancelled", "reopened").annotations({
  identifier: "MissionStatus",
});
export type MissionStatus = typeof MissionStatus.Type;

/** Statuses after which only reopen / follow-up events apply. */
export const TERMINAL_MISSION_STATUSES: ReadonlySet<MissionStatus> = new Set<MissionStatus>(["completed", "cancelled"]);

/** MissionStarted: opens the mission (first one wins). */
export const MissionStartedPayload = Schema.Struct({
  mission_id: NonEmptyString,
  mission_type: NonEmptyString,
  initial_phase: NonEmptyString,
  actor: NonEmptyString,
}).annotations({ identifier: "MissionStartedPayload", ...ignoreExtra });
export type MissionStartedPayload = typeof MissionStartedPayload.Type;

/** MissionCompleted: terminal success. */
export const MissionCompletedPayload = Schema.Struct({
  mission_id: NonEmptyString,
  mission_type: NonEmptyString,
  final_phase: NonEmptyString,
  actor: NonEmptyString,
}).annotations({ identifier: "MissionCompletedPayload", ...ignoreExtra });
export type MissionCompletedPayload = typeof MissionCompletedPayload.Type;

/** MissionCancelled: terminal abandonment, with a mandatory reason. */
export const MissionCancelledPayload = Schema.Struct({
  mission_id: NonEmptyString,
  reason: NonEmptyString,
  actor: NonEmptyString,
  cancelled_wp_ids: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
}).annotations({ identifier: "MissionCancelledPayload", ...ignoreExtra });
export type MissionCancelledPayload = typeof MissionCancelledPayload.Type;

/** PhaseEntered: the mission moves to a phase. */
export const PhaseEnteredPayload = Schema.Struct({
  mission_id: NonEmptyString,
  phase_name: NonEmptyString,
  actor: NonEmptyString,
  previous_phase: optionalNullable(NonEmptyString),
}).annotations({ identifier: "PhaseEnteredPayload", ...ignoreExtra });
export type PhaseEnteredPayload = typeof PhaseEnteredPayload.Type;

/** ReviewRollback: a review sends the mission back to an earlier phase. */
export const ReviewRollbackPayload = Schema.Struct({
  mission_id: NonEmptyString,
  review_ref: NonEmptyString,
  target_phase: NonEmptyString,
  actor: NonEmptyString,
  affected_wp_ids: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
}).annotations({ identifier: "ReviewRollbackPayload", ...ignoreExtra });
export type ReviewRollbackPayload = typeof ReviewRollbackPayload.Type;

/** MissionCreated (catalog record, replaces the legacy FeatureCreated); `mission_number` must be present, may be null. */
export const makeMissionCreatedPayload = (s: Strictness) =>
  Schema.Struct({
    mission_id: optionalNullable(NonEmptyString),
    mission_slug: NonEmptyString,
    mission_number: Schema.NullOr(intField(s, 1)),
    mission_type: NonEmptyString,
    target_branch: NonEmptyString,
    wp_count: intField(s, 0),
    friendly_name: NonEmptyString,
    purpose_tldr: NonEmptyString,
    purpose_context: NonEmptyString,
    created_at: optionalNullable(NonEmptyString),
  }).annotations({ identifier: "MissionCreatedPayload", ...forbidExtra });
export const MissionCreatedPayload = makeMissionCreatedPayload("model");
export type MissionCreatedPayload = typeof MissionCreatedPayload.Type;

/** MissionClosed (catalog record); `mission_number` is required and non-null here. */
export const makeMissionClosedPayload = (s: Strictness) =>
  Schema.Struct({
    mission_slug: NonEmptyString,
    mission_number: intField(s, 1),
    mission_type: NonEmptyString,
  }).annotations({ identifier: "MissionClosedPayload", ...forbidExtra });
export const MissionClosedPayload = makeMissionClosedPayload("model");
export type MissionClosedPayload = typeof MissionClosedPayload.Type;

/** MissionOriginBound: links a mission to the external issue it came from. */
export const MissionOriginBoundPayload = Schema.Struct({
  mission_slug: NonEmptyString,
  provider: NonEmptyString,
  external_issue_id: NonEmptyString,
  external_issue_key: NonEmptyString,
  external_issue_url: NonEmptyString,
  title: NonEmptyString,
  mission_id: optionalNullable(NonEmptyString),
}).annotations({ identifier: "MissionOriginBoundPayload", ...forbidExtra });
export type MissionOriginBoundPayload = typeof MissionOriginBoundPayload.Type;

/** MissionReopened: a terminal mission becomes active again as `reopened`. */
export const MissionReopenedPayload = Schema.Struct({
  mission_id: NonEmptyString,
  mission_slug: NonEmptyString,
  reason: NonEmptyString,
  reopened_by: NonEmptyString,
  reopened_at: NonEmptyString,
  cleared_merge: optionalNullable(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
}).annotations({ identifier: "MissionReopenedPayload", ...forbidExtra });
export type MissionReopenedPayload = typeof MissionReopenedPayload.Type;

/** FollowUpRecorded: a commit or PR recorded against a finished mission. */
export const FollowUpRecordedPayload = Schema.Struct({
  mission_id: NonEmptyString,
  mission_slug: NonEmptyString,
  follow_up_type: Schema.Literal("commit", "pr").annotations(oneOfMessage(["commit", "pr"])),
  commit_sha: optionalNullable(NonEmptyString),
  pr_number: optionalNullable(intField("model", 1)),
  recorded_by: NonEmptyString,
  recorded_at: NonEmptyString,
})
  .annotations({ ...forbidExtra })
  .pipe(
    Schema.filter((p) => {
      if (p.follow_up_type === "commit" && !p.commit_sha) return "follow_up_type 'commit' requires commit_sha";
      if (p.follow_up_type === "pr" && p.pr_number === null) return "follow_up_type 'pr' requires pr_number";
      return true;
    }),
  )
  .annotations({ identifier: "FollowUpRecordedPayload" });
export type FollowUpRecordedPayload = typeof FollowUpRecordedPayload.Type;
