import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { fastDecodeStatusTransition } from "./payload-fast.ts";
import { decodePayload, describeIssues, type Event, PyDateTimeFromInput, sortAndDedup } from "../core/index.ts";
import { DoneEvidence } from "./evidence.ts";
import { Lane, normalizeLane, WP_STATUS_CHANGED } from "./lanes.ts";
import { isBootstrapPlannedEvent, StatusTransitionPayload } from "./payload.ts";
import { renderLane, validateTransition } from "./transition.ts";

/** Current state of one work package after reduction. */
export const WPState = Schema.Struct({
  wp_id: Schema.String,
  current_lane: Lane,
  last_event_id: Schema.String,
  last_transition_at: PyDateTimeFromInput,
  evidence: Schema.NullOr(DoneEvidence),
}).annotations({ identifier: "WPState" });
export type WPState = typeof WPState.Type;

/** A status event the reducer could not apply, and why. */
export const TransitionAnomaly = Schema.Struct({
  event_id: Schema.String,
  wp_id: Schema.String,
  from_lane: Schema.NullOr(Lane),
  to_lane: Schema.NullOr(Lane),
  reason: Schema.String,
}).annotations({ identifier: "TransitionAnomaly" });
export type TransitionAnomaly = typeof TransitionAnomaly.Type;

/** Output of `reduceStatusEvents`; encodes to the reference's `ReducedStatus` dump. */
export const ReducedStatus = Schema.Struct({
  wp_states: Schema.Record({ key: Schema.String, value: WPState }),
  anomalies: Schema.Array(TransitionAnomaly),
  event_count: Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)),
  last_processed_event_id: Schema.NullOr(Schema.String),
}).annotations({ identifier: "ReducedStatus" });
export type ReducedStatus = typeof ReducedStatus.Type;

/** The state of an empty stream. */
export const EMPTY_REDUCED_STATUS: ReducedStatus = {
  wp_states: {},
  anomalies: [],
  event_count: 0,
  last_processed_event_id: null,
};

/** Prefix of the anomaly reason for a payload the model layer rejects (the rest is the validator's own text). */
export const PAYLOAD_VALIDATION_FAILED = "payload validation failed:";

/**
 * Folds `WPStatusChanged` events into per-WP lanes: sort + dedup, parse (parse anomalies first), then per
 * `(wp_id, lamport)` group check every member against the group-start snapshot, rollbacks last, last valid wins.
 */
export const reduceStatusEvents = (events: ReadonlyArray<Event>): ReducedStatus => {
  const unique = sortAndDedup(events.filter((e) => e.event_type === WP_STATUS_CHANGED));
  const last = unique[unique.length - 1];
  if (last === undefined) return EMPTY_REDUCED_STATUS;

  const anomalies: Array<TransitionAnomaly> = [];
  const parsed: Array<Parsed> = [];
  for (const event of unique) {
    const fast = fastDecodeStatusTransition(event.payload);
    if (fast !== undefined) {
      parsed.push({ event, p: fast });
      continue;
    }
    const r = decodePayload(StatusTransitionPayload, event.payload);
    if (Either.isRight(r)) parsed.push({ event, p: r.right });
    else anomalies.push(parseAnomaly(event, `${PAYLOAD_VALIDATION_FAILED} ${describeIssues(r.left)}`));
  }

  const states = new Map<string, WPState>();
  for (const group of concurrentGroups(parsed)) {
    const wpId = group[0]!.p.wp_id;
    const snapshot = states.get(wpId);
    for (const { event, p } of rollbacksLast(group)) {
      const reject = (reason: string): void => {
        anomalies.push({ event_id: event.event_id, wp_id: p.wp_id, from_lane: p.from_lane, to_lane: p.to_lane, reason });
      };
      if (isBootstrapPlannedEvent(p) && snapshot !== undefined) {
        reject(`bootstrap planned ignored: WP already initialized at ${snapshot.current_lane}`);
        continue;
      }
      const expected = snapshot?.current_lane ?? null;
      // a forced event skips the from_lane check (the reference only logs a warning)
      if (p.from_lane !== expected && !p.force) {
        reject(`from_lane mismatch: expected ${renderLane(expected)}, got ${renderLane(p.from_lane)}`);
        continue;
      }
      const verdict = validateTransition(p);
      if (!verdict.valid) {
        reject(verdict.violations.join("; "));
        continue;
      }
      states.set(p.wp_id, {
        wp_id: p.wp_id,
        current_lane: p.to_lane,
        last_event_id: event.event_id,
        last_transition_at: event.timestamp,
        evidence: p.to_lane === "done" ? p.evidence : null,
      });
    }
  }

  return {
    wp_states: Object.fromEntries(states),
    anomalies,
    event_count: unique.length,
    last_processed_event_id: last.event_id,
  };
};

/** The reduced state as canonical JSON (equal to the reference's `model_dump(mode="json")`). */
export const encodeReducedStatus = (s: ReducedStatus): unknown => encodeReduced(s);

// ---------------------------------------------------------------------------------------------------------

interface Parsed {
  readonly event: Event;
  readonly p: StatusTransitionPayload;
}

const encodeReduced = Schema.encodeSync(ReducedStatus);

const parseAnomaly = (event: Event, reason: string): TransitionAnomaly => {
  const raw = event.payload;
  const wpId = raw["wp_id"];
  return {
    event_id: event.event_id,
    wp_id: typeof wpId === "string" && wpId !== "" ? wpId : "<unknown>",
    from_lane: safeLane(raw["from_lane"]),
    to_lane: safeLane(raw["to_lane"]),
    reason,
  };
};

const safeLane = (u: unknown): Lane | null =>
  typeof u === "string" ? Either.getOrNull(normalizeLane(u)) : null;

// Groups by (wp_id, lamport_clock) in order of first appearance.
const concurrentGroups = (parsed: ReadonlyArray<Parsed>): ReadonlyArray<ReadonlyArray<Parsed>> => {
  const groups = new Map<string, Array<Parsed>>();
  for (const item of parsed) {
    const key = `${item.event.lamport_clock}\u0000${item.p.wp_id}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [item]);
    else g.push(item);
  }
  return [...groups.values()];
};

// A reviewer's send-back (for_review/in_review -> in_progress with a review_ref) wins over a concurrent advance,
// so it is applied last; approved -> in_progress is deliberately not counted (reference `S/status.py`).
const isRollback = ({ p }: Parsed): boolean =>
  (p.from_lane === "for_review" || p.from_lane === "in_review") && p.to_lane === "in_progress" && p.review_ref !== null;

const rollbacksLast = (group: ReadonlyArray<Parsed>): ReadonlyArray<Parsed> => [
  ...group.filter((x) => !isRollback(x)),
  ...group.filter(isRollback),
];
