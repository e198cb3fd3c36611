import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { describe, expect, it } from "vitest";
import { decodeEvent, encodeEvent, Event, type ValidationIssue } from "../src/core/index.ts";

const base = {
  event_id: "01JMXXXXXXXXXXXXXXXXXXXXXX",
  event_type: "TestEvent",
  aggregate_id: "test-aggregate",
  payload: { k: "v" },
  timestamp: "2026-01-15T10:00:00+00:00",
  build_id: "build-1",
  node_id: "node-1",
  lamport_clock: 0,
  project_uuid: "A1B2C3D4-E5F6-7890-ABCD-EF1234567890",
  correlation_id: "550e8400e29b41d4a716446655440000",
};

const issues = (u: unknown): ReadonlyArray<ValidationIssue> => {
  const r = decodeEvent(u);
  return Either.isLeft(r) ? r.left : [];
};

describe("Event envelope", () => {
  it("decodes with defaults and canonical forms, dropping unknown keys", () => {
    const e = Either.getOrThrow(decodeEvent({ ...base, team_slug: "x" }));
    expect(e.causation_id).toBeNull();
    expect(e.project_slug).toBeNull();
    expect(e.schema_version).toBe("3.0.0");
    expect(e.data_tier).toBe(0);
    expect(e.project_uuid).toBe("a1b2c3d4-e5f6-7890-abcd-ef1234567890");
    expect(e.correlation_id).toBe("550e8400-e29b-41d4-a716-446655440000");
    expect("team_slug" in e).toBe(false);
    expect(Schema.decodeUnknownSync(Event)({ ...base, team_slug: "x" })).toEqual(e);
  });

  it("payload defaults to an empty object", () => {
    const { payload: _, ...noPayload } = base;
    expect(Either.getOrThrow(decodeEvent(noPayload)).payload).toEqual({});
  });

  it("encodes to canonical wire JSON in declared order", () => {
    const e = Either.getOrThrow(decodeEvent({ ...base, causation_id: "01jmyyyyyyyyyyyyyyyyyyyyyy" }));
    const wire = encodeEvent(e);
    expect(Object.keys(wire)).toEqual([
      "event_id",
      "event_type",
      "aggregate_id",
      "payload",
      "timestamp",
      "build_id",
      "node_id",
      "lamport_clock",
      "causation_id",
      "project_uuid",
      "project_slug",
      "correlation_id",
      "schema_version",
      "data_tier",
    ]);
    expect(wire.timestamp).toBe("2026-01-15T10:00:00Z");
    expect(wire.causation_id).toBe("01JMYYYYYYYYYYYYYYYYYYYYYY");
    expect(Schema.encodeSync(Event)(e)).toEqual(wire);
  });

  it.each([
    ["lamport_clock", -1],
    ["lamport_clock", 1.5],
    ["lamport_clock", "5"],
    ["lamport_clock", true],
    ["data_tier", 5],
    ["data_tier", true],
    ["schema_version", "3.0"],
    ["schema_version", null],
    ["timestamp", 1700000000],
    ["timestamp", "yesterday"],
    ["event_id", "not-an-id"],
    ["causation_id", "x"],
    ["correlation_id", null],
    ["project_uuid", ""],
    ["project_slug", 0],
    ["event_type", ""],
    ["build_id", 0],
    ["node_id", null],
  ])("rejects %s = %j with a shape issue at that field", (field, value) => {
    const found = issues({ ...base, [field]: value });
    expect(found).toHaveLength(1);
    expect(found[0]?.code).toBe("ENVELOPE_SHAPE_INVALID");
    expect(found[0]?.path).toEqual([field]);
  });

  it("a non-object payload is a payload issue", () => {
    for (const payload of [[], "x", 0, null]) {
      const found = issues({ ...base, payload });
      expect(found.map((i) => [i.code, i.path])).toEqual([["PAYLOAD_SCHEMA_FAIL", ["payload"]]]);
    }
  });

  it("reports every missing required field", () => {
    const found = issues({ payload: {} });
    expect(found.map((i) => i.path[0])).toEqual([
      "event_id",
      "event_type",
      "aggregate_id",
      "timestamp",
      "build_id",
      "node_id",
      "lamport_clock",
      "project_uuid",
      "correlation_id",
    ]);
    expect(found.every((i) => i.message.endsWith("is required"))).toBe(true);
  });

  it("rejects non-objects at the root", () => {
    for (const u of [null, [], "x", 3]) {
      expect(issues(u).map((i) => [i.code, i.path])).toEqual([["ENVELOPE_SHAPE_INVALID", []]]);
    }
  });
});
