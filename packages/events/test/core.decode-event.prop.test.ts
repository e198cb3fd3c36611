import { FastCheck as fc } from "effect";
import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { describe, expect, it } from "vitest";
import { decodeEvent, Event, EVENT_FIELDS } from "../src/core/index.ts";

// The hand-written decoder must accept exactly what the Event schema accepts, and produce the same value.
const schemaDecode = Schema.decodeUnknownEither(Event);

const ids = fc.oneof(
  fc.stringMatching(/^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$/),
  fc.uuid().map((u) => (Math.random() < 0.5 ? u.toUpperCase() : u)),
  fc.uuid().map((u) => u.replaceAll("-", "")),
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[0-9A-Za-z]{25,27}$/),
);
const timestamps = fc.oneof(
  fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}([T _]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/),
  fc.stringMatching(/^-?\d{1,12}(\.\d{1,6})?$/),
  fc.string({ maxLength: 30 }),
  fc.integer(),
);
const anyJson = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 10 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 8 }),
  fc.constant([]),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
);
const fieldValue: Record<(typeof EVENT_FIELDS)[number], fc.Arbitrary<unknown>> = {
  event_id: fc.oneof(ids, anyJson),
  event_type: fc.oneof(fc.string({ maxLength: 5 }), anyJson),
  aggregate_id: fc.oneof(fc.string({ maxLength: 5 }), anyJson),
  payload: anyJson,
  timestamp: fc.oneof(timestamps, anyJson),
  build_id: fc.oneof(fc.string({ maxLength: 5 }), anyJson),
  node_id: fc.oneof(fc.string({ maxLength: 5 }), anyJson),
  lamport_clock: fc.oneof(fc.integer({ min: -5, max: 2 ** 53 }), anyJson, fc.constant(2 ** 53 + 2)),
  causation_id: fc.oneof(ids, anyJson),
  project_uuid: fc.oneof(
    fc.uuid(),
    fc.uuid().map((u) => `{${u}}`),
    fc.uuid().map((u) => `urn:uuid:${u.toUpperCase()}`),
    fc.uuid().map((u) => u.replaceAll("-", "")),
    anyJson,
  ),
  project_slug: anyJson,
  correlation_id: fc.oneof(ids, anyJson),
  schema_version: fc.oneof(fc.stringMatching(/^\d{1,2}\.\d{1,2}\.\d{1,2}$/), fc.constant("3.0.0"), anyJson),
  data_tier: fc.oneof(fc.integer({ min: -1, max: 5 }), anyJson),
};

const valid: Record<string, unknown> = {
  event_id: "01JMXXXXXXXXXXXXXXXXXXXXXX",
  event_type: "T",
  aggregate_id: "a",
  payload: {},
  timestamp: "2026-01-15T10:00:00Z",
  build_id: "b",
  node_id: "n",
  lamport_clock: 1,
  causation_id: null,
  project_uuid: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
  project_slug: null,
  correlation_id: "01JMYYYYYYYYYYYYYYYYYYYYYY",
  schema_version: "3.0.0",
  data_tier: 0,
};

// Start from a valid envelope; replace one or two fields with generated values, delete some, add extras.
const replacement = fc
  .constantFrom(...EVENT_FIELDS)
  .chain((k) => fieldValue[k].map((v) => [k, v] as const));
const envelopes = fc
  .tuple(
    fc.array(replacement, { maxLength: 2 }),
    fc.subarray([...EVENT_FIELDS], { maxLength: 1 }),
    fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 2 }),
  )
  .map(([replaced, removed, extra]) => {
    const o: Record<string, unknown> = { ...extra, ...valid };
    for (const [k, v] of replaced) o[k] = v;
    for (const k of removed) delete o[k];
    return o;
  });

describe("decodeEvent agrees with the Event schema", () => {
  it("same verdict and same decoded value on generated envelopes", () => {
    fc.assert(
      fc.property(envelopes, (u) => {
        const fast = decodeEvent(u);
        const slow = schemaDecode(u);
        expect(Either.isRight(fast)).toBe(Either.isRight(slow));
        if (Either.isRight(fast) && Either.isRight(slow)) expect(fast.right).toEqual(slow.right);
      }),
      { numRuns: 3000 },
    );
  });

  it("same verdict on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (u) => {
        expect(Either.isRight(decodeEvent(u))).toBe(Either.isRight(schemaDecode(u)));
      }),
      { numRuns: 500 },
    );
  });
});
