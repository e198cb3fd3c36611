import { describe, expect, it } from "vitest";
import { checkCutoverSignal, isPreCutoverPayload } from "../src/core/index.ts";

const env = (over: Record<string, unknown>): Record<string, unknown> => ({
  event_type: "MissionCreated",
  aggregate_id: "mission/M1",
  schema_version: "3.0.0",
  payload: { mission_slug: "m" },
  ...over,
});

describe("cutover gate", () => {
  it("passes a canonical envelope", () => {
    expect(checkCutoverSignal(env({}))).toBeUndefined();
    expect(isPreCutoverPayload(env({}))).toBe(false);
  });

  it.each([
    [{ schema_version: undefined }, "missing canonical cutover signal 'schema_version'"],
    [{ schema_version: null }, "missing canonical cutover signal 'schema_version'"],
    [{ schema_version: "x.0.0" }, "cutover signal must start with a numeric major version: 'x.0.0'"],
    [{ schema_version: "" }, "cutover signal must start with a numeric major version: ''"],
    [{ schema_version: "2.9.0" }, "unsupported cutover major version in 'schema_version': '2.9.0'"],
    [{ schema_version: "1.0.0" }, "unsupported cutover major version in 'schema_version': '1.0.0'"],
    [{ schema_version: "3.1.0" }, "cutover signal must equal '3.0.0'; got '3.1.0'"],
    [{ schema_version: "3" }, "cutover signal must equal '3.0.0'; got '3'"],
    [
      { payload: { feature_slug: "a", nested: [{ mission_key: 1 }] } },
      "payload contains forbidden legacy keys: ['feature_slug', 'mission_key']",
    ],
    [{ legacy_aggregate_id: "x" }, "payload contains forbidden legacy keys: ['legacy_aggregate_id']"],
    [{ event_type: "FeatureCreated" }, "payload contains forbidden legacy event names: ['FeatureCreated']"],
    [{ event_type: "FeatureClosed" }, "payload contains forbidden legacy event names: ['FeatureClosed']"],
    [{ aggregate_id: "feature/001-x" }, "payload contains forbidden legacy aggregate names: ['feature']"],
    [{ aggregate_id: "feature_catalog" }, "payload contains forbidden legacy aggregate names: ['feature_catalog']"],
  ] as ReadonlyArray<[Record<string, unknown>, string]>)("%j -> %s", (over, message) => {
    const e = env(over);
    if ("schema_version" in over && over["schema_version"] === undefined) delete e["schema_version"];
    expect(checkCutoverSignal(e)).toBe(message);
    expect(isPreCutoverPayload(e)).toBe(true);
  });

  it("checks in order: version before keys before names before aggregates", () => {
    const all = env({ schema_version: "2.0.0", feature_slug: 1, event_type: "FeatureCreated", aggregate_id: "feature/x" });
    expect(checkCutoverSignal(all)).toMatch(/^unsupported cutover major/);
    const noVersion: Record<string, unknown> = { ...all, schema_version: "3.0.0" };
    expect(checkCutoverSignal(noVersion)).toMatch(/forbidden legacy keys/);
    const { feature_slug: _, ...noKeys } = noVersion;
    expect(checkCutoverSignal(noKeys)).toMatch(/forbidden legacy event names/);
    expect(checkCutoverSignal({ ...noKeys, event_type: "MissionCreated" })).toMatch(/forbidden legacy aggregate names/);
  });

  it("an aggregate that merely starts with 'feature' text is fine", () => {
    expect(checkCutoverSignal(env({ aggregate_id: "features/x" }))).toBeUndefined();
    expect(checkCutoverSignal(env({ aggregate_id: "mission/feature" }))).toBeUndefined();
  });
});
