import type { DoneEvidence, ReviewResult } from "../fsm/evidence.ts";
import type { Lane, Uninitialized } from "../fsm/lanes.ts";
import type { JsonObject } from "./json.ts";

/** The file every mission keeps its lane history in, next to the materialized `status.json`. */
export const EVENTS_FILENAME = "status.events.jsonl";

/** An actor: a plain identity string, or exactly the four structured fields. */
export type ActorField = string | ActorRecord;
export interface ActorRecord {
  readonly role: string | null;
  readonly profile: string | null;
  readonly tool: string | null;
  readonly model: string | null;
}

/** Lanes as they may appear on the wire (the read sentinel included, as the reference tolerates it). */
export type WireLane = Lane | Uninitialized;

/**
 * One lane transition row of `status.events.jsonl`, with the wire's snake_case keys.
 * `review_result` is written only when the key is present (older rows carry an explicit null, kept as
 * such); `mission_id` only when set.
 */
export interface LaneTransitionRow {
  readonly event_id: string;
  readonly mission_slug: string;
  readonly wp_id: string;
  readonly from_lane: WireLane;
  readonly to_lane: WireLane;
  readonly at: string;
  readonly actor: ActorField;
  readonly force: boolean;
  readonly execution_mode: string;
  readonly reason: string | null;
  readonly review_ref: string | null;
  readonly evidence: DoneEvidence | null;
  readonly policy_metadata: JsonObject | null;
  readonly review_result?: ReviewResult | null;
  readonly mission_id?: string;
}

/** The review sentinel an annotation may carry; all-empty fields mean "clear the review slot". */
export interface ReviewAnnotation {
  readonly at: string | null;
  readonly actor: string | null;
  readonly wp_id: string | null;
  readonly reason: string | null;
}

/**
 * The runtime slots an annotation changes; an absent field leaves its slot untouched, a blank string
 * never clobbers. Unknown fields are kept so the row re-serializes as read.
 */
export interface WpInnerStateDelta {
  readonly shell_pid?: number | null;
  readonly shell_pid_created_at?: string | null;
  readonly subtasks?: Readonly<Record<string, string>> | null;
  readonly note?: string | null;
  readonly tracker_refs?: readonly string[] | null;
  readonly tracker_refs_replace?: readonly string[] | null;
  readonly agent?: string | null;
  readonly assignee?: string | null;
  readonly review?: ReviewAnnotation | null;
  readonly role?: string | null;
  readonly agent_profile?: string | null;
  readonly agent_profile_version?: string | null;
  readonly model?: string | null;
  readonly provider?: string | null;
  readonly release_runtime_claim?: boolean | null;
  readonly [extra: string]: unknown;
}

/** An `InnerStateChanged` row: runtime state of a work package that bypasses the FSM. */
export interface InnerStateChangedRow {
  readonly event_id: string;
  readonly kind: "annotation";
  readonly wp_id: string;
  readonly at: string;
  readonly actor: ActorField;
  readonly delta: WpInnerStateDelta;
}

export type StatusLogRow = LaneTransitionRow | InnerStateChangedRow;

/** A row with the 1-based line it was read from. */
export interface LocatedRow {
  readonly line: number;
  readonly row: StatusLogRow;
}

/** What a log holds, partitioned as the reducer consumes it. */
export interface ParsedLog {
  /** False when the file does not exist (read as empty, as the reference does). */
  readonly exists: boolean;
  readonly transitions: readonly LaneTransitionRow[];
  readonly annotations: readonly InnerStateChangedRow[];
  /** Transition and annotation rows in file order, with their line numbers. */
  readonly rows: readonly LocatedRow[];
  /** `retrospective.*` rows (skipped by the reducer; the snapshot's retrospective block reads them). */
  readonly retrospective: readonly JsonObject[];
  /** Line numbers of lifecycle/retrospective rows skipped in place. */
  readonly skippedLines: readonly number[];
}

export const isAnnotation = (row: StatusLogRow): row is InnerStateChangedRow =>
  (row as Partial<InnerStateChangedRow>).kind === "annotation";

/** The display form of an actor: a string as is, a record by its tool, else its role, else "". */
export const actorDisplay = (actor: ActorField): string =>
  typeof actor === "string" ? actor : actor.tool || actor.role || "";
