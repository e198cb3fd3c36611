import { DISPLAY_LANES, type DisplayLane } from "@spec-kitty/events/lanes";

/**
 * The board's columns: the display lanes in FSM order, from the Schema-free lanes entry point of
 * `@spec-kitty/events` (ADR-0016), the one place the lane list is written; that module imports nothing, so it is
 * the one piece of a workspace package the browser bundle may carry (ADR-0018).
 */
export const BOARD_LANES: ReadonlyArray<DisplayLane> = DISPLAY_LANES;

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
