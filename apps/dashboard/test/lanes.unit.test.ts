import { LANES } from "@spec-kitty/status";
import { describe, expect, it } from "vitest";
import { BOARD_LANES, isBoardLane, laneLabel } from "../src/api/lanes.ts";

describe("board lanes", () => {
  it("are exactly the status package's display lanes, in FSM order", () => {
    expect([...BOARD_LANES]).toEqual([...LANES]);
  });

  it("each have a distinct label and reject names outside the FSM", () => {
    expect(new Set(BOARD_LANES.map(laneLabel)).size).toBe(BOARD_LANES.length);
    expect(isBoardLane("in_review")).toBe(true);
    expect(isBoardLane("doing")).toBe(false);
    expect(isBoardLane("genesis")).toBe(false);
  });
});
