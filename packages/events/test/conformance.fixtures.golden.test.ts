import * as Either from "effect/Either";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  assertProducerOccurrencePreserved,
  resolveLegacyLane,
  validateEnvelope,
  validateEvent,
} from "../src/conformance/index.ts";
import { NormalizedEnvelope, normalizeLegacyEnvelope, UnnormalizableLegacyDiagnostic } from "../src/core/index.ts";
import { canonicalToSyncV1, isLane } from "../src/status/index.ts";
import { fixturesDir, readJson } from "./conformance.shared-dir.ts";

interface Entry {
  readonly id: string;
  readonly path: string;
  readonly expected_result: "valid" | "invalid";
  readonly event_type: string;
  readonly fixture_type?: string;
}
interface ClassEntry {
  readonly id: string;
  readonly class: string;
  readonly path: string;
  readonly expected: "valid" | "invalid";
  readonly expected_error_code?: string;
  readonly event_type: string;
}
interface Manifest {
  readonly fixtures: ReadonlyArray<Entry>;
  readonly classes: { readonly entries: ReadonlyArray<ClassEntry> };
}

const root = fixturesDir();
const manifest = readJson(path.join(root, "manifest.json")) as Manifest;
const present = (p: string): boolean => existsSync(path.join(root, p));
const load = (p: string): unknown => readJson(path.join(root, p));
const loadLines = (p: string): ReadonlyArray<Record<string, unknown>> =>
  readFileSync(path.join(root, p), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

// Gate events (GatePassed/GateFailed) are outside the contract families this package implements.
const OUT_OF_SCOPE_TYPES = new Set(["GatePassed", "GateFailed"]);

const inScope = manifest.fixtures.filter((f) => present(f.path) && !OUT_OF_SCOPE_TYPES.has(f.event_type));
const classEntries = manifest.classes.entries.filter((e) => present(e.path));

/** The verdict of one manifest entry, dispatched on its kind. */
const judge = (f: Entry): boolean => {
  if (f.fixture_type === "replay_stream") return judgeReplay(f.path);
  const data = load(f.path) as Record<string, unknown>;
  if (f.fixture_type === "legacy_normalization") return judgeLegacy(data);
  if (f.fixture_type === "timestamp_semantics") {
    const sim = data["consumer_simulation"] as { persisted_occurrence_time: string };
    return Either.isRight(
      assertProducerOccurrencePreserved(data["envelope"] as Record<string, unknown>, sim.persisted_occurrence_time),
    );
  }
  if (f.event_type === "LaneMapping") return judgeLaneMapping(data as unknown as ReadonlyArray<Record<string, unknown>>);
  if (f.path.startsWith("class_taxonomy/")) {
    const input = data["input"];
    return data["class"] === "lane_mapping_legacy"
      ? resolveLegacyLane((input as Record<string, unknown>)["legacy_lane"], (input as Record<string, unknown>)["canonical_lane"]) === undefined
      : validateEnvelope(input) === undefined;
  }
  // The reference's suite: a fixture marked valid must pass the model layer; one marked invalid must fail
  // the dual (model + JSON Schema) verdict.
  const r = validateEvent(data, f.event_type, { layer: f.expected_result === "valid" ? "model" : "wire" });
  if (Either.isLeft(r)) throw new Error(r.left.message);
  return r.right.valid;
};

const judgeLegacy = (data: Record<string, unknown>): boolean => {
  const r = normalizeLegacyEnvelope(data["input"]);
  if (r instanceof NormalizedEnvelope) {
    expect(r.legacy_shape).toBe(data["legacy_shape"]);
    return true;
  }
  expect(r).toBeInstanceOf(UnnormalizableLegacyDiagnostic);
  expect(r.reason).toBe(data["expected_reason"]);
  return false;
};

const judgeLaneMapping = (pairs: ReadonlyArray<Record<string, unknown>>): boolean =>
  pairs.every((p) => {
    const canonical = p["canonical"];
    if (!isLane(canonical)) return false;
    return p["expected_sync"] === undefined || canonicalToSyncV1(canonical) === p["expected_sync"];
  });

const judgeReplay = (p: string): boolean => {
  const lines = loadLines(p);
  if (p === "edge_cases/replay/wp_review_rejection_cycle.jsonl") {
    // Shape-only: its ids are not valid ULIDs, so the lines cannot become envelopes.
    const clocks = lines.map((l) => l["lamport_clock"]);
    const forced = lines.filter((l) => (l["payload"] as Record<string, unknown>)["force"] === true).map((l) => l["lamport_clock"]);
    const modelValid = lines.map((l) => {
      const r = validateEvent(l["payload"], "WPStatusChanged", { layer: "model" });
      return Either.isRight(r) && r.right.valid;
    });
    const approved = lines.map((l) => (l["payload"] as Record<string, unknown>)["to_lane"] === "approved");
    return (
      lines.length === 11 &&
      clocks.every((c, i) => c === i + 1) &&
      forced.length === 1 &&
      forced[0] === 6 &&
      modelValid.every((ok, i) => ok || approved[i] === true)
    );
  }
  return lines.every((l) => {
    const env = validateEvent(l, "Event");
    const payload = validateEvent(l["payload"], String(l["event_type"]));
    return Either.isRight(env) && env.right.valid && Either.isRight(payload) && payload.right.valid;
  });
};

describe("conformance fixtures (manifest-driven)", () => {
  it("the manifest has in-scope entries, and only gate fixtures are left out among present files", () => {
    expect(inScope.length).toBeGreaterThan(80);
    const leftOut = manifest.fixtures.filter((f) => present(f.path) && OUT_OF_SCOPE_TYPES.has(f.event_type));
    expect(leftOut.map((f) => f.path).sort()).toEqual([
      "events/invalid/gate_failed_invalid_conclusion.json",
      "events/valid/gate_failed.json",
      "events/valid/gate_passed.json",
    ]);
  });

  it.each(inScope.map((f) => [f.id, f] as const))("%s", (_id, f) => {
    expect(judge(f)).toBe(f.expected_result === "valid");
  });
});

describe("class taxonomy (manifest classes)", () => {
  it.each(classEntries.map((e) => [e.id, e] as const))("%s", (_id, e) => {
    const input = (load(e.path) as Record<string, unknown>)["input"];
    const issue =
      e.class === "lane_mapping_legacy"
        ? resolveLegacyLane((input as Record<string, unknown>)["legacy_lane"], (input as Record<string, unknown>)["canonical_lane"])
        : validateEnvelope(input);
    if (e.expected === "valid") {
      expect(issue).toBeUndefined();
      return;
    }
    expect(issue).toBeDefined();
    // Raw historical rows may be rejected with any code; every other class pins its code.
    if (e.class !== "historical_row_raw") expect(issue?.code).toBe(e.expected_error_code);
  });
});
