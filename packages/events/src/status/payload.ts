import * as Schema from "effect/Schema";
import { DoneEvidence } from "./evidence.ts";
import { boolField, forbidExtra, NonEmptyString, optionalNullable, type Strictness } from "./fields.ts";
import { ExecutionMode, Lane, LaneWithAlias } from "./lanes.ts";

/**
 * Who initiated a transition: a non-blank identifier, or a non-empty object of audit fields
 * ({role, profile, tool, model, ...}).
 */
export const TransitionActor = Schema.Union(
  Schema.String.pipe(Schema.filter((s) => s.trim() !== "" || "actor must be a non-empty string")),
  Schema.Record({ key: Schema.String, value: Schema.Unknown }).pipe(
    Schema.filter((r) => Object.keys(r).length > 0 || "actor must be a non-empty object"),
  ),
).annotations({ identifier: "TransitionActor" });
export type TransitionActor = typeof TransitionActor.Type;

/**
 * Payload of a `WPStatusChanged` event as the model layer reads it (the `doing` alias is accepted and
 * normalised, scalars are coerced leniently). Reducers parse with this schema.
 */
export const StatusTransitionPayload = makeStatusTransitionPayload("model");
export type StatusTransitionPayload = typeof StatusTransitionPayload.Type;

/**
 * The same contract at wire strictness (model AND published JSON Schema): canonical lane values only, strict
 * JSON booleans. Does not include the transition rules; see `WPStatusChangedPayload` for the full verdict.
 */
export const StatusTransitionPayloadWire = makeStatusTransitionPayload("wire");

/** A forced `None/planned -> planned` transition: initialises a work package, never moves an existing one. */
export const isBootstrapPlannedEvent = (p: StatusTransitionPayload): boolean =>
  p.force && p.to_lane === "planned" && (p.from_lane === null || p.from_lane === "planned");

/** A printable label for the actor: the string itself, else the first non-empty well-known field, else "unknown". */
export const actorLabel = (actor: TransitionActor): string => {
  if (typeof actor === "string") return actor;
  for (const key of ["profile", "role", "display_name", "actor_id"]) {
    const v = actor[key];
    if (typeof v === "string" && v !== "") return v;
  }
  for (const v of Object.values(actor)) if (typeof v === "string" && v !== "") return v;
  return "unknown";
};

// ---------------------------------------------------------------------------------------------------------

function makeStatusTransitionPayload(strictness: Strictness) {
  const lane = (strictness === "model" ? LaneWithAlias : Lane) as Schema.Schema<Lane, string>;
  return Schema.Struct({
    mission_slug: NonEmptyString,
    wp_id: NonEmptyString,
    from_lane: optionalNullable(lane),
    to_lane: lane,
    actor: TransitionActor,
    force: Schema.optionalWith(boolField(strictness), { default: () => false }),
    reason: optionalNullable(Schema.String),
    execution_mode: ExecutionMode,
    review_ref: optionalNullable(Schema.String),
    evidence: optionalNullable(DoneEvidence),
  })
    .annotations({ ...forbidExtra })
    .pipe(
      // model-level business rules (reference: StatusTransitionPayload._check_business_rules), first failure wins
      Schema.filter((p) => {
        if (p.force && (p.reason === null || p.reason.trim() === "")) return "force=True requires a non-empty reason";
        if ((p.to_lane === "approved" || p.to_lane === "done") && p.evidence === null)
          return "to_lane in {'approved', 'done'} requires evidence";
        return true;
      }),
    )
    .annotations({
      identifier: strictness === "model" ? "StatusTransitionPayload" : "StatusTransitionPayloadWire",
      title: "StatusTransitionPayload",
      description: "Payload for a WPStatusChanged event describing a lane transition.",
    });
}
