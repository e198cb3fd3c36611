import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  LEGACY_PROJECT_NAMESPACE,
  NormalizedEnvelope,
  normalizeLegacyEnvelope,
  UnnormalizableLegacyDiagnostic,
  uuid5,
  NAMESPACE_URL,
} from "../src/core/index.ts";
import { fixturesDir, readJson } from "./conformance.shared-dir.ts";

const pre30 = {
  event_id: "01J0000000000000000000F001",
  event_type: "MissionCreated",
  node_id: "fixture-node",
  build_id: "build-2026-01-01-fixture",
  payload: { mission_slug: "m" },
};

describe("legacy envelope normaliser", () => {
  it("uuid5 matches RFC 4122 (namespace as published)", () => {
    expect(LEGACY_PROJECT_NAMESPACE).toBe("fbed40a0-75c7-5b63-9cb5-040fd6aece46");
    // python: uuid.uuid5(uuid.NAMESPACE_URL, "https://example.com")
    expect(uuid5(NAMESPACE_URL, "https://example.com")).toBe("4fd35a71-71ef-5a55-a9d9-aa75c889a6d0");
  });

  it("pre-3.0 envelope: mints project_uuid, defaults schema_version and correlation_id, does not mutate", () => {
    const input = structuredClone(pre30);
    const r = normalizeLegacyEnvelope(input);
    expect(r).toBeInstanceOf(NormalizedEnvelope);
    if (!(r instanceof NormalizedEnvelope)) return;
    expect(r.legacy_shape).toBe("pre_3_0_envelope");
    expect(r.canonical["project_uuid"]).toBe("873c0327-5327-51c6-8a98-2b924f75ddf6");
    expect(r.canonical["schema_version"]).toBe("3.0.0");
    expect(r.canonical["correlation_id"]).toBe(pre30.event_id);
    expect(input).toEqual(pre30);
    expect(r.raw).toEqual(pre30);
  });

  it("pre-3.0 envelope keeps an existing schema_version and correlation_id", () => {
    const r = normalizeLegacyEnvelope({ ...pre30, schema_version: "2.0.0", correlation_id: "C" });
    expect(r instanceof NormalizedEnvelope && [r.canonical["schema_version"], r.canonical["correlation_id"]]).toEqual([
      "2.0.0",
      "C",
    ]);
  });

  it("pre-3.0 envelope without identity is a diagnostic naming what is missing", () => {
    const r = normalizeLegacyEnvelope({ ...pre30, node_id: "", build_id: undefined });
    expect(r).toBeInstanceOf(UnnormalizableLegacyDiagnostic);
    if (!(r instanceof UnnormalizableLegacyDiagnostic)) return;
    expect(r.reason).toBe("pre_3_0_envelope_missing_identity");
    expect(r.shape_hints).toEqual(["missing node_id", "missing build_id"]);
  });

  it("feature keys renamed at top level and in payload; existing mission keys win", () => {
    const raw = {
      project_uuid: "u",
      feature_slug: "001-x",
      feature_number: "001",
      mission_number: 7,
      payload: { feature_slug: "001-x", other: 1 },
    };
    const r = normalizeLegacyEnvelope(raw);
    expect(r instanceof NormalizedEnvelope && r.legacy_shape).toBe("feature_keys_envelope");
    if (!(r instanceof NormalizedEnvelope)) return;
    expect(r.canonical).toEqual({
      project_uuid: "u",
      mission_slug: "001-x",
      mission_number: 7,
      payload: { mission_slug: "001-x", other: 1 },
    });
    expect(raw.feature_slug).toBe("001-x");
  });

  it("awaiting-review synonym becomes in_review", () => {
    const r = normalizeLegacyEnvelope({ project_uuid: "u", payload: { to_lane: "awaiting-review" } });
    expect(r instanceof NormalizedEnvelope && [r.legacy_shape, r.canonical["payload"]]).toEqual([
      "awaiting_review_synonym",
      { to_lane: "in_review" },
    ]);
  });

  it("first matching shape wins, no chaining", () => {
    const r = normalizeLegacyEnvelope({ ...pre30, feature_slug: "x", payload: { to_lane: "awaiting-review" } });
    expect(r instanceof NormalizedEnvelope && r.legacy_shape).toBe("pre_3_0_envelope");
    if (!(r instanceof NormalizedEnvelope)) return;
    expect(r.canonical["feature_slug"]).toBe("x");
    expect(r.canonical["payload"]).toEqual({ to_lane: "awaiting-review" });
  });

  it("a canonical envelope or anything else is unrecognised, with sorted key hints", () => {
    const r = normalizeLegacyEnvelope({ zeta: 1, alpha: 2, project_uuid: "u", payload: {} });
    expect(r instanceof UnnormalizableLegacyDiagnostic && [r.reason, r.shape_hints]).toEqual([
      "unrecognized_legacy_shape",
      ["alpha", "payload", "project_uuid", "zeta"],
    ]);
  });

  it("reference fixtures", () => {
    const dir = path.join(fixturesDir(), "legacy");
    const ok = readJson(path.join(dir, "pre_3_0_envelope_normalizes.json")) as { input: unknown; legacy_shape: string };
    const r1 = normalizeLegacyEnvelope(ok.input);
    expect(r1 instanceof NormalizedEnvelope && r1.legacy_shape).toBe(ok.legacy_shape);
    expect(r1 instanceof NormalizedEnvelope && r1.canonical["project_uuid"]).toBe("873c0327-5327-51c6-8a98-2b924f75ddf6");
    const bad = readJson(path.join(dir, "unrecognized_legacy_diagnostic.json")) as { input: unknown; expected_reason: string };
    const r2 = normalizeLegacyEnvelope(bad.input);
    expect(r2 instanceof UnnormalizableLegacyDiagnostic && [r2.reason, r2.shape_hints]).toEqual([
      bad.expected_reason,
      ["another_field", "some_random_field"],
    ]);
  });
});
