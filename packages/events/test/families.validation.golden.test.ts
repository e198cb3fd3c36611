import { assert, describe, it } from "@effect/vitest";
import * as Either from "effect/Either";
import type * as Schema from "effect/Schema";
import * as fs from "node:fs";
import * as path from "node:path";
import { decodePayload, LIFECYCLE_PAYLOAD_SCHEMAS, STATUS_PAYLOAD_SCHEMAS } from "../src/index.ts";
import { sharedDir } from "./status.golden-helpers.ts";

interface Line {
  readonly n: number;
  readonly event_type: string;
  readonly payload: unknown;
  readonly valid: boolean;
}

const all: ReadonlyArray<Line> = fs
  .readFileSync(path.join(sharedDir(), "golden/validation/shards-0-1.jsonl"), "utf8")
  .split("\n")
  .flatMap((text, i) => (text.trim() === "" ? [] : [{ n: i + 1, ...(JSON.parse(text) as Omit<Line, "n">) }]));

// Each family's payload schemas against the reference's dual-layer verdicts, with the least coverage the golden
// file is known to give it (so a registry that silently loses its event types fails here).
const FAMILIES: ReadonlyArray<{
  readonly name: string;
  readonly schemas: Readonly<Record<string, Schema.Schema<unknown, unknown, never>>>;
  readonly minLines: number;
  readonly minTypes: number;
}> = [
  { name: "status", schemas: STATUS_PAYLOAD_SCHEMAS, minLines: 100, minTypes: 1 },
  { name: "lifecycle", schemas: LIFECYCLE_PAYLOAD_SCHEMAS, minLines: 240, minTypes: 29 },
];

for (const family of FAMILIES) {
  const lines = all.filter((l) => Object.hasOwn(family.schemas, l.event_type));

  describe(`${family.name} payload verdicts vs the reference's dual-layer verdicts (validation/shards-0-1.jsonl)`, () => {
    it(`covers the ${family.name} event types present in the golden file`, () => {
      assert.isAtLeast(lines.length, family.minLines);
      assert.isAtLeast(new Set(lines.map((l) => l.event_type)).size, family.minTypes);
    });

    it("matches every verdict", () => {
      const mismatches = lines.flatMap((l) => {
        const r = decodePayload(family.schemas[l.event_type]!, l.payload);
        return Either.isRight(r) === l.valid
          ? []
          : [`line ${l.n} ${l.event_type}: expected valid=${l.valid}, got ${Either.isRight(r)} ` +
              `(${Either.isLeft(r) ? JSON.stringify(r.left) : "no issues"}) payload=${JSON.stringify(l.payload)}`];
      });
      assert.deepStrictEqual(mismatches, [], `${mismatches.length} of ${lines.length} verdicts differ`);
    });
  });
}
