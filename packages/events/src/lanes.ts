/**
 * The work-package lane vocabulary, without Effect Schema: the `@spec-kitty/events/lanes` entry point (ADR-0016).
 * The one place the lane list is written. `src/status/lanes.ts` builds the lane Schemas on it; @spec-kitty/status
 * imports this entry point, so a CLI command that only moves lanes never loads the Schema module. This module
 * imports nothing (an architecture rule holds it to that).
 */

/** The lanes shown on boards and counted in summaries, in display order. */
export const DISPLAY_LANES = [
  "planned",
  "claimed",
  "in_progress",
  "for_review",
  "in_review",
  "approved",
  "done",
  "blocked",
  "canceled",
] as const;

/** A lane shown on boards and in summaries. */
export type DisplayLane = (typeof DISPLAY_LANES)[number];

/**
 * Every canonical lane, in declaration order: `genesis` (a work package that exists but was never seeded; a from-lane
 * only, never shown) and then the display lanes.
 */
export const LANES = ["genesis", ...DISPLAY_LANES] as const;

/** A canonical lane. */
export type Lane = (typeof LANES)[number];

/** Lanes a work package leaves only by a forced transition. */
export const TERMINAL_LANES: ReadonlySet<Lane> = new Set<Lane>(["done", "canceled"]);

/** Accepted alternative spellings and the lane each means; `doing` is the only one (`in_review` is a lane). */
export const LANE_ALIASES: Readonly<Record<string, DisplayLane>> = { doing: "in_progress" };

const LANE_SET: ReadonlySet<unknown> = new Set<unknown>(LANES);

/** True when `value` is a canonical lane (aliases are not). */
export const isLane = (value: unknown): value is Lane => LANE_SET.has(value);
