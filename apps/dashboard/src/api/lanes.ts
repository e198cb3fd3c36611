import type { DisplayLane } from "@spec-kitty/status";

/**
 * The board's columns: the display lanes of `@spec-kitty/status` in FSM order. Written out here because the
 * status package's runtime (with its file and git code) is not bundled into the browser; the type makes a
 * lane name outside the FSM a compile error and `test/lanes.unit.test.ts` checks the list equals `LANES`.
 */
export const BOARD_LANES = [
  "planned",
  "claimed",
  "in_progress",
  "for_review",
  "in_review",
  "approved",
  "done",
  "blocked",
  "canceled",
] as const satisfies ReadonlyArray<DisplayLane>;

const LABELS: Readonly<Record<DisplayLane, string>> = {
  planned: "Planned",
  claimed: "Claimed",
  in_progress: "In progress",
  for_review: "For review",
  in_review: "In review",
  approved: "Approved",
  done: "Done",
  blocked: "Blocked",
  canceled: "Canceled",
};

export const laneLabel = (lane: DisplayLane): string => LABELS[lane];

export const isBoardLane = (value: unknown): value is DisplayLane =>
  typeof value === "string" && (BOARD_LANES as ReadonlyArray<string>).includes(value);
