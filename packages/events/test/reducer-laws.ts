import { assert, describe, it } from "@effect/vitest";
import { FastCheck as fc } from "effect";
import type { Event } from "../src/index.ts";

/**
 * The laws every event reducer obeys, as property tests: order does not matter for events with distinct ids, and
 * duplicates (also with the id spelled in lower case) change nothing. `toEvent(spec, index, lowerCaseId)` must give
 * the same event id for the same index.
 */
export const reducerLaws = <Spec>(
  name: string,
  streamArb: fc.Arbitrary<ReadonlyArray<Spec>>,
  toEvent: (spec: Spec, index: number, lowerCaseId?: boolean) => Event,
  reduce: (events: ReadonlyArray<Event>) => unknown,
): void => {
  describe(`${name} laws`, () => {
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
};
