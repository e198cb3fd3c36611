import type { InnerStateChangedRow, LaneTransitionRow, WpInnerStateDelta } from "../../src/log/index.ts";

let counter = 0;
/** A 26-character Crockford id, increasing with each call so tests can rely on its order. */
export const nextId = (): string => `01TEST${String(++counter).padStart(20, "0")}`;

/** A lane transition row with ordinary defaults; tests override what they exercise. */
export const transition = (overrides: Partial<LaneTransitionRow> & Pick<LaneTransitionRow, "wp_id" | "from_lane" | "to_lane" | "at">): LaneTransitionRow => ({
  event_id: nextId(),
  mission_slug: "demo-mission",
  actor: "tester",
  force: false,
  execution_mode: "worktree",
  reason: null,
  review_ref: null,
  evidence: null,
  policy_metadata: null,
  ...overrides,
});

export const annotation = (wp_id: string, at: string, delta: WpInnerStateDelta, actor = "annotator"): InnerStateChangedRow => ({
  event_id: nextId(),
  kind: "annotation",
  wp_id,
  at,
  actor,
  delta,
});

export const at = (second: number, micro = 0): string =>
  `2026-06-01T10:00:${String(second).padStart(2, "0")}.${String(micro).padStart(6, "0")}+00:00`;
