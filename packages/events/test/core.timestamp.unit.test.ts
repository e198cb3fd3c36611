import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { describe, expect, it } from "vitest";
import { PyDateTimeFromInput, PyDateTimeFromString, parsePyDateTime, type PyDateTime } from "../src/core/index.ts";

const ok = (input: string | number): PyDateTime => {
  const r = parsePyDateTime(input);
  if (typeof r === "string") throw new Error(`expected ${String(input)} to parse: ${r}`);
  return r;
};

describe("PyDateTime parsing and renderings", () => {
  it.each([
    // input, isoformat(), model_dump(mode="json")
    ["2026-01-15T10:00:00Z", "2026-01-15T10:00:00+00:00", "2026-01-15T10:00:00Z"],
    ["2026-01-15T10:00:00z", "2026-01-15T10:00:00+00:00", "2026-01-15T10:00:00Z"],
    ["2026-01-15T10:00:00+00:00", "2026-01-15T10:00:00+00:00", "2026-01-15T10:00:00Z"],
    ["2026-01-15T10:00:00-00:00", "2026-01-15T10:00:00+00:00", "2026-01-15T10:00:00Z"],
    ["2026-01-15T10:00:00+02:00", "2026-01-15T10:00:00+02:00", "2026-01-15T10:00:00+02:00"],
    ["2026-01-15T10:00:00-0530", "2026-01-15T10:00:00-05:30", "2026-01-15T10:00:00-05:30"],
    ["2026-01-15T10:00:00.123Z", "2026-01-15T10:00:00.123000+00:00", "2026-01-15T10:00:00.123000Z"],
    ["2026-01-15T10:00:00.120000+02:00", "2026-01-15T10:00:00.120000+02:00", "2026-01-15T10:00:00.120000+02:00"],
    ["2026-01-15T10:00:00.000000Z", "2026-01-15T10:00:00+00:00", "2026-01-15T10:00:00Z"],
    ["2026-01-15T10:00:00.1234567891Z", "2026-01-15T10:00:00.123456+00:00", "2026-01-15T10:00:00.123456Z"],
    ["2026-01-15T10:00:00.000001Z", "2026-01-15T10:00:00.000001+00:00", "2026-01-15T10:00:00.000001Z"],
    ["2026-01-15 10:00:00", "2026-01-15T10:00:00", "2026-01-15T10:00:00"],
    ["2026-01-15T10:00", "2026-01-15T10:00:00", "2026-01-15T10:00:00"],
    ["2026-01-15", "2026-01-15T00:00:00", "2026-01-15T00:00:00"],
    ["1700000000", "2023-11-14T22:13:20+00:00", "2023-11-14T22:13:20Z"],
    ["1700000000.5", "2023-11-14T22:13:20.500000+00:00", "2023-11-14T22:13:20.500000Z"],
    [1700000000, "2023-11-14T22:13:20+00:00", "2023-11-14T22:13:20Z"],
    [0, "1970-01-01T00:00:00+00:00", "1970-01-01T00:00:00Z"],
    [1700000000000, "2023-11-14T22:13:20+00:00", "2023-11-14T22:13:20Z"],
    [-86400, "1969-12-31T00:00:00+00:00", "1969-12-31T00:00:00Z"],
    ["2024-02-29T23:59:59Z", "2024-02-29T23:59:59+00:00", "2024-02-29T23:59:59Z"],
  ] as const)("%s renders as %s / %s", (input, iso, json) => {
    const dt = ok(input);
    expect(dt.iso).toBe(iso);
    expect(dt.json).toBe(json);
  });

  it("keeps the offset and computes the instant", () => {
    const utc = ok("2026-01-15T10:00:00Z");
    const plus2 = ok("2026-01-15T12:00:00+02:00");
    expect(utc.offsetMinutes).toBe(0);
    expect(plus2.offsetMinutes).toBe(120);
    expect(plus2.epochMicros).toBe(utc.epochMicros);
    expect(utc.epochMicros).toBe(Date.UTC(2026, 0, 15, 10) * 1000);
    expect(ok("2026-01-15T10:00:00").offsetMinutes).toBeNull();
    expect(ok("2026-01-15T10:00:00").epochMicros).toBe(utc.epochMicros);
    expect(ok("2026-01-15T10:00:00.000007Z").epochMicros).toBe(utc.epochMicros + 7);
  });

  it.each([
    "",
    "x",
    "2026-13-01T00:00:00Z",
    "2023-02-29",
    "2026-01-32",
    "2026-01-15T24:00:00Z",
    "2026-01-15T10:60:00Z",
    "2026-01-15T10:00:60Z",
    "2026-01-15T10:00:00+24:00",
    "2026-01-15T10:00:00 ",
    " 2026-01-15",
    "2026-1-15",
    "0000-01-01",
    "2026-01-15T10:00:00Q",
  ])("rejects %j", (input) => {
    expect(typeof parsePyDateTime(input)).toBe("string");
  });

  it("rejects non-finite numbers", () => {
    expect(typeof parsePyDateTime(Number.NaN)).toBe("string");
    expect(typeof parsePyDateTime(Number.POSITIVE_INFINITY)).toBe("string");
  });

  it("the schemas decode text (and numbers for FromInput) and encode to the JSON rendering", () => {
    const fromInput = Schema.decodeUnknownEither(PyDateTimeFromInput);
    const fromString = Schema.decodeUnknownEither(PyDateTimeFromString);
    expect(Either.getOrThrow(fromInput(1700000000)).iso).toBe("2023-11-14T22:13:20+00:00");
    expect(Either.isLeft(fromString(1700000000))).toBe(true);
    expect(Either.isLeft(fromInput("nope"))).toBe(true);
    expect(Either.isLeft(fromInput(true))).toBe(true);
    const dt = Either.getOrThrow(fromString("2026-01-15T10:00:00+00:00"));
    expect(Schema.encodeSync(PyDateTimeFromString)(dt)).toBe("2026-01-15T10:00:00Z");
    expect(Schema.encodeSync(PyDateTimeFromInput)(ok("2026-01-15T10:00:00.5+02:00"))).toBe(
      "2026-01-15T10:00:00.500000+02:00",
    );
  });
});
