import type { RunLogRow, RuntimeEventEmitter } from "@spec-kitty/runtime";
import type { LaneTransitionRow, PostCommitEvent, PostCommitHook } from "@spec-kitty/status";
import type { EmissionFunnel, Fact } from "./funnel.ts";

/** The `WPStatusChanged` fact of one lane transition row: the row's own event id, time and fields. */
export const wpStatusChangedFact = (row: LaneTransitionRow, missionSlug: string): Fact => ({
  eventType: "WPStatusChanged",
  aggregateId: row.wp_id,
  aggregateType: "WorkPackage",
  eventId: row.event_id,
  occurredAt: row.at,
  payload: {
    mission_slug: row.mission_slug || missionSlug,
    wp_id: row.wp_id,
    from_lane: row.from_lane === "uninitialized" ? null : row.from_lane,
    to_lane: row.to_lane,
    actor: row.actor,
    force: row.force,
    reason: row.reason,
    execution_mode: row.execution_mode,
    review_ref: row.review_ref,
    evidence: row.evidence,
  },
});

const isLaneTransition = (row: PostCommitEvent["rows"][number]): row is LaneTransitionRow => "to_lane" in row;

/**
 * The status package's post-commit hook: exactly one `WPStatusChanged` per persisted lane transition (annotations
 * are not lane changes and emit nothing). Runs after the commit, so a refused or rolled-back write emits nothing.
 */
export const statusPostCommitHook =
  (funnel: EmissionFunnel): PostCommitHook =>
  async (event) => {
    for (const row of event.rows) {
      if (isLaneTransition(row)) await funnel.emit(wpStatusChangedFact(row, event.missionSlug));
    }
  };

/** The mission-next event types with a wire contract; the run's other side-log rows stay local. */
export const SYNCED_RUN_EVENT_TYPES: ReadonlySet<string> = new Set([
  "MissionRunStarted",
  "NextStepIssued",
  "NextStepAutoCompleted",
  "DecisionInputRequested",
  "DecisionInputAnswered",
  "MissionRunCompleted",
]);

/** The fact of one run side-log row: aggregate = the run. */
export const runEventFact = (row: RunLogRow): Fact => {
  const runId = row.payload["run_id"];
  return {
    eventType: row.event_type,
    aggregateId: typeof runId === "string" && runId !== "" ? runId : "mission-run",
    aggregateType: "MissionRun",
    occurredAt: row.timestamp,
    payload: row.payload,
  };
};

/**
 * The runtime's event port: every mission-next row with a contract goes through the funnel once it is on disk.
 * The port is synchronous; `funnel.settle()` waits for the captures.
 */
export const runtimeEventEmitter = (funnel: EmissionFunnel): RuntimeEventEmitter => ({
  emit: (row) => {
    if (SYNCED_RUN_EVENT_TYPES.has(row.event_type)) void funnel.emit(runEventFact(row));
  },
});
