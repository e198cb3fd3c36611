import * as Either from "effect/Either";
import { describe, expect, it } from "vitest";
import {
  allEdges,
  allowedTargets,
  isLegacyAliasNoop,
  LANES,
  resolveLaneAlias,
  TERMINAL_LANES,
  validateTransition,
} from "../src/fsm/index.ts";
import type { GuardInput } from "../src/fsm/index.ts";
import { EXPECTED_EDGES } from "./support/expected-fsm.ts";


const rejection = (from: string, to: string, guard: GuardInput = {}) => {
  const result = validateTransition(from, to, guard);
  return Either.isLeft(result) ? result.left : null;
};

const approvedReview = { reviewer: "rev", verdict: "approved", reference: "ref-1" };

describe("transition table", () => {
  it("holds exactly the reference's 29 edges", () => {
    const edges = allEdges().map((e) => `${e.from}>${e.to}`);
    expect(new Set(edges)).toEqual(new Set(EXPECTED_EDGES));
    expect(edges).toHaveLength(29);
  });

  it("lists the nine display lanes in reference order", () => {
    expect(LANES).toEqual(["planned", "claimed", "in_progress", "for_review", "in_review", "approved", "done", "blocked", "canceled"]);
  });

  it("gives terminal lanes no targets", () => {
    expect([...TERMINAL_LANES].sort()).toEqual(["canceled", "done"]);
    expect(allowedTargets("done")).toEqual([]);
    expect(allowedTargets("canceled")).toEqual([]);
    expect(allowedTargets("blocked")).toEqual(["in_progress", "canceled"]);
  });
});

describe("validateTransition: lanes and force", () => {
  it("names an unknown lane as given", () => {
    expect(rejection("Planned-ish", "claimed")).toEqual({ code: "UNKNOWN_LANE", message: "Unknown lane: Planned-ish" });
    expect(rejection("planned", "review")).toEqual({ code: "UNKNOWN_LANE", message: "Unknown lane: review" });
  });

  it("refuses a missing edge without force", () => {
    expect(rejection("planned", "done")).toEqual({ code: "ILLEGAL_TRANSITION", message: "Illegal transition: planned -> done" });
    expect(rejection("done", "planned")).toEqual({ code: "ILLEGAL_TRANSITION", message: "Illegal transition: done -> planned" });
    expect(rejection("planned", "planned")).toEqual({ code: "ILLEGAL_TRANSITION", message: "Illegal transition: planned -> planned" });
  });

  it("never accepts genesis as a target, even forced", () => {
    expect(rejection("planned", "genesis", { force: true, actor: "a", reason: "r" })).toEqual({
      code: "ILLEGAL_TRANSITION",
      message: "Illegal transition: planned -> genesis",
    });
  });

  it("lets force through any edge with actor and reason, and only then", () => {
    const forced = validateTransition("done", "done", { force: true, actor: "merge-bot", reason: "merged" });
    expect(Either.getOrThrow(forced)).toEqual({ from: "done", to: "done", forced: true });
    const bootstrap = validateTransition("planned", "planned", { force: true, actor: "finalize-tasks", reason: "canonical bootstrap" });
    expect(Either.isRight(bootstrap)).toBe(true);
    const message = "Force transitions require actor and reason";
    expect(rejection("done", "planned", { force: true, actor: "a" })).toEqual({ code: "FORCE_REQUIRES_ACTOR_AND_REASON", message });
    expect(rejection("done", "planned", { force: true, reason: "r", actor: "  " })).toEqual({ code: "FORCE_REQUIRES_ACTOR_AND_REASON", message });
    // Force on a table edge still needs both, even though the guard would pass.
    expect(rejection("planned", "blocked", { force: true, actor: "a" })?.code).toBe("FORCE_REQUIRES_ACTOR_AND_REASON");
  });

  it("force bypasses a failing guard", () => {
    expect(Either.isRight(validateTransition("in_progress", "for_review", { force: true, actor: "a", reason: "skip" }))).toBe(true);
  });

  it("resolves the doing alias after trimming and lower-casing", () => {
    expect(resolveLaneAlias("  DOING ")).toBe("in_progress");
    expect(resolveLaneAlias("In_Review")).toBe("in_review");
    const ok = validateTransition("claimed", " Doing", { workspaceContext: "worktree:/repo" });
    expect(Either.getOrThrow(ok)).toEqual({ from: "claimed", to: "in_progress", forced: false });
  });

  it("treats an alias that lands on the current lane as a no-op, but not the canonical name", () => {
    expect(isLegacyAliasNoop("doing", "in_progress")).toBe(true);
    expect(isLegacyAliasNoop(" DOING", "in_progress")).toBe(true);
    expect(isLegacyAliasNoop("in_progress", "in_progress")).toBe(false);
    expect(isLegacyAliasNoop("doing", "claimed")).toBe(false);
  });
});

