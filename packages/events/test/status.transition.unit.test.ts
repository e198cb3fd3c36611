import { assert, describe, it } from "@effect/vitest";
import { type Lane, LANES, validateTransition } from "../src/index.ts";

const t = (
  from: Lane | null,
  to: Lane,
  opts: { force?: boolean; reason?: string | null; review_ref?: string | null } = {},
) =>
  validateTransition({
    from_lane: from,
    to_lane: to,
    force: opts.force ?? false,
    reason: opts.reason ?? null,
    review_ref: opts.review_ref ?? null,
  });

// The reference's derived outcome table (unforced, reason given, no review_ref), transcribed by hand.
const UNFORCED_ACCEPTED: Record<string, ReadonlyArray<Lane>> = {
  None: ["planned"],
  genesis: ["planned", "blocked", "canceled"],
  planned: ["claimed", "blocked", "canceled"],
  claimed: ["in_progress", "blocked", "canceled"],
  in_progress: ["for_review", "approved", "blocked", "canceled"],
  for_review: ["in_review", "approved", "done", "blocked", "canceled"],
  in_review: ["for_review", "approved", "done", "blocked", "canceled"],
  approved: ["done", "blocked", "canceled"],
  blocked: ["in_progress", "blocked", "canceled"],
  done: [],
  canceled: [],
};
// Additionally accepted unforced once a non-blank review_ref is given.
const ACCEPTED_WITH_REVIEW_REF: Record<string, ReadonlyArray<Lane>> = {
  for_review: ["in_progress"],
  in_review: ["in_progress"],
  approved: ["in_progress"],
};
const FROM: ReadonlyArray<Lane | null> = [null, ...LANES];

describe("validateTransition: violation order and messages", () => {
  it("terminal exit, then matrix", () => {
    assert.deepStrictEqual(t("done", "for_review").violations, [
      "done is terminal; requires force=True to exit",
      "Transition done -> for_review is not allowed",
    ]);
    assert.deepStrictEqual(t("canceled", "canceled").violations, [
      "canceled is terminal; requires force=True to exit",
      "Transition canceled -> canceled is not allowed",
    ]);
  });

  it("review-rejection guard, then reason guard (unforced in_progress -> planned without reason)", () => {
    const r = t("in_progress", "planned", { reason: "  " });
    assert.isFalse(r.valid);
    assert.deepStrictEqual(r.violations, [
      "review-rejection rollback in_progress -> planned requires force=True",
      "in_progress -> planned requires reason",
    ]);
  });

  it("review-rejection guard, then review_ref guard (unforced for_review -> planned)", () => {
    assert.deepStrictEqual(t("for_review", "planned").violations, [
      "review-rejection rollback for_review -> planned requires force=True",
      "for_review -> planned requires review_ref",
    ]);
    assert.deepStrictEqual(t("approved", "planned", { review_ref: "rr", reason: "r" }).violations, [
      "review-rejection rollback approved -> planned requires force=True",
    ]);
  });

  it("a missing lane renders as None in the matrix message", () => {
    assert.deepStrictEqual(t(null, "claimed").violations, ["Transition None -> claimed is not allowed"]);
  });

  it("a blank review_ref counts as missing", () => {
    assert.deepStrictEqual(t("for_review", "in_progress", { review_ref: "  " }).violations, [
      "for_review -> in_progress requires review_ref",
    ]);
    assert.isTrue(t("for_review", "in_progress", { review_ref: "rr-1" }).valid);
  });

  it("forced transitions skip terminal and matrix checks but keep the review_ref guard for -> in_progress", () => {
    assert.isTrue(t("done", "genesis", { force: true, reason: "r" }).valid);
    assert.isTrue(t(null, "done", { force: true, reason: "r" }).valid);
    assert.isTrue(t("in_review", "planned", { force: true, reason: "r" }).valid);
    assert.deepStrictEqual(t("in_review", "in_progress", { force: true, reason: "r" }).violations, [
      "in_review -> in_progress requires review_ref",
    ]);
    assert.deepStrictEqual(t("in_progress", "planned", { force: true, reason: " " }).violations, [
      "in_progress -> planned requires reason",
    ]);
  });

  it("unforced outcomes match the reference's table for every (from, to) pair", () => {
    for (const from of FROM) {
      for (const to of LANES) {
        const key = from ?? "None";
        const plain = UNFORCED_ACCEPTED[key]!.includes(to);
        const withRef = plain || (ACCEPTED_WITH_REVIEW_REF[key] ?? []).includes(to);
        assert.strictEqual(t(from, to, { reason: "r" }).valid, plain, `${key} -> ${to}`);
        assert.strictEqual(t(from, to, { reason: "r", review_ref: "rr" }).valid, withRef, `${key} -> ${to} (review_ref)`);
      }
    }
  });

  it("forced outcomes: every pair passes except review lanes -> in_progress without review_ref", () => {
    for (const from of FROM) {
      for (const to of LANES) {
        const needsRef = (from === "for_review" || from === "in_review" || from === "approved") && to === "in_progress";
        assert.strictEqual(t(from, to, { force: true, reason: "r" }).valid, !needsRef, `${from} -> ${to}`);
        assert.isTrue(t(from, to, { force: true, reason: "r", review_ref: "rr" }).valid, `${from} -> ${to} (ref)`);
      }
    }
  });
});
