import { assert, describe, it } from "@effect/vitest";
import { FastCheck as fc } from "effect";
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
const reduce = (events: ReadonlyArray<Event>) => encodeReducedStatus(reduceStatusEvents(events));

describe("reduceStatusEvents laws", () => {
  it("any permutation of events with distinct ids gives the same state", () => {
    fc.assert(
      fc.property(
        streamArb.chain((specs) => {
          const events = specs.map((s, i) => toEvent(s, i));
          return fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length }));
        }),
        ([events, shuffled]) => {
          assert.deepStrictEqual(reduce(shuffled), reduce(events));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("adding duplicates (also with the id spelled in lower case) changes nothing", () => {
    fc.assert(
      fc.property(
        streamArb.filter((s) => s.length > 0).chain((specs) =>
          fc.tuple(
            fc.constant(specs),
            fc.array(fc.tuple(fc.nat({ max: specs.length - 1 }), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 10 }),
          ),
        ),
        ([specs, dups]) => {
          const events = specs.map((s, i) => toEvent(s, i));
          const withDups = [...events];
          for (const [which, where, lower] of dups) {
            withDups.splice(where % (withDups.length + 1), 0, toEvent(specs[which]!, which, lower));
          }
          assert.deepStrictEqual(reduce(withDups), reduce(events));
        },
      ),
      { numRuns: 300 },
    );
  });
});
