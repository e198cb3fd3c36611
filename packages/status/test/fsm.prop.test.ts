import { FastCheck as fc } from "effect";
import * as Either from "effect/Either";
import { describe, expect, it } from "vitest";
import { type GuardInput, isLegacyAliasNoop, LANES, resolveLaneAlias, validateTransition } from "../src/fsm/index.ts";
import { EXPECTED_EDGES } from "./support/expected-fsm.ts";

const EDGES = new Set(EXPECTED_EDGES);
const FROM = ["genesis", ...LANES] as const;
const from = fc.constantFrom(...FROM);
const to = fc.constantFrom(...LANES);
const text = fc.oneof(fc.constant(undefined), fc.constant(""), fc.constant("   "), fc.string({ minLength: 1, maxLength: 8 }));
const review = fc.oneof(
  fc.constant(undefined),
  fc.record({
    reviewer: fc.constantFrom("", "rev"),
    verdict: fc.constantFrom("", "approved", "changes_requested"),
    reference: fc.constantFrom("", "ref-1", "ref-2"),
  }),
);
const guardInput: fc.Arbitrary<GuardInput> = fc.record({
  actor: text,
  reason: text,
  workspaceContext: text,
  reviewRef: fc.oneof(text, fc.constant("ref-1")),
  subtasksComplete: fc.oneof(fc.constant(undefined), fc.boolean()),
  implementationEvidencePresent: fc.oneof(fc.constant(undefined), fc.boolean()),
  reviewResult: review,
  evidence: fc.oneof(fc.constant(undefined), review.filter((r) => r !== undefined).map((r) => ({ review: r }))),
  force: fc.boolean(),
});
const nonBlank = (s: string | null | undefined) => s !== undefined && s !== null && s.trim() !== "";
/** Random spellings of one lane name: case changes and surrounding whitespace. */
const spelling = (lane: string) =>
  fc.tuple(fc.array(fc.boolean(), { minLength: lane.length, maxLength: lane.length }), fc.constantFrom("", " ", "\t"), fc.constantFrom("", "  "))
    .map(([upper, pre, post]) => pre + [...lane].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("") + post);

describe("FSM properties against the reference table", () => {
  it("without force, an edge outside the table is always illegal, whatever the guard input", () => {
    fc.assert(
      fc.property(from, to, guardInput, (f, t, g) => {
        fc.pre(!EDGES.has(`${f}>${t}`));
        const result = validateTransition(f, t, { ...g, force: false });
        expect(Either.isLeft(result) && result.left).toEqual({ code: "ILLEGAL_TRANSITION", message: `Illegal transition: ${f} -> ${t}` });
      }),
    );
  });

  it("with force, any source and display target is accepted exactly when actor and reason are non-blank", () => {
    fc.assert(
      fc.property(from, to, guardInput, (f, t, g) => {
        const result = validateTransition(f, t, { ...g, force: true });
        if (nonBlank(g.actor) && nonBlank(g.reason)) expect(Either.getOrThrow(result)).toEqual({ from: f, to: t, forced: true });
        else expect(Either.isLeft(result) && result.left.code).toBe("FORCE_REQUIRES_ACTOR_AND_REASON");
      }),
    );
  });

  it("terminal lanes and self-transitions are left only by force", () => {
    fc.assert(
      fc.property(to, to, guardInput, (f, t, g) => {
        fc.pre(f === "done" || f === "canceled" || f === t);
        expect(Either.isLeft(validateTransition(f, t, { ...g, force: false }))).toBe(true);
      }),
    );
  });

  it("a table edge is refused only by its guard: accepted inputs never name another failure", () => {
    fc.assert(
      fc.property(from, to, guardInput, (f, t, g) => {
        fc.pre(EDGES.has(`${f}>${t}`));
        const result = validateTransition(f, t, { ...g, force: false });
        if (Either.isLeft(result)) expect(result.left.code).toBe("GUARD_FAILED");
        else expect(result.right).toEqual({ from: f, to: t, forced: false });
      }),
    );
  });

  it("genesis is never a target and uninitialized never moves, forced or not", () => {
    fc.assert(
      fc.property(from, guardInput, (f, g) => {
        expect(Either.isLeft(validateTransition(f, "genesis", { ...g, actor: "a", reason: "r" }))).toBe(true);
        expect(Either.isLeft(validateTransition("uninitialized", f === "genesis" ? "planned" : f, { ...g, actor: "a", reason: "r" }))).toBe(true);
      }),
    );
  });

  it("any spelling of a lane (case, whitespace) and the doing alias validate like the canonical name", () => {
    fc.assert(
      fc.property(
        from.chain((f) => fc.tuple(fc.constant(f), spelling(f))),
        to.chain((t) => fc.tuple(fc.constant(t), spelling(t === "in_progress" ? "doing" : t))),
        guardInput,
        ([f, fs], [t, ts], g) => {
          expect(resolveLaneAlias(fs)).toBe(f);
          expect(resolveLaneAlias(ts)).toBe(t);
          const canonical = validateTransition(f, t, g);
          const spelled = validateTransition(fs, ts, g);
          if (Either.isRight(canonical)) expect(Either.getOrThrow(spelled)).toEqual(canonical.right);
          else expect(Either.isLeft(spelled) && spelled.left.code).toBe(canonical.left.code);
        },
      ),
    );
  });

  it("the alias no-op fires only for an alias spelling that resolves to the current lane", () => {
    fc.assert(
      fc.property(to, to.chain((t) => spelling(t === "in_progress" ? "doing" : t)), (current, raw) => {
        const isAlias = raw.trim().toLowerCase() === "doing";
        expect(isLegacyAliasNoop(raw, current)).toBe(isAlias && current === "in_progress");
      }),
    );
  });
});
