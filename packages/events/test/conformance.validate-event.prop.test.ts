import { FastCheck as fc } from "effect";
import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { MODEL_SCHEMAS, PAYLOAD_SCHEMAS, validateEvent } from "../src/conformance/index.ts";
import { readJsonLines, sharedDir } from "./conformance.shared-dir.ts";

// validateEvent answers with a compiled predicate and only decodes for details; its verdict must stay the
// verdict of the contract Schema itself, for every registry entry and both layers.
const seeds = (readJsonLines(path.join(sharedDir(), "golden", "validation", "shards-0-1.jsonl")) as ReadonlyArray<{
  event_type: string;
  payload: unknown;
}>).filter((c) => c.event_type !== "Event" && typeof c.payload === "object" && c.payload !== null);

const jsonValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -2, max: 5 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 6 }),
  fc.constantFrom("planned", "doing", "done", "in_progress", "worktree", "active", "2026-01-01T00:00:00Z", "WP01"),
  fc.constant([]),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.constant({}),
);

const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), jsonValue, fc.constantFrom("set", "delete", "add")), { maxLength: 2 }))
  .map(([seed, edits]) => {
    const payload: Record<string, unknown> = structuredClone(seed.payload as Record<string, unknown>);
    for (const [i, value, op] of edits) {
      const keys = Object.keys(payload);
      const key = keys.length === 0 ? "extra" : (keys[i % keys.length] as string);
      if (op === "delete") delete payload[key];
      else if (op === "set") payload[key] = value;
      else payload[`extra_${i % 3}`] = value;
    }
    return { event_type: seed.event_type, payload };
  });

describe("validateEvent keeps the Schema's verdict", () => {
  it("wire and model layers agree with Schema.decodeUnknownEither on mutated reference payloads", () => {
    fc.assert(
      fc.property(mutated, ({ event_type, payload }) => {
        for (const [layer, registry] of [
          ["wire", PAYLOAD_SCHEMAS],
          ["model", MODEL_SCHEMAS],
        ] as const) {
          const schema = registry[event_type] as Schema.Schema.AnyNoContext;
          const expected = Either.isRight(Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })(payload));
          const r = validateEvent(payload, event_type, { layer });
          expect(Either.isRight(r) && r.right.valid).toBe(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
