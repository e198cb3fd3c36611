import { assert, describe, it } from "@effect/vitest";
import * as Either from "effect/Either";
import * as fs from "node:fs";
import * as path from "node:path";
import { decodePayload, LIFECYCLE_PAYLOAD_SCHEMAS } from "../src/index.ts";
import { sharedDir } from "./status.golden-helpers.ts";

interface Line {
  readonly n: number;
  readonly event_type: string;
  readonly payload: unknown;
  readonly valid: boolean;
}

const lines: ReadonlyArray<Line> = fs
  .readFileSync(path.join(sharedDir(), "golden/validation/shards-0-1.jsonl"), "utf8")
  .split("\n")
  .flatMap((text, i) => (text.trim() === "" ? [] : [{ n: i + 1, ...(JSON.parse(text) as Omit<Line, "n">) }]))
  .filter((l) => Object.hasOwn(LIFECYCLE_PAYLOAD_SCHEMAS, l.event_type));

describe("lifecycle payload verdicts vs the reference's dual-layer verdicts (validation/shards-0-1.jsonl)", () => {
  it("covers every lifecycle event type present in the golden file", () => {
    assert.isAtLeast(lines.length, 240);
    assert.isAtLeast(new Set(lines.map((l) => l.event_type)).size, 29);
  });

  it("matches every verdict", () => {
    const mismatches = lines.flatMap((l) => {
      const r = decodePayload(LIFECYCLE_PAYLOAD_SCHEMAS[l.event_type]!, l.payload);
      return Either.isRight(r) === l.valid
        ? []
        : [`line ${l.n} ${l.event_type}: expected valid=${l.valid}, got ${Either.isRight(r)} ` +
            `(${Either.isLeft(r) ? JSON.stringify(r.left) : "no issues"}) payload=${JSON.stringify(l.payload)}`];
    });
    assert.deepStrictEqual(mismatches, [], `${mismatches.length} of ${lines.length} verdicts differ`);
  });
});
