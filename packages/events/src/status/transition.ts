import { type Lane, TERMINAL_LANES } from "./lanes.ts";
import type { StatusTransitionPayload } from "./payload.ts";

/** Outcome of checking a transition against the lane rules: every violation, in rule order. */
export interface TransitionValidationResult {
  readonly valid: boolean;
  readonly violations: ReadonlyArray<string>;
}

/** The fields of a transition the lane rules look at. */
export type TransitionFields = Pick<StatusTransitionPayload, "from_lane" | "to_lane" | "force" | "reason" | "review_ref">;

/** A `(from, to)` edge; `from` is `null` for a work package with no lane yet. */
export type LaneEdge = readonly [from: Lane | null, to: Lane];

/** The unforced edges of the lane machine (besides the generic "to blocked" and "to canceled" rules). */
export const ALLOWED_TRANSITIONS: ReadonlyArray<LaneEdge> = [
  // initial, and the genesis seed at finalize-tasks
  [null, "planned"],
  ["genesis", "planned"],
  // happy path
  ["planned", "claimed"],
  ["claimed", "in_progress"],
  ["in_progress", "for_review"],
  ["in_progress", "approved"],
  ["for_review", "in_review"],
  ["for_review", "approved"],
  ["for_review", "done"],
  ["in_review", "approved"],
  ["in_review", "done"],
  ["approved", "done"],
  // review rollback
  ["for_review", "in_progress"],
  ["for_review", "planned"],
  ["in_review", "in_progress"],
  ["in_review", "for_review"],
  ["in_review", "planned"],
  ["approved", "in_progress"],
  ["approved", "planned"],
  // abandon / reassign
  ["in_progress", "planned"],
  // unblock
  ["blocked", "in_progress"],
];

/** Backward moves to planned that need `force` even though the matrix lists most of them. */
export const REVIEW_REJECTION_FAMILY: ReadonlyArray<LaneEdge> = [
  ["in_progress", "planned"],
  ["for_review", "planned"],
  ["in_review", "planned"],
  ["approved", "planned"],
];

/**
 * Checks a transition against the lane rules and returns all violations, in the reference's order:
 * terminal exit, review-rejection guard, matrix (unforced only), review_ref guard, reason guard. Never throws.
 */
export const validateTransition = (p: TransitionFields): TransitionValidationResult => {
  const violations: Array<string> = [];
  const from = p.from_lane;
  const to = p.to_lane;
  const inFamily = hasEdge(REVIEW_FAMILY_KEYS, from, to);

  if (from !== null && TERMINAL_LANES.has(from) && !p.force) {
    violations.push(`${from} is terminal; requires force=True to exit`);
  }
  if (!p.force && from !== null && inFamily) {
    violations.push(`review-rejection rollback ${from} -> ${to} requires force=True`);
  }
  if (!p.force) {
    const open = from !== null && !TERMINAL_LANES.has(from);
    const allowed = hasEdge(ALLOWED_KEYS, from, to) || ((to === "blocked" || to === "canceled") && open);
    if (!allowed) violations.push(`Transition ${renderLane(from)} -> ${to} is not allowed`);
  }
  if (
    from !== null &&
    REVIEW_LANES.has(from) &&
    (to === "in_progress" || to === "planned") &&
    !(p.force && inFamily) &&
    isBlank(p.review_ref)
  ) {
    violations.push(`${from} -> ${to} requires review_ref`);
  }
  if (from === "in_progress" && to === "planned" && isBlank(p.reason)) {
    violations.push("in_progress -> planned requires reason");
  }
  return { valid: violations.length === 0, violations };
};

/** True when the edge is listed in the unforced matrix. */
export const isAllowedEdge = (from: Lane | null, to: Lane): boolean => hasEdge(ALLOWED_KEYS, from, to);

/** Renders an optional lane as reasons show it: the value, or `None` when absent. */
export const renderLane = (lane: Lane | null): string => lane ?? "None";

// ---------------------------------------------------------------------------------------------------------

const REVIEW_LANES: ReadonlySet<Lane> = new Set<Lane>(["for_review", "in_review", "approved"]);

const edgeKey = (from: Lane | null, to: Lane): string => `${from ?? ""}>${to}`;
const ALLOWED_KEYS: ReadonlySet<string> = new Set(ALLOWED_TRANSITIONS.map(([f, t]) => edgeKey(f, t)));
const REVIEW_FAMILY_KEYS: ReadonlySet<string> = new Set(REVIEW_REJECTION_FAMILY.map(([f, t]) => edgeKey(f, t)));

const hasEdge = (keys: ReadonlySet<string>, from: Lane | null, to: Lane): boolean => keys.has(edgeKey(from, to));

const isBlank = (s: string | null): boolean => s === null || s.trim() === "";
