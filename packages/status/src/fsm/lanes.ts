/**
 * The lane vocabulary of a work package. The 9 display lanes appear on boards and in summaries;
 * `genesis` is the lane of a work package that exists but was never seeded (a from-lane only), and
 * `uninitialized` is a read-side sentinel for a work package absent from the log (never on the wire).
 */
export const LANES = [
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

/** A lane shown on boards and counted in `status.json` summaries. */
export type DisplayLane = (typeof LANES)[number];

/** A lane a transition may start from: the display lanes plus `genesis`. */
export type Lane = DisplayLane | "genesis";

/** Every lane a table row exists for, in table order (genesis first). */
export const FROM_LANES: readonly Lane[] = ["genesis", ...LANES];

/** The read sentinel for a work package the log does not mention; never persisted. */
export const UNINITIALIZED = "uninitialized" as const;
export type Uninitialized = typeof UNINITIALIZED;

/** Lanes that can only be left by a forced transition. */
export const TERMINAL_LANES: ReadonlySet<Lane> = new Set<Lane>(["done", "canceled"]);

/** Lanes that never appear on a board or in a summary. */
export const NON_DISPLAY_LANES: ReadonlySet<string> = new Set<string>(["genesis", UNINITIALIZED]);

/** Spellings accepted on input and what they mean; `in_review` is a lane of its own, not an alias. */
export const LANE_ALIASES: Readonly<Record<string, DisplayLane>> = { doing: "in_progress" };

const DISPLAY_SET: ReadonlySet<string> = new Set<string>(LANES);

/** Trims and lower-cases `raw`, then maps an alias to its lane; anything else is returned normalised. */
export const resolveLaneAlias = (raw: string): string => {
  const normalised = raw.trim().toLowerCase();
  return Object.hasOwn(LANE_ALIASES, normalised) ? (LANE_ALIASES[normalised] as string) : normalised;
};

export const isDisplayLane = (value: string): value is DisplayLane => DISPLAY_SET.has(value);

export const isLane = (value: string): value is Lane => value === "genesis" || DISPLAY_SET.has(value);

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
