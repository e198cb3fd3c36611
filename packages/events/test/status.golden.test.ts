import { assert, describe, it } from "@effect/vitest";
import { encodeReducedStatus, reduceStatusEvents } from "../src/index.ts";
import { decodeGoldenEvents, firstDifference, loadGoldenCases } from "./status.golden-helpers.ts";

const cases = loadGoldenCases("status");

describe("status goldens (reduce_status_events)", () => {
  it("finds the golden files", () => {
    assert.isAtLeast(cases.length, 60);
  });

  it.each(cases.map((c) => [c.file, c] as const))("%s", (_file, c) => {
    const actual = encodeReducedStatus(reduceStatusEvents(decodeGoldenEvents(c)));
    const diff = firstDifference(c.expected, JSON.parse(JSON.stringify(actual)));
    assert.isNull(diff, `${c.file}: ${diff}`);
  });
});
