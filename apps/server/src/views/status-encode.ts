import { encodeReducedStatus, isLane, isPyDateTime, type ReducedStatus } from "@spec-kitty/events";

/** The encoded output of the status reducer. */
export interface EncodedStatus {
  readonly wp_states: Record<string, Record<string, unknown>>;
  readonly anomalies: ReadonlyArray<Record<string, unknown>>;
  readonly event_count: number;
  readonly last_processed_event_id: string | null;
}

/**
 * The status reducer's output as JSON, without Effect Schema for the common shape (ADR-0009 applied to the
 * server's status view). Encoding is otherwise the events package's `encodeReducedStatus`, which the view
 * maintainer called for every touched work package on every refresh; a Schema encode of a WP with many anomalies
 * was one of the larger costs of ingest (docs/benchmarks.md).
 *
 * The fast path covers states without done evidence and well-typed fields; it builds the same objects, with the
 * same keys in the same order, as the Schema encoder (`test/status-encode.prop.test.ts` holds the two together).
 * Anything else, including values the Schema would refuse, goes to the Schema, so errors stay the Schema's.
 */
export const encodeStatus = (s: ReducedStatus): EncodedStatus => fastEncodeStatus(s) ?? (encodeReducedStatus(s) as EncodedStatus);

/** The fast path alone: undefined when it does not cover `s`. */
export const fastEncodeStatus = (s: ReducedStatus): EncodedStatus | undefined => {
  if (!Number.isSafeInteger(s.event_count) || s.event_count < 0) return undefined;
  const last = s.last_processed_event_id;
  if (last !== null && typeof last !== "string") return undefined;
  const wpStates: Record<string, Record<string, unknown>> = {};
  for (const k in s.wp_states) {
    if (!Object.hasOwn(s.wp_states, k)) continue;
    const w = s.wp_states[k]!;
    if (w.evidence !== null) return undefined;
    const at = w.last_transition_at;
    if (typeof w.wp_id !== "string" || typeof w.last_event_id !== "string" || !isLane(w.current_lane) || !isPyDateTime(at)) return undefined;
    wpStates[k] = { wp_id: w.wp_id, current_lane: w.current_lane, last_event_id: w.last_event_id, last_transition_at: at.json, evidence: null };
  }
  const anomalies: Array<Record<string, unknown>> = new Array(s.anomalies.length);
  for (let i = 0; i < s.anomalies.length; i++) {
    const a = s.anomalies[i]!;
    if (
      typeof a.event_id !== "string" ||
      typeof a.wp_id !== "string" ||
      typeof a.reason !== "string" ||
      (a.from_lane !== null && !isLane(a.from_lane)) ||
      (a.to_lane !== null && !isLane(a.to_lane))
    ) {
      return undefined;
    }
    anomalies[i] = { event_id: a.event_id, wp_id: a.wp_id, from_lane: a.from_lane, to_lane: a.to_lane, reason: a.reason };
  }
  return { wp_states: wpStates, anomalies, event_count: s.event_count, last_processed_event_id: last };
};
