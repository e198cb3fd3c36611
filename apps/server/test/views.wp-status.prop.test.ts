/**
 * The incremental per-WP status fold equals the events package's reducer over all of the WP's events, for any
 * sequence and any split into deliveries; in-order deliveries take the fast path.
 */
import * as Either from "effect/Either";
import { FastCheck as fc } from "effect";
import { decodeEvent, type Event } from "@spec-kitty/events";
import { assert, describe, it } from "vitest";
import { mergeStatus, reduceWp } from "../src/views/compute.ts";
import { WpStatus } from "../src/views/status-wp.ts";
import { statusEvent } from "./support.ts";

const LANES = ["planned", "claimed", "in_progress", "for_review", "in_review", "approved", "done", "blocked", "canceled"] as const;
const EVIDENCE = { repos: [{ repo: "r", branch: "b", commit: "c" }], review: { reviewer: "x", verdict: "approved", reference: "r" } };

const stepArb = fc.record({
  from: fc.option(fc.constantFrom(...LANES), { nil: null }),
  to: fc.constantFrom(...LANES),
  force: fc.boolean(),
  gap: fc.integer({ min: 0, max: 2 }),
  bogus: fc.integer({ min: 0, max: 12 }),
});

const build = (steps: ReadonlyArray<typeof stepArb extends fc.Arbitrary<infer T> ? T : never>): Array<Event> => {
  let lamport = 0;
  return steps.map((s, i) => {
    lamport += s.gap;
    const e = statusEvent(5000 + i, { wp: "WP07", from: s.from, to: s.to, lamport });
    const payload: Record<string, unknown> = { ...(e["payload"] as object), force: s.force, reason: s.force ? "why" : null };
    if (s.to === "done" || s.to === "approved") payload["evidence"] = EVIDENCE;
    if (s.bogus === 0) payload["to_lane"] = 7;
    return Either.getOrThrow(decodeEvent({ ...e, payload }));
  });
};

describe("per-WP status fold", () => {
  it("equals a full reduction for any split", () => {
    let fast = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 25 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }), (steps, cuts) => {
        const events = build(steps);
        const wp = new WpStatus();
        let at = 0;
        let k = 0;
        while (at < events.length) {
          const n = cuts[k++ % cuts.length]!;
          wp.add(events.slice(at, at + n));
          void wp.result;
          at += n;
        }
        const byId = new Map(events.map((e) => [e.event_id, e] as const));
        assert.deepStrictEqual(mergeStatus([wp.result], byId), mergeStatus([reduceWp(events)], byId));
        if (wp.fullReductions === 1) fast++;
      }),
      { numRuns: 400 },
    );
    assert.isAbove(fast, 40, "the fast path was taken");
  });

  it("a strictly ordered stream is folded without reducing from scratch again", () => {
    const events = build(LANES.slice(0, 5).map((to, i) => ({ from: i === 0 ? null : LANES[i - 1]!, to, force: false, gap: 1, bogus: 5 })));
    const wp = new WpStatus();
    for (const e of events) {
      wp.add([e]);
      void wp.result;
    }
    assert.strictEqual(wp.fullReductions, 1);
    assert.strictEqual((wp.result.wp_states["WP07"] as { current_lane: string }).current_lane, "in_review");
  });
});
