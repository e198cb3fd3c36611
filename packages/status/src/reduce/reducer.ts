import { LANES, type DisplayLane } from "../fsm/lanes.ts";
import { isJsonObject, type JsonObject, type JsonValue } from "../log/json.ts";
import {
  actorDisplay,
  type InnerStateChangedRow,
  type LaneTransitionRow,
  type ParsedLog,
  type WpInnerStateDelta,
} from "../log/rows.ts";
import type { StatusSnapshot, WorkPackageState } from "./snapshot.ts";

type MutableState = { -readonly [K in keyof WorkPackageState]: WorkPackageState[K] } & Record<string, unknown>;

/** Runtime slots a transition carries over unchanged from the previous state of its work package. */
const RUNTIME_SLOTS = [
  "shell_pid",
  "shell_pid_created_at",
  "subtasks",
  "notes",
  "tracker_refs",
  "agent",
  "assignee",
  "review",
  "role",
  "agent_profile",
  "agent_profile_version",
  "model",
  "provider",
] as const;

/** Annotation fields that replace their slot (latest wins); a blank or null value leaves it alone. */
const REPLACE_SLOTS = [
  "shell_pid",
  "shell_pid_created_at",
  "agent",
  "assignee",
  "role",
  "agent_profile",
  "agent_profile_version",
  "model",
  "provider",
] as const;

/**
 * Reduces a parsed log to its snapshot, deterministically and without I/O:
 * transitions are deduplicated by `event_id` (first wins), ordered by `(at, event_id)` as plain strings,
 * and folded per work package (a review rollback beats a forward move with the same timestamp);
 * annotations are folded afterwards, in their own `(at, event_id)` order, never interleaved.
 */
export const reduce = (parsed: Pick<ParsedLog, "transitions" | "annotations">): StatusSnapshot =>
  reduceRows(parsed.transitions, parsed.annotations);

export const reduceRows = (
  transitions: readonly LaneTransitionRow[],
  annotations: readonly InnerStateChangedRow[] = [],
): StatusSnapshot => {
  const seen = new Map<string, LaneTransitionRow>();
  for (const event of transitions) if (!seen.has(event.event_id)) seen.set(event.event_id, event);
  const ordered = [...seen.values()].sort(byAtThenId);

  const states = new Map<string, MutableState>();
  for (const event of ordered) {
    const current = states.get(event.wp_id);
    if (current === undefined || shouldApply(current, event, seen)) {
      states.set(event.wp_id, stateAfter(event, current));
    }
  }

  const orderedAnnotations = annotations.length > 1 ? [...annotations].sort(byAtThenId) : annotations;
  for (const annotation of orderedAnnotations) {
    let state = states.get(annotation.wp_id);
    if (state === undefined) {
      state = {
        lane: "uninitialized",
        actor: actorDisplay(annotation.actor),
        last_transition_at: null,
        last_event_id: null,
        force_count: 0,
      };
      states.set(annotation.wp_id, state);
    }
    applyDelta(state, annotation.delta);
  }

  const summary = Object.fromEntries(LANES.map((lane) => [lane, 0])) as Record<DisplayLane, number>;
  const workPackages: Record<string, WorkPackageState> = {};
  for (const [wpId, state] of states) {
    workPackages[wpId] = state;
    if (state.lane !== "uninitialized") summary[state.lane] += 1;
  }
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  return {
    mission_slug: first === undefined ? "" : safeMissionSlug(first.mission_slug),
    materialized_at: last?.at ?? "",
    event_count: ordered.length,
    last_event_id: last?.event_id ?? null,
    work_packages: workPackages,
    summary,
  };
};

const byAtThenId = (a: { at: string; event_id: string }, b: { at: string; event_id: string }): number =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;

/** A reviewer sending work back: in_review -> in_progress, or the legacy for_review -> in_progress with a review ref. */
export const isRollback = (event: LaneTransitionRow): boolean =>
  event.to_lane === "in_progress" &&
  (event.from_lane === "in_review" || (event.from_lane === "for_review" && event.review_ref !== null));

/**
 * Same-timestamp precedence: parallel worktrees write independently, so two moves of one work package
 * can share an `at`. A rollback then beats a forward move, and a forward move never overrides a
 * rollback; otherwise the later event in sort order wins.
 */
