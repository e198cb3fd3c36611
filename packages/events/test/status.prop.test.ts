import { FastCheck as fc } from "effect";
import { reducerLaws } from "./reducer-laws.ts";
import { type Event, encodeReducedStatus, LANES, reduceStatusEvents } from "../src/index.ts";
import { EVIDENCE, makeEvent, ulid } from "./status.events-helpers.ts";

// Timestamps in the forms the goldens mix: Z, +00:00, a non-UTC offset, microseconds, naive.
const TIMESTAMPS = [
  "2026-03-01T00:00:00Z",
  "2026-03-01T00:00:00+00:00",
  "2026-03-01T02:00:00+02:00",
  "2026-03-01T00:00:00.500000Z",
  "2026-03-01 00:00:01",
];

const specArb = fc.record({
  wp: fc.constantFrom("WP01", "WP02"),
  from: fc.constantFrom<string | null>(null, "doing", ...LANES),
  to: fc.constantFrom<string>(...LANES),
  force: fc.boolean(),
  reason: fc.constantFrom<string | null>(null, "", "because"),
  reviewRef: fc.constantFrom<string | null>(null, " ", "rr-1"),
  evidence: fc.boolean(),
  broken: fc.boolean(),
  clock: fc.integer({ min: 0, max: 8 }),
  ts: fc.constantFrom(...TIMESTAMPS),
});
type Spec = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

const toEvent = (s: Spec, i: number, lowerCaseId = false): Event =>
  makeEvent({
    id: lowerCaseId ? ulid(i).toLowerCase() : ulid(i),
    type: "WPStatusChanged",
    clock: s.clock,
    timestamp: s.ts,
    payload: {
      mission_slug: "m-1",
      wp_id: s.wp,
      from_lane: s.from,
      to_lane: s.to,
      actor: "alice",
      force: s.force,
      reason: s.reason,
      review_ref: s.reviewRef,
      ...(s.evidence ? { evidence: EVIDENCE } : {}),
      // an invalid payload now and then, so parse anomalies take part too
      ...(s.broken && s.clock % 3 === 0 ? {} : { execution_mode: "worktree" }),
    },
  });

const streamArb = fc.array(specArb, { maxLength: 30 });
reducerLaws("reduceStatusEvents", streamArb, toEvent, (events) => encodeReducedStatus(reduceStatusEvents(events)));
