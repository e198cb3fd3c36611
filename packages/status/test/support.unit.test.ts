import { seedLog, wpIds } from "@spec-kitty/test-support";
import { describe, expect, it } from "vitest";
import { serializeRow, type LaneTransitionRow } from "../src/index.ts";

describe("the shared test support's seed rows", () => {
  it("are byte for byte what the status log writer writes for the same rows", () => {
    for (const missionId of [null, "01KZY1JBHRNZG2PXBPFHQ66DA3"]) {
      const lines = seedLog("seed-mission", missionId, wpIds(12)).split("\n").slice(0, -1);
      expect(lines).toHaveLength(12);
      for (const line of lines) expect(serializeRow(JSON.parse(line) as LaneTransitionRow)).toBe(line);
    }
  });
});
