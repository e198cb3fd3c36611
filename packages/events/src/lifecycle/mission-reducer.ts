import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { decodePayload, type Event, sortAndDedup } from "../core/index.ts";
import { reduceStatusEvents, WP_STATUS_CHANGED, WPState } from "../status/index.ts";
import {
  FOLLOW_UP_RECORDED,
  FollowUpRecordedPayload,
  MISSION_CANCELLED,
  MISSION_CLOSED,
  MISSION_COMPLETED,
  MISSION_CREATED,
  MISSION_EVENT_TYPES,
  MISSION_REOPENED,
  MISSION_STARTED,
  MissionCancelledPayload,
  MissionClosedPayload,
  MissionCompletedPayload,
  MissionCreatedPayload,
  MissionReopenedPayload,
  MissionStartedPayload,
  MissionStatus,
  PHASE_ENTERED,
  PhaseEnteredPayload,
  REVIEW_ROLLBACK,
  ReviewRollbackPayload,
  TERMINAL_MISSION_STATUSES,
} from "./mission-payloads.ts";

/** A lifecycle event the reducer could not apply, and why. */
export const LifecycleAnomaly = Schema.Struct({
  event_id: Schema.String,
  event_type: Schema.String,
  reason: Schema.String,
}).annotations({ identifier: "LifecycleAnomaly" });
export type LifecycleAnomaly = typeof LifecycleAnomaly.Type;

/** Output of `reduceLifecycleEvents`; encodes to the reference's `ReducedMissionState` dump. */
export const ReducedMissionState = Schema.Struct({
  mission_id: Schema.NullOr(Schema.String),
  mission_status: Schema.NullOr(MissionStatus),
  mission_type: Schema.NullOr(Schema.String),
  current_phase: Schema.NullOr(Schema.String),
  phases_entered: Schema.Array(Schema.String),
  wp_states: Schema.Record({ key: Schema.String, value: WPState }),
  anomalies: Schema.Array(LifecycleAnomaly),
  event_count: Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)),
  last_processed_event_id: Schema.NullOr(Schema.String),
}).annotations({ identifier: "ReducedMissionState" });
export type ReducedMissionState = typeof ReducedMissionState.Type;

/** The state of an empty stream. */
export const EMPTY_REDUCED_MISSION_STATE: ReducedMissionState = {
  mission_id: null,
  mission_status: null,
  mission_type: null,
  current_phase: null,
  phases_entered: [],
  wp_states: {},
  anomalies: [],
  event_count: 0,
  last_processed_event_id: null,
};

/**
 * Folds a mission's event stream: mission events by Lamport clock (cancel applied last inside a clock, then by
 * event id), terminal and reopen/follow-up rules, and the WP lanes via the status reducer.
 */
export const reduceLifecycleEvents = (events: ReadonlyArray<Event>): ReducedMissionState => {
  const unique = sortAndDedup(events);
  const last = unique[unique.length - 1];
  if (last === undefined) return EMPTY_REDUCED_MISSION_STATE;

  const m: MissionFold = { mission_id: null, mission_status: null, mission_type: null, current_phase: null };
  const phases: Array<string> = [];
  const anomalies: Array<LifecycleAnomaly> = [];
  for (const event of missionOrder(unique.filter((e) => MISSION_EVENT_TYPES.has(e.event_type)))) {
    const reason = applyMissionEvent(m, phases, event);
    if (reason !== null) anomalies.push({ event_id: event.event_id, event_type: event.event_type, reason });
  }

  const status = reduceStatusEvents(unique.filter((e) => e.event_type === WP_STATUS_CHANGED));
  for (const a of status.anomalies) {
    anomalies.push({ event_id: a.event_id, event_type: WP_STATUS_CHANGED, reason: `WP ${a.wp_id}: ${a.reason}` });
  }

  return {
    ...m,
    phases_entered: phases,
    wp_states: status.wp_states,
    anomalies,
    event_count: unique.length,
    last_processed_event_id: last.event_id,
  };
};

/** The reduced state as canonical JSON (equal to the reference's `model_dump(mode="json")`). */
export const encodeReducedMissionState = (s: ReducedMissionState): unknown => encodeReduced(s);

