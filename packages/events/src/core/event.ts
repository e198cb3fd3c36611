import * as Schema from "effect/Schema";
import { EventId, ProjectUuid } from "./event-id.ts";
import { PyDateTimeFromString } from "./timestamp.ts";

/** The on-wire envelope version this contract speaks (the cutover signal). */
export const SCHEMA_VERSION = "3.0.0";

const NonEmptyString = Schema.String.pipe(Schema.minLength(1));

/** `payload`: any JSON object; the envelope does not look inside. */
export const EventPayload = Schema.Record({ key: Schema.String, value: Schema.Unknown });

/**
 * The canonical event envelope, field names as on the wire (declared order = dump order).
 * Unknown top-level keys are accepted and dropped. The accepted set is the intersection of the reference's
 * model and its published JSON Schema: `timestamp` must be text (lax ISO forms), `lamport_clock` and
 * `data_tier` must be JSON integers.
 */
export const Event = Schema.Struct({
  event_id: EventId,
  event_type: NonEmptyString,
  aggregate_id: NonEmptyString,
  payload: Schema.optionalWith(EventPayload, { default: () => ({}) }),
  timestamp: PyDateTimeFromString,
  build_id: NonEmptyString,
  node_id: NonEmptyString,
  lamport_clock: Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)),
  causation_id: Schema.optionalWith(Schema.NullOr(EventId), { default: () => null }),
  project_uuid: ProjectUuid,
  project_slug: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  correlation_id: EventId,
  schema_version: Schema.optionalWith(Schema.String.pipe(Schema.pattern(/^[0-9]+\.[0-9]+\.[0-9]+$/)), {
    default: () => SCHEMA_VERSION,
  }),
  data_tier: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 4)), { default: () => 0 }),
}).annotations({
  identifier: "Event",
  title: "Event",
  description: "Canonical spec-kitty event envelope",
});

export type Event = Schema.Schema.Type<typeof Event>;
export type EventEncoded = Schema.Schema.Encoded<typeof Event>;

/** Field names of the envelope, in dump order. */
export const EVENT_FIELDS = [
  "event_id",
  "event_type",
  "aggregate_id",
  "payload",
  "timestamp",
  "build_id",
  "node_id",
  "lamport_clock",
  "causation_id",
  "project_uuid",
  "project_slug",
  "correlation_id",
  "schema_version",
  "data_tier",
] as const;

/** Canonical wire JSON of an envelope (snake_case keys, timestamp as the reference dumps it). */
export const encodeEvent = (e: Event): EventEncoded => ({
  event_id: e.event_id,
  event_type: e.event_type,
  aggregate_id: e.aggregate_id,
  payload: e.payload,
  timestamp: e.timestamp.json,
  build_id: e.build_id,
  node_id: e.node_id,
  lamport_clock: e.lamport_clock,
  causation_id: e.causation_id,
  project_uuid: e.project_uuid,
  project_slug: e.project_slug,
  correlation_id: e.correlation_id,
  schema_version: e.schema_version,
  data_tier: e.data_tier,
});
