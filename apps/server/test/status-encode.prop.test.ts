/**
 * The status view's fast encoder (src/views/status-encode.ts) must give exactly what the events package's Schema
 * encoder gives: the same JSON text, keys in the same order, for reducer outputs of generated streams (several
 * WPs, anomalies, done evidence, timestamps with offsets and microseconds), and the same refusal for values the
 * Schema refuses. A deliberately wrong fast encoder (timestamps rendered with `iso` instead of `json`) is caught.
 */
import * as Either from "effect/Either";
import { FastCheck as fc } from "effect";
import { decodeEvent, encodeReducedStatus, reduceStatusEvents, type Event, type ReducedStatus } from "@spec-kitty/events";
import { assert, describe, it } from "vitest";
import { encodeStatus, fastEncodeStatus } from "../src/views/status-encode.ts";
import { statusEvent } from "./support.ts";

const LANES = ["planned", "claimed", "in_progress", "for_review", "in_review", "approved", "done", "blocked", "canceled"] as const;
const EVIDENCE = { repos: [{ repo: "r", branch: "b", commit: "c" }], review: { reviewer: "x", verdict: "approved", reference: "r" } };
const STAMPS = ["2026-03-01T10:00:00+00:00", "2026-03-01T10:00:00.123456+02:00", "2026-03-01T10:00:00Z", "2026-03-01 10:00:00", "2026-03-01T10:00:00.5-05:30", "1772359200"];

const stepArb = fc.record({
  wp: fc.constantFrom("WP01", "WP02", "WP03"),
  from: fc.option(fc.constantFrom(...LANES), { nil: null }),
  to: fc.constantFrom(...LANES),
  force: fc.boolean(),
  evidence: fc.integer({ min: 0, max: 3 }),
  stamp: fc.constantFrom(...STAMPS),
  gap: fc.integer({ min: 0, max: 2 }),
  bogus: fc.integer({ min: 0, max: 12 }),
});

const reduced = fc.array(stepArb, { maxLength: 30 }).map((steps): ReducedStatus => {
  let lamport = 0;
  const events: Array<Event> = steps.map((s, i) => {
    lamport += s.gap;
    const e = statusEvent(7000 + i, { wp: s.wp, from: s.from, to: s.to, lamport });
    const payload: Record<string, unknown> = { ...(e["payload"] as object), force: s.force, reason: s.force ? "why" : null };
    if ((s.to === "done" || s.to === "approved") && s.evidence > 0) payload["evidence"] = EVIDENCE;
    if (s.bogus === 0) payload["to_lane"] = 7;
    return Either.getOrThrow(decodeEvent({ ...e, timestamp: s.stamp, payload }));
  });
  return reduceStatusEvents(events);
});

/** Outcome of an encoder as comparable text: the JSON, or the fact that it threw. */
const outcome = (f: (s: ReducedStatus) => unknown, s: ReducedStatus): string => {
  try {
    return JSON.stringify(f(s));
  } catch {
    return "<threw>";
  }
};

const schemaText = (s: ReducedStatus): string => outcome(encodeReducedStatus, s);

/** Values the Schema refuses or that leave the fast path's shape. */
const mutate = (s: ReducedStatus, m: number): ReducedStatus => {
  const wps = Object.keys(s.wp_states);
  const first = wps[0];
  switch (m) {
    case 0:
      return { ...s, event_count: -1 };
    case 1:
      return { ...s, event_count: 1.5 };
    case 2:
      return first === undefined ? s : { ...s, wp_states: { ...s.wp_states, [first]: { ...s.wp_states[first]!, current_lane: "doing" as never } } };
    case 3:
      return first === undefined ? s : { ...s, wp_states: { ...s.wp_states, [first]: { ...s.wp_states[first]!, last_transition_at: "2026-03-01" as never } } };
    case 4:
      return s.anomalies.length === 0 ? s : { ...s, anomalies: [{ ...s.anomalies[0]!, to_lane: "bogus" as never }, ...s.anomalies.slice(1)] };
    case 5:
      return { ...s, last_processed_event_id: 7 as never };
    default:
      return s;
  }
};

describe("the status view's fast encoder", () => {
  it("gives the Schema encoder's JSON for reducer outputs, and covers most of them", () => {
    let covered = 0;
    fc.assert(
      fc.property(reduced, (s) => {
        const fast = fastEncodeStatus(s);
        if (fast !== undefined) {
          covered++;
          assert.strictEqual(JSON.stringify(fast), schemaText(s));
        }
        assert.strictEqual(outcome(encodeStatus, s), schemaText(s));
      }),
      { numRuns: 500 },
    );
    assert.isAbove(covered, 250, "the fast path covers the common shape");
  });

  it("refuses (through the Schema) what the Schema refuses", () => {
    fc.assert(
      fc.property(reduced, fc.integer({ min: 0, max: 6 }), (s, m) => {
        const t = mutate(s, m);
        const f = fastEncodeStatus(t);
        if (f !== undefined) assert.strictEqual(JSON.stringify(f), schemaText(t));
        assert.strictEqual(outcome(encodeStatus, t), schemaText(t));
      }),
      { numRuns: 500 },
    );
  });

  it("a fast encoder that renders timestamps with `iso` is caught", () => {
    const wrong = (s: ReducedStatus): unknown => {
      const e = fastEncodeStatus(s);
      if (e === undefined) return encodeReducedStatus(s);
      const states: Record<string, unknown> = {};
      for (const [k, w] of Object.entries(s.wp_states)) states[k] = { ...(e.wp_states[k] as object), last_transition_at: w.last_transition_at.iso };
      return { ...e, wp_states: states };
    };
    const r = fc.check(
      fc.property(reduced, (s) => outcome(wrong, s) === schemaText(s)),
      { numRuns: 500 },
    );
    assert.isTrue(r.failed);
  });
});
