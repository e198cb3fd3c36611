/**
 * ADR-0009 for the status reducer's hot path: `fastDecodeStatusTransition` answers either undefined or exactly
 * (key order included) what the `StatusTransitionPayload` Schema decodes, on generated and mutated payloads. The
 * same property run against a deliberately lax decoder must find a counterexample.
 */
import * as Either from "effect/Either";
import { FastCheck as fc } from "effect";
import { assert, describe, it } from "vitest";
import { decodePayload, StatusTransitionPayload } from "../src/index.ts";
import { fastDecodeStatusTransition } from "../src/status/payload-fast.ts";

const base = (): Record<string, unknown> => ({
  mission_slug: "m-1",
  wp_id: "WP01",
  from_lane: "planned",
  to_lane: "claimed",
  actor: "agent",
  force: false,
  reason: null,
  execution_mode: "worktree",
  review_ref: null,
  evidence: null,
});

const KEYS = ["mission_slug", "wp_id", "from_lane", "to_lane", "actor", "force", "reason", "execution_mode", "review_ref", "evidence", "extra"] as const;
const value = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer({ min: -1, max: 2 }),
  fc.string({ maxLength: 4 }),
  fc.constantFrom("", " ", "true", "yes", "planned", "claimed", "in_progress", "for_review", "in_review", "approved", "done", "blocked", "canceled", "genesis", "doing", "worktree", "direct_repo", "a reason"),
  fc.constant({}),
  fc.constant({ role: "implementer" }),
  fc.constant([]),
);
const payloads = fc.array(fc.tuple(fc.constantFrom("set", "delete"), fc.constantFrom(...KEYS), value), { maxLength: 4 }).map((edits) => {
  const p = base();
  for (const [op, k, v] of edits) {
    if (op === "delete") delete p[k];
    else p[k] = v;
  }
  return p;
});

type Decoder = (u: unknown) => unknown;
const agrees = (decode: Decoder) => (p: unknown): boolean => {
  const ours = decode(p);
  if (ours === undefined) return true;
  const schema = decodePayload(StatusTransitionPayload, p);
  return Either.isRight(schema) && JSON.stringify(schema.right) === JSON.stringify(ours);
};

describe("fastDecodeStatusTransition", () => {
  it("answers undefined or exactly the Schema's decoded value", () => {
    let fast = 0;
    let refused = 0;
    fc.assert(
      fc.property(payloads, (p) => {
        if (fastDecodeStatusTransition(p) !== undefined) fast++;
        if (Either.isLeft(decodePayload(StatusTransitionPayload, p))) refused++;
        assert.isTrue(agrees(fastDecodeStatusTransition)(p), JSON.stringify(p));
      }),
      { numRuns: 3000 },
    );
    assert.isAbove(fast, 200, "the fast path decoded generated payloads");
    assert.isAbove(refused, 300, "payloads the Schema refuses were generated");
  });

  it("a lax decoder (forced moves without a reason) is caught by the same property", () => {
    const lax: Decoder = (u) => {
      const p = u as Record<string, unknown>;
      const d = fastDecodeStatusTransition({ ...p, force: false });
      return d === undefined ? undefined : { ...d, force: p["force"] };
    };
    assert.isTrue(fc.check(fc.property(payloads, agrees(lax)), { numRuns: 3000, seed: 3 }).failed);
  });
});
