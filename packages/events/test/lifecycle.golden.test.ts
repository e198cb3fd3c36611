import { assert, describe, it } from "@effect/vitest";
import { encodeReducedMissionState, reduceLifecycleEvents } from "../src/index.ts";
import { decodeGoldenEvents, firstDifference, loadGoldenCases } from "./status.golden-helpers.ts";

const cases = loadGoldenCases("lifecycle");

describe("lifecycle goldens (reduce_lifecycle_events)", () => {
  it("finds the golden files", () => {
    assert.isAtLeast(cases.length, 40);
  });

  it.each(cases.map((c) => [c.file, c] as const))("%s", (_file, c) => {
    const actual = encodeReducedMissionState(reduceLifecycleEvents(decodeGoldenEvents(c)));
    const diff = firstDifference(c.expected, JSON.parse(JSON.stringify(actual)));
    assert.isNull(diff, `${c.file}: ${diff}`);
  });
});
