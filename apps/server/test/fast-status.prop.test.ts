/**
 * The ingest's fast check for `WPStatusChanged` payloads may only accept what the events package's model Schema
 * accepts (ADR-0009). Generated and mutated payloads: fast acceptance must imply the Schema's acceptance, and the
 * same property run against a deliberately lax check must find a counterexample (so this test can fail).
 */
import * as Either from "effect/Either";
import { FastCheck as fc } from "effect";
import { validateEvent } from "@spec-kitty/events";
import { assert, describe, it } from "vitest";
import { fastStatusPayloadAccepted } from "../src/ingest/fast-status.ts";

const schemaAccepts = (p: unknown): boolean => {
  const r = validateEvent(p, "WPStatusChanged", { layer: "model" });
  return Either.isRight(r) && r.right.valid;
};

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

const KEYS = ["mission_slug", "wp_id", "from_lane", "to_lane", "actor", "force", "reason", "execution_mode", "review_ref", "evidence", "extra", "feature_slug"] as const;
const value = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer({ min: -1, max: 2 }),
  fc.string({ maxLength: 4 }),
  fc.constantFrom("", " ", "  \t", "true", "yes", "0", "planned", "claimed", "in_progress", "for_review", "in_review", "approved", "done", "blocked", "canceled", "genesis", "doing", "Planned", "worktree", "direct_repo", "repo", "a reason"),
  fc.constant({}),
  fc.constant({ role: "implementer" }),
  fc.constant([]),
  fc.constant({ review_ref: "r", reviewer: "x" }),
);
const payloads = fc
  .tuple(fc.array(fc.tuple(fc.constantFrom("set", "delete"), fc.constantFrom(...KEYS), value), { maxLength: 4 }), fc.boolean())
  .map(([edits, asArray]) => {
    if (asArray && edits.length === 0) return [base()] as unknown;
    const p = base();
    for (const [op, k, v] of edits) {
      if (op === "delete") delete p[k];
      else p[k] = v;
    }
    return p as unknown;
  });

/** Runs the soundness property for `check`; returns the first counterexample found, if any. */
const counterexample = (check: (u: unknown) => boolean, seed: number): unknown => {
  const r = fc.check(fc.property(payloads, (p) => !check(p) || schemaAccepts(p)), { numRuns: 3000, seed });
  return r.failed ? r.counterexample : undefined;
};

describe("fast WPStatusChanged check", () => {
  it("accepts only payloads the model Schema accepts, and covers both verdicts", () => {
    let fast = 0;
    let refusedBySchema = 0;
    fc.assert(
      fc.property(payloads, (p) => {
        const ours = fastStatusPayloadAccepted(p);
        const schema = schemaAccepts(p);
        if (ours) fast++;
        if (!schema) refusedBySchema++;
        assert.isTrue(!ours || schema, `fast check accepted a payload the Schema refuses: ${JSON.stringify(p)}`);
      }),
      { numRuns: 3000 },
    );
    assert.isAbove(fast, 100, "the fast path accepted generated payloads");
    assert.isAbove(refusedBySchema, 500, "payloads the Schema refuses were generated");
  });

  it("a lax check (forced moves without the reason rule) is caught by the same property", () => {
    const lax = (u: unknown): boolean => {
      if (typeof u !== "object" || u === null) return false;
      const p = u as Record<string, unknown>;
      return fastStatusPayloadAccepted({ ...p, force: false });
    };
    assert.isDefined(counterexample(lax, 42));
    assert.isUndefined(counterexample(fastStatusPayloadAccepted, 42));
  });

  it("a check accepting excess keys is caught too", () => {
    const lax = (u: unknown): boolean => {
      if (typeof u !== "object" || u === null) return false;
      const { extra: _e, feature_slug: _f, ...rest } = u as Record<string, unknown>;
      return fastStatusPayloadAccepted(rest);
    };
    assert.isDefined(counterexample(lax, 7));
  });

  it("the bench's and the client's ordinary transitions take the fast path", () => {
    assert.isTrue(fastStatusPayloadAccepted(base()));
    assert.isTrue(fastStatusPayloadAccepted({ ...base(), from_lane: null, to_lane: "planned" }));
    assert.isFalse(fastStatusPayloadAccepted({ ...base(), to_lane: "done" }), "done needs evidence: left to the Schema");
  });
});
