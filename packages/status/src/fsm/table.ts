import type { GuardId } from "./guards.ts";
import type { DisplayLane, Lane } from "./lanes.ts";

/** How a lane counts for progress reports. */
export type ProgressBucket = "not_started" | "in_flight" | "review" | "terminal";

export interface LaneRow {
  /** Allowed targets, in table order, each with the guard its entry runs. */
  readonly targets: Readonly<Partial<Record<DisplayLane, GuardId>>>;
  readonly progress: ProgressBucket;
  /** Board column label. */
  readonly column: string;
}

/**
 * The lane FSM as data: the single source every check, document and board column derives from.
 * An edge not listed here is illegal without force; self-transitions are never listed.
 */
export const TRANSITION_TABLE = {
  genesis: { targets: { planned: "none", canceled: "none" }, progress: "not_started", column: "Planned" },
  planned: {
    targets: { claimed: "actor_required", blocked: "none", canceled: "none" },
    progress: "not_started",
    column: "Planned",
  },
  claimed: {
    targets: { in_progress: "workspace_context", blocked: "none", canceled: "none" },
    progress: "in_flight",
    column: "In Progress",
  },
  in_progress: {
    targets: {
      for_review: "subtasks_and_evidence",
      approved: "reviewer_approval",
      planned: "reason_required",
      blocked: "none",
      canceled: "none",
    },
    progress: "in_flight",
    column: "In Progress",
  },
  for_review: {
    targets: { in_review: "actor_required", blocked: "none", canceled: "none" },
    progress: "review",
    column: "Review",
  },
  in_review: {
    targets: {
      approved: "review_result_with_approval",
      done: "review_result_with_approval",
      in_progress: "review_result",
      planned: "review_result",
      blocked: "review_result",
      canceled: "review_result",
    },
    progress: "review",
    column: "In Review",
  },
  approved: {
    targets: {
      done: "reviewer_approval",
      in_progress: "review_ref_required",
      planned: "review_ref_required",
      blocked: "none",
      canceled: "none",
    },
    progress: "review",
    column: "Approved",
  },
  done: { targets: {}, progress: "terminal", column: "Done" },
  blocked: { targets: { in_progress: "none", canceled: "none" }, progress: "in_flight", column: "Blocked" },
  canceled: { targets: {}, progress: "terminal", column: "Canceled" },
} as const satisfies Record<Lane, LaneRow>;

const targetCache = new Map<Lane, readonly DisplayLane[]>();

/** The lanes `from` may move to without force, in table order. */
export const allowedTargets = (from: Lane): readonly DisplayLane[] => {
  let cached = targetCache.get(from);
  if (cached === undefined) {
    cached = Object.freeze(Object.keys(TRANSITION_TABLE[from].targets) as DisplayLane[]);
    targetCache.set(from, cached);
  }
  return cached;
};

/** The guard of the edge `from -> to`, or undefined when the table has no such edge. */
export const edgeGuard = (from: Lane, to: string): GuardId | undefined => {
  const targets: Readonly<Partial<Record<string, GuardId>>> = TRANSITION_TABLE[from].targets;
  return Object.hasOwn(targets, to) ? targets[to] : undefined;
};

/** Every edge of the table, in table order. */
export const allEdges = (): ReadonlyArray<{ readonly from: Lane; readonly to: DisplayLane; readonly guard: GuardId }> =>
  (Object.keys(TRANSITION_TABLE) as Lane[]).flatMap((from) =>
    allowedTargets(from).map((to) => ({ from, to, guard: edgeGuard(from, to) as GuardId })),
  );
