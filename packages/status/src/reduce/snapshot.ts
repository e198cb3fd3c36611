import type { DisplayLane } from "../fsm/lanes.ts";
import type { ReviewResult } from "../fsm/evidence.ts";
import type { JsonValue } from "../log/json.ts";

/**
 * The reduced state of one work package, keyed as in `status.json`. Runtime slots appear only once
 * something set them; `review_result` distinguishes absent (never reviewed) from an explicit null
 * (left review without a result).
 */
export interface WorkPackageState {
  readonly lane: DisplayLane | "uninitialized";
  readonly actor: string;
  readonly last_transition_at: string | null;
  readonly last_event_id: string | null;
  readonly force_count: number;
  readonly shell_pid?: JsonValue;
  readonly shell_pid_created_at?: JsonValue;
  readonly subtasks?: Readonly<Record<string, string>>;
  readonly notes?: readonly string[];
  readonly tracker_refs?: readonly string[];
  readonly agent?: JsonValue;
  readonly assignee?: JsonValue;
  readonly review?: JsonValue;
  readonly role?: JsonValue;
  readonly agent_profile?: JsonValue;
  readonly agent_profile_version?: JsonValue;
  readonly model?: JsonValue;
  readonly provider?: JsonValue;
  readonly review_result?: ReviewResult | null;
}

/** The reduction of a whole log: what `status.json` holds apart from the mission identity fields. */
export interface StatusSnapshot {
  readonly mission_slug: string;
  /** The `at` of the last transition, or "" for a log without transitions. */
  readonly materialized_at: string;
  /** Distinct transitions (annotations are not counted). */
  readonly event_count: number;
  readonly last_event_id: string | null;
  readonly work_packages: Readonly<Record<string, WorkPackageState>>;
  /** Work packages per display lane; all nine lanes, zeros included. */
  readonly summary: Readonly<Record<DisplayLane, number>>;
}

/** Identity fields `status.json` takes from `meta.json`. */
export interface MissionIdentity {
  /** Display string: the number as decimal, or "" when the mission has none. */
  readonly mission_number: string;
  /** "" for a typeless mission. */
  readonly mission_type: string;
}

/** The retrospective block, present in `status.json` only when the log has `retrospective.*` rows. */
export interface RetrospectiveSummary {
  readonly status: "pending" | "completed" | "skipped" | "failed";
  readonly mode: JsonValue;
  readonly record_path: string | null;
  readonly proposals_total: number;
  readonly proposals_applied: number;
  readonly proposals_rejected: number;
  readonly proposals_pending: number;
}