const shouldApply = (current: MutableState, event: LaneTransitionRow, byId: ReadonlyMap<string, LaneTransitionRow>) => {
  if (current.last_transition_at !== event.at) return true;
  const setter = current.last_event_id === null ? undefined : byId.get(current.last_event_id);
  if (setter === undefined) return true;
  const newIsRollback = isRollback(event);
  if (newIsRollback && !isRollback(setter)) return true;
  if (isRollback(setter) && !newIsRollback) return false;
  return true;
};

const stateAfter = (event: LaneTransitionRow, previous: MutableState | undefined): MutableState => {
  const state: MutableState = {
    lane: event.to_lane as DisplayLane,
    actor: actorDisplay(event.actor),
    last_transition_at: event.at,
    last_event_id: event.event_id,
    force_count: (previous?.force_count ?? 0) + (event.force ? 1 : 0),
  };
  if (previous !== undefined) {
    for (const slot of RUNTIME_SLOTS) if (Object.hasOwn(previous, slot)) state[slot] = previous[slot] as never;
  }
  // Claiming is the one transition that writes runtime slots, from its policy_metadata sidecar.
  if (event.from_lane === "planned" && event.to_lane === "claimed" && event.policy_metadata !== null) {
    const meta = event.policy_metadata;
    if (meta["shell_pid"] !== undefined && meta["shell_pid"] !== null) state.shell_pid = meta["shell_pid"];
    if (meta["shell_pid_created_at"] !== undefined && meta["shell_pid_created_at"] !== null) {
      state.shell_pid_created_at = meta["shell_pid_created_at"];
    }
    if (truthy(meta["agent"])) state.agent = meta["agent"];
  }
  // A review result is sticky until another one arrives or the package leaves review without one.
  const carried = event.review_result !== undefined && event.review_result !== null;
  if (carried || event.from_lane === "in_review") state.review_result = event.review_result ?? null;
  else if (previous !== undefined && Object.hasOwn(previous, "review_result")) state.review_result = previous.review_result;
  return state;
};

const truthy = (value: JsonValue | undefined): boolean =>
  value !== undefined && value !== null && value !== false && value !== 0 && value !== "" &&
  !(Array.isArray(value) && value.length === 0) && !(isJsonObject(value) && Object.keys(value).length === 0);

/** Blank strings never clobber a slot: they read as null. */
const present = (value: unknown): boolean => value !== undefined && value !== null && !(typeof value === "string" && value.trim() === "");

/** Folds one annotation; fields the delta does not define (e.g. a stray `review_result`) are ignored. */
const applyDelta = (state: MutableState, delta: WpInnerStateDelta): void => {
  if (delta.release_runtime_claim === true) {
    delete state.agent;
    delete state.shell_pid;
    delete state.shell_pid_created_at;
  }
  for (const slot of REPLACE_SLOTS) {
    const value = delta[slot];
    if (present(value)) state[slot] = value as never;
  }
  if (isJsonObject(delta.subtasks as JsonValue)) {
    const merged: Record<string, string> = { ...(state.subtasks ?? {}) };
    for (const [id, lane] of Object.entries(delta.subtasks as JsonObject)) merged[id] = String(lane);
    state.subtasks = merged;
  }
  if (present(delta.note)) state.notes = [...(state.notes ?? []), delta.note as string];
  if (Array.isArray(delta.tracker_refs_replace)) {
    state.tracker_refs = [...new Set(delta.tracker_refs_replace as readonly string[])];
  } else if (Array.isArray(delta.tracker_refs)) {
    const merged = [...(state.tracker_refs ?? [])];
    for (const ref of delta.tracker_refs as readonly string[]) if (!merged.includes(ref)) merged.push(ref);
    state.tracker_refs = merged;
  }
  if (delta.review !== undefined && delta.review !== null) {
    const review = delta.review;
    const empty = Object.values(review).every((v) => !present(v));
    state.review = empty ? null : (review as unknown as JsonValue);
  }
};

/**
 * The reference's slug sanitiser: a slug from a log row is untrusted, and anything that is not one
 * safe path segment (ASCII, no separators, no `..`, no leading dot) becomes "".
 */
export const safeMissionSlug = (slug: string): string =>
  /^[\x20-\x7e]+$/.test(slug) && !slug.includes("/") && !slug.includes("\\") && !slug.includes("..") && !slug.startsWith(".")
    ? slug
    : "";
