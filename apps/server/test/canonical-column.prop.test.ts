/**
 * The `canonical` column stores a mark instead of the text when it equals `raw` (store/rows.ts). Whatever the two
 * strings are, writing and reading back gives the canonical value exactly, and the mark is only ever used for
 * the equal case; a codec that took the mark at face value is caught.
 */
import { FastCheck } from "effect";
import { assert, describe, it } from "vitest";
import { canonicalFromColumn, canonicalToColumn, SAME_AS_RAW } from "../src/store/rows.ts";

const text = FastCheck.oneof(
  FastCheck.string(),
  FastCheck.string().map((s) => SAME_AS_RAW + s),
  FastCheck.constantFrom("", SAME_AS_RAW, SAME_AS_RAW + SAME_AS_RAW, '{"a":1}'),
);
const pair = FastCheck.oneof(
  FastCheck.tuple(text, FastCheck.option(text, { nil: null })),
  text.map((s) => [s, s] as const),
);

describe("the canonical column", () => {
  it("round-trips every (raw, canonical) pair and stores equal text once", () => {
    FastCheck.assert(
      FastCheck.property(pair, ([raw, canonical]) => {
        const column = canonicalToColumn(raw, canonical);
        assert.strictEqual(canonicalFromColumn(raw, column), canonical);
        if (canonical === raw) assert.strictEqual(column, SAME_AS_RAW);
        if (canonical !== null && canonical !== raw && !canonical.startsWith(SAME_AS_RAW)) assert.strictEqual(column, canonical);
      }),
      { numRuns: 2000 },
    );
  });

  it("a codec without the escape is caught", () => {
    const naive = (raw: string, canonical: string | null): string | null => (canonical === raw ? SAME_AS_RAW : canonical);
    const r = FastCheck.check(
      FastCheck.property(pair, ([raw, canonical]) => canonicalFromColumn(raw, naive(raw, canonical)) === canonical),
      { numRuns: 2000 },
    );
    assert.isTrue(r.failed);
  });
});
