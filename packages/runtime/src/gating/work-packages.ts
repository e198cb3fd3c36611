/** Read access to the lanes of a mission's work packages; the runtime needs nothing else from status. */
export interface WorkPackageLanes {
  readonly lanes: () => Promise<ReadonlyMap<string, string>>;
}

/** Steps that iterate over work packages and stay in place while some remain. */
export const WP_ITERATION_STEPS: ReadonlySet<string> = new Set(["implement", "review"]);

// Canceled work packages are abandoned and never hold a step back.
const PAST_IMPLEMENT: ReadonlySet<string> = new Set(["for_review", "in_review", "approved", "done", "canceled"]);
const PAST_REVIEW: ReadonlySet<string> = new Set(["approved", "done", "canceled"]);
const AWAITING_REVIEW: ReadonlySet<string> = new Set(["for_review", "in_review"]);

export type GateVerdict =
  | { readonly advance: true }
  | { readonly advance: false; readonly wpId: string; readonly lane: string; readonly blocked: boolean };

/** Orders WP ids by their number (WP2 before WP10), then by text. */
export const compareWpIds = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });

/**
 * Whether a WP-iteration step may advance. `implement` waits until every WP is in for_review, in_review,
 * approved or done; `review` until every WP is approved or done. While it waits, the verdict names the next WP
 * that needs work (for review: one awaiting review first); when only blocked WPs remain it names the first of them.
 * Pure.
 */
export const gateStep = (stepId: string, lanes: ReadonlyMap<string, string>): GateVerdict => {
  if (!WP_ITERATION_STEPS.has(stepId)) return { advance: true };
  const past = stepId === "implement" ? PAST_IMPLEMENT : PAST_REVIEW;
  const remaining = [...lanes.entries()].filter(([, lane]) => !past.has(lane)).sort(([a], [b]) => compareWpIds(a, b));
  if (remaining.length === 0) return { advance: true };
  const workable = remaining.filter(([, lane]) => lane !== "blocked");
  const preferred = stepId === "review" ? (workable.find(([, lane]) => AWAITING_REVIEW.has(lane)) ?? workable[0]) : workable[0];
  const [wpId, lane] = preferred ?? (remaining[0] as [string, string]);
  return { advance: false, wpId, lane, blocked: preferred === undefined };
};
