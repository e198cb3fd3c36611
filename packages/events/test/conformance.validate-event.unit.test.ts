import * as Either from "effect/Either";
import { describe, expect, it } from "vitest";
import { validateEnvelope, validateEvent, type ConformanceResult } from "../src/conformance/index.ts";

const drive = { participant_id: "p1", mission_id: "M1", intent: "active" };
const envelope = {
  event_id: "01J0000000000000000000F001",
  event_type: "DriveIntentSet",
  aggregate_id: "mission/M1",
  payload: drive,
  timestamp: "2026-01-01T00:00:00+00:00",
  build_id: "b",
  node_id: "n",
  lamport_clock: 1,
  correlation_id: "01J0000000000000000000CR01",
  project_uuid: "00000000-0000-0000-0000-000000000001",
  schema_version: "3.0.0",
};

const ok = (u: unknown, t: string): ConformanceResult => {
  const r = validateEvent(u, t);
  if (Either.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

describe("validateEvent", () => {
  it("an unknown event type is an error value, not a verdict", () => {
    const r = validateEvent(drive, "FeatureCompleted");
    expect(Either.isLeft(r) && [r.left._tag, r.left.message]).toEqual(["UnknownEventTypeError", "Unknown event type: 'FeatureCompleted'"]);
  });

  it("a bare payload: no cutover gate, unknown keys ignored where the contract ignores them", () => {
    expect(ok({ ...drive, feature_slug: "x" }, "DriveIntentSet")).toEqual({
      event_type: "DriveIntentSet",
      valid: true,
      violations: [],
      envelope: false,
    });
  });

  it("an envelope of the named type: its payload is judged and the gate runs; identity fields are not checked", () => {
    const minimal = { event_type: "DriveIntentSet", schema_version: "3.0.0", payload: drive };
    expect(ok(minimal, "DriveIntentSet")).toEqual(expect.objectContaining({ valid: true, envelope: true }));
    const legacy = ok({ ...minimal, schema_version: "2.0.0" }, "DriveIntentSet");
    expect(legacy.violations.map((v) => [v.code, v.path, v.message])).toEqual([
      ["ENVELOPE_SHAPE_INVALID", ["schema_version"], "unsupported cutover major version in 'schema_version': '2.0.0'"],
    ]);
    const bad = ok({ ...minimal, payload: { ...drive, intent: 7 } }, "DriveIntentSet");
    expect(bad.valid).toBe(false);
    expect(bad.violations.every((v) => v.path[0] === "payload" && v.path[1] === "intent")).toBe(true);
  });

  it("an envelope of another type is judged as a payload (and fails)", () => {
    expect(ok(envelope, "WPStatusChanged").valid).toBe(false);
  });

  it("Event: the whole envelope, cutover gate first, forbidden keys each with their path", () => {
    expect(ok(envelope, "Event").valid).toBe(true);
    const r = ok({ ...envelope, payload: { a: { feature_slug: 1 }, mission_key: 2 } }, "Event");
    expect(r.violations.map((v) => [v.code, v.path])).toEqual([
      ["FORBIDDEN_KEY", ["payload", "a", "feature_slug"]],
      ["FORBIDDEN_KEY", ["payload", "mission_key"]],
    ]);
    const both = ok({ ...envelope, schema_version: undefined, lamport_clock: -1 }, "Event");
    expect(both.violations.map((v) => v.path[0])).toEqual(["schema_version", "lamport_clock"]);
    expect(ok({ ...envelope, event_type: "FeatureCreated" }, "Event").violations[0]?.path).toEqual(["event_type"]);
    expect(ok({ ...envelope, aggregate_id: "feature/x" }, "Event").violations[0]?.path).toEqual(["aggregate_id"]);
  });
});

describe("validateEnvelope (ingress classes)", () => {
  const wp = {
    ...envelope,
    event_type: "WPStatusChanged",
    payload: { mission_slug: "m", wp_id: "WP01", from_lane: "planned", to_lane: "claimed", actor: "a", execution_mode: "worktree" },
  };

  it.each([
    ["valid", wp, undefined],
    ["not an object", [wp], "ENVELOPE_SHAPE_INVALID"],
    ["missing payload", { ...wp, payload: undefined }, "ENVELOPE_SHAPE_INVALID"],
    ["forbidden key before anything else", { ...wp, feature_slug: "x", lamport_clock: -1 }, "FORBIDDEN_KEY"],
    ["payload not an object", { ...wp, payload: [] }, "PAYLOAD_SCHEMA_FAIL"],
    ["lane not text", { ...wp, payload: { ...wp.payload, to_lane: 3 } }, "PAYLOAD_SCHEMA_FAIL"],
    ["unknown lane", { ...wp, payload: { ...wp.payload, to_lane: "blockd" } }, "UNKNOWN_LANE"],
    ["alias lane is fine", { ...wp, payload: { ...wp.payload, from_lane: "claimed", to_lane: "doing" } }, undefined],
    ["envelope field", { ...wp, lamport_clock: -1 }, "ENVELOPE_SHAPE_INVALID"],
    ["typed payload", { ...wp, payload: { ...wp.payload, execution_mode: "cloud" } }, "PAYLOAD_SCHEMA_FAIL"],
  ] as const)("%s", (_name, input, code) => {
    const clean = JSON.parse(JSON.stringify(input)) as unknown; // drops undefined keys, as JSON would
    expect(validateEnvelope(clean)?.code).toBe(code);
  });
});
