import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { describe, expect, it } from "vitest";
import { EventId, normalizeEventId, normalizeUuid } from "../src/core/index.ts";

describe("event id normalisation", () => {
  it.each([
    ["01HV5Z3X9GQK8F7R2M4N6P8S0T", "01HV5Z3X9GQK8F7R2M4N6P8S0T"],
    ["01hv5z3x9gqk8f7r2m4n6p8s0t", "01HV5Z3X9GQK8F7R2M4N6P8S0T"],
    ["01Hv5z3X9gqk8F7r2M4n6P8s0T", "01HV5Z3X9GQK8F7R2M4N6P8S0T"],
    ["550E8400-E29B-41D4-A716-446655440000", "550e8400-e29b-41d4-a716-446655440000"],
    ["550e8400-e29b-41d4-a716-446655440000", "550e8400-e29b-41d4-a716-446655440000"],
    ["550e8400e29b41d4a716446655440000", "550e8400-e29b-41d4-a716-446655440000"],
    ["550E8400E29B41D4A716446655440000", "550e8400-e29b-41d4-a716-446655440000"],
    // no first-character check on ULIDs, as in the reference
    ["ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ"],
  ])("%s -> %s", (input, expected) => {
    expect(normalizeEventId(input)).toBe(expected);
    expect(Schema.decodeUnknownSync(EventId)(input)).toBe(expected);
  });

  it.each([
    "",
    "01HV5Z3X9GQK8F7R2M4N6P8S0", // 25
    "01HV5Z3X9GQK8F7R2M4N6P8S0TT", // 27
    "01HV5Z3X9GQK8F7R2M4N6P8S0I", // I
    "01HV5Z3X9GQK8F7R2M4N6P8S0L", // L
    "01HV5Z3X9GQK8F7R2M4N6P8S0O", // O
    "01HV5Z3X9GQK8F7R2M4N6P8S0u", // u
    "550e8400-e29b-41d4-a716-44665544000g",
    "550e8400e29b41d4a71644665544000g",
    "550e8400-e29b41d4-a716-4466554400000",
    "{550e8400-e29b-41d4-a716-446655440000}",
  ])("rejects %j", (input) => {
    expect(normalizeEventId(input)).toBeUndefined();
    expect(Either.isLeft(Schema.decodeUnknownEither(EventId)(input))).toBe(true);
  });

  it("rejects non-text ids", () => {
    expect(Either.isLeft(Schema.decodeUnknownEither(EventId)(12345678901234567890123456))).toBe(true);
    expect(Either.isLeft(Schema.decodeUnknownEither(EventId)(null))).toBe(true);
  });

  it("project UUIDs accept the spellings a UUID parser accepts", () => {
    const canonical = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
    expect(normalizeUuid("A1B2C3D4-E5F6-7890-ABCD-EF1234567890")).toBe(canonical);
    expect(normalizeUuid("a1b2c3d4e5f67890abcdef1234567890")).toBe(canonical);
    expect(normalizeUuid("{a1b2c3d4-e5f6-7890-abcd-ef1234567890}")).toBe(canonical);
    expect(normalizeUuid("urn:uuid:a1b2c3d4-e5f6-7890-abcd-ef1234567890")).toBe(canonical);
    expect(normalizeUuid("")).toBeUndefined();
    expect(normalizeUuid("a1b2c3d4-e5f6-7890-abcd-ef123456789")).toBeUndefined();
    expect(normalizeUuid("01HV5Z3X9GQK8F7R2M4N6P8S0T")).toBeUndefined();
  });
});