describe("validateTransition: guards and their messages", () => {
  it("planned -> claimed and for_review -> in_review need an actor", () => {
    const message = "Transition requires actor identity";
    expect(rejection("planned", "claimed", { actor: " " })).toEqual({ code: "GUARD_FAILED", message });
    expect(rejection("for_review", "in_review")).toEqual({ code: "GUARD_FAILED", message });
    expect(rejection("planned", "claimed", { actor: "me" })).toBeNull();
    // The reference no longer refuses a second reviewer here.
    expect(rejection("for_review", "in_review", { actor: "me", currentActor: "someone-else" })).toBeNull();
  });

  it("claimed -> in_progress needs a workspace context", () => {
    expect(rejection("claimed", "in_progress")?.message).toBe("Transition claimed -> in_progress requires workspace context");
    expect(rejection("claimed", "in_progress", { workspaceContext: "worktree:/r" })).toBeNull();
  });

  it("in_progress -> for_review needs completed subtasks, then implementation evidence", () => {
    expect(rejection("in_progress", "for_review", { implementationEvidencePresent: true })?.message).toBe(
      "Transition in_progress -> for_review requires completed subtasks or force with reason",
    );
    expect(rejection("in_progress", "for_review", { subtasksComplete: true })?.message).toBe(
      "Transition in_progress -> for_review requires implementation evidence or force with reason",
    );
    expect(rejection("in_progress", "for_review", { subtasksComplete: true, implementationEvidencePresent: true })).toBeNull();
  });

  it("in_progress -> planned needs a reason; approved -> in_progress/planned a review_ref", () => {
    expect(rejection("in_progress", "planned")?.message).toBe("Transition in_progress -> planned requires reason");
    expect(rejection("approved", "in_progress")?.message).toBe("Transition requires review_ref (review feedback reference)");
    expect(rejection("approved", "planned", { reviewRef: "feedback://x" })).toBeNull();
  });

  it("approval needs reviewer, reference and verdict approved", () => {
    const message = "Transition to approved/done requires evidence (reviewer identity and approval reference)";
    expect(rejection("approved", "done")?.message).toBe(message);
    expect(rejection("approved", "done", { evidence: { review: { ...approvedReview, verdict: "changes_requested" } } })?.message).toBe(message);
    expect(rejection("in_progress", "approved", { evidence: { review: { ...approvedReview, reference: " " } } })?.message).toBe(message);
    expect(rejection("approved", "done", { evidence: { review: approvedReview } })).toBeNull();
  });

  it("leaving in_review needs a complete review_result, checked field by field", () => {
    expect(rejection("in_review", "planned")?.message).toBe("Transition from in_review requires review_result (structured review outcome)");
    expect(rejection("in_review", "planned", { reviewResult: { reviewer: "", verdict: "x", reference: "r" } })?.message).toBe(
      "Transition from in_review requires review_result with reviewer",
    );
    expect(rejection("in_review", "blocked", { reviewResult: { reviewer: "a", verdict: " ", reference: "r" } })?.message).toBe(
      "Transition from in_review requires review_result with verdict",
    );
    expect(rejection("in_review", "canceled", { reviewResult: { reviewer: "a", verdict: "v", reference: "" } })?.message).toBe(
      "Transition from in_review requires review_result with reference",
    );
    expect(rejection("in_review", "in_progress", { reviewResult: { reviewer: "a", verdict: "changes_requested", reference: "feedback://1" } })).toBeNull();
  });

  it("in_review -> approved/done also needs approval, from evidence or the verdict", () => {
    const rejected = { reviewer: "a", verdict: "changes_requested", reference: "r" };
    expect(rejection("in_review", "done", { reviewResult: rejected })?.message).toBe(
      "Transition to approved/done requires evidence (reviewer identity and approval reference)",
    );
    expect(rejection("in_review", "approved", { reviewResult: approvedReview })).toBeNull();
    expect(rejection("in_review", "done", { reviewResult: approvedReview, evidence: { review: approvedReview } })).toBeNull();
  });

  it("review_ref and evidence must agree with the review_result", () => {
    expect(rejection("in_review", "in_progress", { reviewResult: approvedReview, reviewRef: "other" })?.message).toBe(
      "review_ref must match review_result.reference",
    );
    expect(
      rejection("in_review", "approved", {
        reviewResult: approvedReview,
        evidence: { review: { ...approvedReview, reviewer: "someone-else" } },
      })?.message,
    ).toBe("Review evidence must match review_result");
    expect(rejection("in_review", "approved", { reviewResult: approvedReview, reviewRef: "ref-1" })).toBeNull();
  });

  it("unguarded edges need nothing", () => {
    expect(rejection("genesis", "planned")).toBeNull();
    expect(rejection("blocked", "in_progress")).toBeNull();
    expect(rejection("approved", "canceled")).toBeNull();
  });
});
