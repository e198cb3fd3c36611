import * as Either from "effect/Either";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { validateEvent } from "../src/conformance/index.ts";
import { readJsonLines, sharedDir } from "./conformance.shared-dir.ts";

interface Case {
  readonly event_type: string;
  readonly payload: unknown;
  readonly valid: boolean;
}

const cases = readJsonLines(path.join(sharedDir(), "golden", "validation", "shards-0-1.jsonl")) as ReadonlyArray<Case>;

describe("validation golden: the dual-layer verdict of the reference", () => {
  it("has cases", () => {
    expect(cases.length).toBeGreaterThan(500);
  });

  it.each(cases.map((c, i) => [i + 1, c.event_type, c.valid, c] as const))(
    "line %i %s valid=%s",
    (_line, eventType, valid, c) => {
      const r = validateEvent(c.payload, eventType);
      expect(Either.isRight(r)).toBe(true);
      if (Either.isLeft(r)) return;
      expect({ valid: r.right.valid, violations: r.right.violations }).toEqual(
        valid ? { valid: true, violations: [] } : expect.objectContaining({ valid: false }),
      );
    },
  );
});
