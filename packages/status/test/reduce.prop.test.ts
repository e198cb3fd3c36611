import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { LANES } from "../src/fsm/index.ts";
import type { InnerStateChangedRow, LaneTransitionRow } from "../src/log/index.ts";
import { reduceRows } from "../src/reduce/index.ts";
import { annotation, at, transition } from "./support/rows.ts";

const wp = fc.constantFrom("WP01", "WP02", "WP03");
const lane = fc.constantFrom(...LANES);
const second = fc.integer({ min: 0, max: 5 }); // few distinct timestamps: plenty of ties
const transitionRow: fc.Arbitrary<LaneTransitionRow> = fc
  .record({ wp, from: lane, to: lane, s: second, force: fc.boolean(), ref: fc.constantFrom(null, "feedback://x") })
  .map(({ wp, from, to, s, force, ref }) => transition({ wp_id: wp, from_lane: from, to_lane: to, at: at(s), force, review_ref: ref }));
const annotationRow: fc.Arbitrary<InnerStateChangedRow> = fc
  .record({ wp, s: second, model: fc.constantFrom("a", "b", ""), note: fc.constantFrom(undefined, "n1", "n2") })
  .map(({ wp, s, model, note }) => annotation(wp, at(s), note === undefined ? { model } : { model, note }));

const shuffle = <T>(items: readonly T[], keys: readonly number[]): T[] =>
  items.map((item, i) => [keys[i % keys.length] ?? 0, i, item] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]);

describe("reduce properties", () => {
  it("is independent of file order and of re-delivered rows (parallel worktrees merge logs in any order)", () => {
    fc.assert(
      fc.property(
        fc.array(transitionRow, { maxLength: 25 }),
        fc.array(annotationRow, { maxLength: 10 }),
        fc.array(fc.integer(), { minLength: 1, maxLength: 40 }),
        (transitions, annotations, keys) => {
          const once = reduceRows(transitions, annotations);
          const mixed = reduceRows(shuffle([...transitions, ...transitions], keys), shuffle(annotations, keys));
          expect(mixed).toEqual(once);
        },
      ),
    );
  });

  it("summarises exactly the work packages on display lanes, and counts distinct transitions", () => {
    fc.assert(
      fc.property(fc.array(transitionRow, { maxLength: 25 }), fc.array(annotationRow, { maxLength: 10 }), (transitions, annotations) => {
        const snap = reduceRows([...transitions, ...transitions], annotations);
        const onBoard = Object.values(snap.work_packages).filter((s) => s.lane !== "uninitialized").length;
        expect(Object.keys(snap.summary).sort()).toEqual([...LANES].sort());
        expect(Object.values(snap.summary).reduce((a, b) => a + b, 0)).toBe(onBoard);
        expect(snap.event_count).toBe(transitions.length);
        const forced = transitions.filter((t) => t.force).length;
        expect(Object.values(snap.work_packages).reduce((a, s) => a + s.force_count, 0)).toBeLessThanOrEqual(forced);
      }),
    );
  });
});