// ---------------------------------------------------------------------------------------------------------

interface MissionFold {
  mission_id: string | null;
  mission_status: MissionStatus | null;
  mission_type: string | null;
  current_phase: string | null;
}

const encodeReduced = Schema.encodeSync(ReducedMissionState);

const isValid = <A, I>(schema: Schema.Schema<A, I>, payload: unknown): boolean =>
  Either.isRight(decodePayload(schema, payload));

const parse = <A, I>(schema: Schema.Schema<A, I>, payload: unknown): A | null =>
  Either.getOrNull(decodePayload(schema, payload));

// Clocks ascending; inside one clock MissionCancelled goes last ("cancel beats re-open"), then event id order.
// The timestamp plays no part inside a clock (reference `S/lifecycle.py`).
const missionOrder = (events: ReadonlyArray<Event>): ReadonlyArray<Event> =>
  events.slice().sort((a, b) => {
    if (a.lamport_clock !== b.lamport_clock) return a.lamport_clock - b.lamport_clock;
    const ca = a.event_type === MISSION_CANCELLED ? 1 : 0;
    const cb = b.event_type === MISSION_CANCELLED ? 1 : 0;
    if (ca !== cb) return ca - cb;
    return a.event_id === b.event_id ? 0 : a.event_id < b.event_id ? -1 : 1;
  });

const isTerminal = (s: MissionStatus | null): boolean => s !== null && TERMINAL_MISSION_STATUSES.has(s);

// Applies one mission event in the reference's precedence; returns an anomaly reason or null.
const applyMissionEvent = (m: MissionFold, phases: Array<string>, event: Event): string | null => {
  const type = event.event_type;
  const payload = event.payload;
  switch (type) {
    case MISSION_CREATED:
      return isValid(MissionCreatedPayload, payload) ? null : `Invalid ${type} payload`;
    case MISSION_CLOSED:
      return isValid(MissionClosedPayload, payload) ? null : `Invalid ${type} payload`;
    case MISSION_REOPENED:
      if (!isValid(MissionReopenedPayload, payload)) return `Invalid ${type} payload`;
      if (!isTerminal(m.mission_status)) return "MissionReopened before completion (mission not terminal)";
      m.mission_status = "reopened";
      return null;
    case FOLLOW_UP_RECORDED:
      if (!isValid(FollowUpRecordedPayload, payload)) return `Invalid ${type} payload`;
      return isTerminal(m.mission_status) ? null : "FollowUpRecorded before completion (mission not terminal)";
  }
  if (isTerminal(m.mission_status)) return `Event after terminal state (${m.mission_status})`;
  if (type === MISSION_STARTED) {
    if (m.mission_id !== null) return "Duplicate MissionStarted (first one wins)";
    const p = parse(MissionStartedPayload, payload);
    if (p === null) return `Invalid ${type} payload`;
    m.mission_id = p.mission_id;
    m.mission_type = p.mission_type;
    m.mission_status = "active";
    m.current_phase = p.initial_phase;
    phases.push(p.initial_phase);
    return null;
  }
  if (m.mission_id === null) return "Event before MissionStarted";
  switch (type) {
    case PHASE_ENTERED: {
      const p = parse(PhaseEnteredPayload, payload);
      if (p === null) return `Invalid ${type} payload`;
      m.current_phase = p.phase_name;
      phases.push(p.phase_name);
      return null;
    }
    case MISSION_COMPLETED:
      if (!isValid(MissionCompletedPayload, payload)) return `Invalid ${type} payload`;
      m.mission_status = "completed";
      return null;
    case MISSION_CANCELLED:
      if (!isValid(MissionCancelledPayload, payload)) return `Invalid ${type} payload`;
      m.mission_status = "cancelled";
      return null;
    case REVIEW_ROLLBACK: {
      const p = parse(ReviewRollbackPayload, payload);
      if (p === null) return `Invalid ${type} payload`;
      m.current_phase = p.target_phase;
      phases.push(p.target_phase);
      return null;
    }
  }
  return null;
};
