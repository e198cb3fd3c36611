import { assert, describe, it } from "@effect/vitest";
import * as Either from "effect/Either";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  canonicalToSyncV1,
  canonicalToSyncV2,
  decodePayload,
  DISPLAY_LANES,
  encodeDoneEvidence,
  LANES,
  normalizeLane,
  StatusTransitionPayload,
  StatusTransitionPayloadWire,
  STATUS_MODEL_SCHEMAS,
  STATUS_PAYLOAD_SCHEMAS,
  TERMINAL_LANES,
} from "../src/index.ts";
import { EVIDENCE, transition } from "./status.events-helpers.ts";
import { sharedDir } from "./status.golden-helpers.ts";

describe("lane vocabulary", () => {
  it("lists the ten canonical lanes in declaration order, genesis first", () => {
    assert.deepStrictEqual(LANES, [
      "genesis", "planned", "claimed", "in_progress", "for_review", "in_review", "approved", "done", "blocked", "canceled",
    ]);
    assert.deepStrictEqual(DISPLAY_LANES, [
      "planned", "claimed", "in_progress", "for_review", "in_review", "approved", "done", "blocked", "canceled",
    ]);
    assert.deepStrictEqual([...TERMINAL_LANES].sort(), ["canceled", "done"]);
  });

  it("resolves `doing` (exact, case-sensitive) and nothing else", () => {
    assert.deepStrictEqual(normalizeLane("doing"), Either.right("in_progress"));
    assert.deepStrictEqual(normalizeLane("genesis"), Either.right("genesis"));
    for (const bad of ["Doing", "awaiting-review", "in_reveiw", "", "paused", "cancelled"]) {
      const r = normalizeLane(bad);
      assert.isTrue(Either.isLeft(r), bad);
      if (Either.isLeft(r)) assert.include(r.left.message, "Unknown lane value");
    }
  });

  it("maps every lane to V1 and V2 sync lanes as the reference's table says", () => {
    const v1 = ["planned", "planned", "planned", "doing", "for_review", "for_review", "done", "done", "doing", "planned"];
    const v2 = ["planned", "planned", "planned", "doing", "for_review", "for_review", "approved", "done", "doing", "planned"];
    assert.deepStrictEqual(LANES.map(canonicalToSyncV1), v1);
    assert.deepStrictEqual(LANES.map(canonicalToSyncV2), v2);
  });

  it("agrees with the reference's lane-mapping fixtures", () => {
    const dir = path.join(sharedDir(), "fixtures/spec-kitty-events/lane_mapping");
    const valid = JSON.parse(fs.readFileSync(path.join(dir, "valid/all_canonical_to_sync_v1.json"), "utf8")) as Array<{
      canonical: string;
      expected_sync: string;
    }>;
    assert.isAtLeast(valid.length, 9);
    for (const row of valid) {
      const lane = normalizeLane(row.canonical);
      assert.isTrue(Either.isRight(lane), row.canonical);
      if (Either.isRight(lane)) assert.strictEqual(canonicalToSyncV1(lane.right), row.expected_sync, row.canonical);
    }
    const invalid = JSON.parse(fs.readFileSync(path.join(dir, "invalid/unknown_lanes.json"), "utf8")) as Array<{
      canonical: string;
    }>;
    // the fixture still lists in_review (canonical since 5.0.0), so only "at least one fails" holds
    assert.isTrue(invalid.some((row) => Either.isLeft(normalizeLane(row.canonical))));
  });
});

describe("StatusTransitionPayload", () => {
  it("accepts the doing alias at model strictness (normalised) but not at wire strictness", () => {
    const p = transition("WP01", "claimed", "doing");
    const model = decodePayload(StatusTransitionPayload, p);
    assert.isTrue(Either.isRight(model));
    if (Either.isRight(model)) assert.strictEqual(model.right.to_lane, "in_progress");
    assert.isTrue(Either.isLeft(decodePayload(StatusTransitionPayloadWire, p)));
    assert.isTrue(Either.isRight(decodePayload(STATUS_MODEL_SCHEMAS["WPStatusChanged"]!, p)));
    assert.isTrue(Either.isLeft(decodePayload(STATUS_PAYLOAD_SCHEMAS["WPStatusChanged"]!, p)));
  });

  it("coerces force leniently at model strictness only", () => {
    const p = transition("WP01", "planned", "claimed", { force: 0 });
    assert.isTrue(Either.isRight(decodePayload(StatusTransitionPayload, p)));
    assert.isTrue(Either.isLeft(decodePayload(StatusTransitionPayloadWire, p)));
  });

  it("enforces the business rules with the reference's messages", () => {
    const forced = decodePayload(StatusTransitionPayload, transition("WP01", "planned", "claimed", { force: true, reason: " " }));
    assert.isTrue(Either.isLeft(forced));
    if (Either.isLeft(forced)) assert.strictEqual(forced.left[0]?.message, "force=True requires a non-empty reason");
    const noEvidence = decodePayload(StatusTransitionPayload, { ...transition("WP01", "approved", "done"), evidence: null });
    assert.isTrue(Either.isLeft(noEvidence));
    if (Either.isLeft(noEvidence))
      assert.strictEqual(noEvidence.left[0]?.message, "to_lane in {'approved', 'done'} requires evidence");
  });

  it("rejects unknown keys and a blank or empty actor", () => {
    for (const p of [
      { ...transition("WP01", "planned", "claimed"), feature_slug: "001-x" },
      transition("WP01", "planned", "claimed", { actor: "   " }),
      transition("WP01", "planned", "claimed", { actor: {} }),
    ]) {
      assert.isTrue(Either.isLeft(decodePayload(StatusTransitionPayload, p)), JSON.stringify(p));
    }
    assert.isTrue(
      Either.isRight(decodePayload(StatusTransitionPayload, transition("WP01", "planned", "claimed", { actor: { role: "r" } }))),
    );
  });

  it("the semantic layer reports each lane-rule violation as its own issue", () => {
    const r = decodePayload(STATUS_PAYLOAD_SCHEMAS["WPStatusChanged"]!, transition("WP01", "done", "for_review"));
    assert.isTrue(Either.isLeft(r));
    if (Either.isLeft(r))
      assert.deepStrictEqual(r.left.map((i) => i.message), [
        "done is terminal; requires force=True to exit",
        "Transition done -> for_review is not allowed",
      ]);
  });

  it("dumps evidence with every default present and unknown keys dropped", () => {
    const r = decodePayload(StatusTransitionPayload, transition("WP01", "for_review", "done", {
      evidence: { ...EVIDENCE, extra: 1 },
    }));
    assert.isTrue(Either.isRight(r));
    if (Either.isRight(r) && r.right.evidence !== null)
      assert.deepStrictEqual(encodeDoneEvidence(r.right.evidence), {
        repos: [{ repo: "r", branch: "b", commit: "abc1234", files_touched: null }],
        verification: [],
        review: { reviewer: "rev", verdict: "approved", reference: null },
      });
  });
});
