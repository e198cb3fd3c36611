/**
 * The lane vocabulary of a work package, from the Schema-free lanes entry point of @spec-kitty/events (ADR-0016):
 * the 9 display lanes appear on boards and in summaries; `genesis` is the lane of a work package that exists but was
 * never seeded (a from-lane only), and `uninitialized` is a read-side sentinel for a work package absent from the log
 * (never on the wire).
 */
import { DISPLAY_LANES, type DisplayLane, isLane, LANE_ALIASES, LANES as EVENT_LANES, type Lane, TERMINAL_LANES } from "@spec-kitty/events/lanes";

export { type DisplayLane, isLane, LANE_ALIASES, type Lane, TERMINAL_LANES };

/** The display lanes, in board order. */
export const LANES = DISPLAY_LANES;

/** Every lane a table row exists for, in table order (genesis first). */
export const FROM_LANES: readonly Lane[] = EVENT_LANES;

/** The read sentinel for a work package the log does not mention; never persisted. */
export const UNINITIALIZED = "uninitialized" as const;
export type Uninitialized = typeof UNINITIALIZED;

/** Lanes that never appear on a board or in a summary. */
export const NON_DISPLAY_LANES: ReadonlySet<string> = new Set<string>(["genesis", UNINITIALIZED]);

const DISPLAY_SET: ReadonlySet<string> = new Set<string>(LANES);

/** Trims and lower-cases `raw`, then maps an alias to its lane; anything else is returned normalised. */
export const resolveLaneAlias = (raw: string): string => {
  const normalised = raw.trim().toLowerCase();
  return Object.hasOwn(LANE_ALIASES, normalised) ? (LANE_ALIASES[normalised] as string) : normalised;
};

export const isDisplayLane = (value: string): value is DisplayLane => DISPLAY_SET.has(value);

export const isTerminalLane = (lane: string): boolean => TERMINAL_LANES.has(resolveLaneAlias(lane) as Lane);

/**
 * True when `raw` is an alias spelling (not the canonical name) that resolves to `currentLane`:
 * such a request (`--to doing` while in_progress) is a no-op, nothing is written.
 */
export const isLegacyAliasNoop = (raw: string, currentLane: string): boolean => {
  const normalised = raw.trim().toLowerCase();
  const resolved = resolveLaneAlias(raw);
  return normalised !== resolved && resolved === currentLane;
};
