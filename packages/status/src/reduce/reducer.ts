import { LANES, type DisplayLane } from "../fsm/lanes.ts";
import type { ReviewResult } from "../fsm/evidence.ts";
import { isJsonObject, type JsonValue } from "../log/json.ts";
import {
  actorDisplay,
  type InnerStateChangedRow,
  type LaneTransitionRow,
  type ParsedLog,
  type WpInnerStateDelta,
} from "../log/rows.ts";
import type { StatusSnapshot, WorkPackageState } from "./snapshot.ts";

/**
 * The fold's per-work-package accumulator, updated in place (one object per work package, not per
 * event). Runtime slots live in their own record, copied only when a transition writes one, so the
 * common move copies nothing.
 */
interface Acc {
  lane: DisplayLane | "uninitialized";
  actor: string;
  at: string | null;
  eventId: string | null;
  forceCount: number;
  /** Whether the event that set this state was a review rollback (same-timestamp precedence). */
  setByRollback: boolean;
  slots: Record<string, unknown>;
  /** Whether `slots` is private to this reduction (annotations then update it in place). */
  ownSlots: boolean;
  hasReviewResult: boolean;
  reviewResult: ReviewResult | null;
}

const NO_SLOTS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

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
 * runtime slots carry over from move to move; annotations are folded afterwards, in their own
 * `(at, event_id)` order, never interleaved.
 */
export const reduce = (parsed: Pick<ParsedLog, "transitions" | "annotations">): StatusSnapshot =>
  reduceRows(parsed.transitions, parsed.annotations);

export const reduceRows = (
  transitions: readonly LaneTransitionRow[],
  annotations: readonly InnerStateChangedRow[] = [],
): StatusSnapshot => {
  const ordered = orderedUnique(transitions);

  const states = new Map<string, Acc>();
  for (let i = 0; i < ordered.length; i++) {
    const event = ordered[i] as LaneTransitionRow;
    const current = states.get(event.wp_id);
    if (current === undefined) states.set(event.wp_id, apply(newAcc(), event));
    else if (shouldApply(current, event)) apply(current, event);
  }

  const orderedAnnotations = inOrder(annotations) ? annotations : [...annotations].sort(byAtThenId);
  for (let i = 0; i < orderedAnnotations.length; i++) {
    const annotation = orderedAnnotations[i] as InnerStateChangedRow;
    let state = states.get(annotation.wp_id);
    if (state === undefined) {
      state = newAcc();
      state.actor = actorDisplay(annotation.actor);
      states.set(annotation.wp_id, state);
    }
    applyDelta(state, annotation.delta);
  }

  const summary = {} as Record<DisplayLane, number>;
  for (const lane of LANES) summary[lane] = 0;
  const workPackages: Record<string, WorkPackageState> = {};
  for (const [wpId, state] of states) {
    workPackages[wpId] = toState(state);
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

/**
 * Transitions without re-delivered ids (the first of each id wins), in `(at, event_id)` order. A log is
 * appended in time order, so the rows are usually in order already and the sort is skipped.
 */
const orderedUnique = (transitions: readonly LaneTransitionRow[]): LaneTransitionRow[] => {
  const seen = new Set<string>();
  const unique: LaneTransitionRow[] = [];
  let sorted = true;
  let previous: LaneTransitionRow | undefined;
  for (let i = 0; i < transitions.length; i++) {
    const event = transitions[i] as LaneTransitionRow;
    const size = seen.size;
    seen.add(event.event_id);
    if (seen.size === size) continue;
    if (sorted && previous !== undefined && byAtThenId(previous, event) > 0) sorted = false;
    unique.push(event);
    previous = event;
  }
  return sorted ? unique : unique.sort(byAtThenId);
};

/** Whether the rows are already in `(at, event_id)` order (the stable sort would keep them as they are). */
const inOrder = (rows: readonly InnerStateChangedRow[]): boolean => {
  for (let i = 1; i < rows.length; i++) {
    if (byAtThenId(rows[i - 1] as InnerStateChangedRow, rows[i] as InnerStateChangedRow) > 0) return false;
  }
  return true;
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
const shouldApply = (current: Acc, event: LaneTransitionRow): boolean =>
  current.at !== event.at || current.setByRollback === false || isRollback(event);

const newAcc = (): Acc => ({
  lane: "uninitialized",
  actor: "",
  at: null,
  eventId: null,
  forceCount: 0,
  setByRollback: false,
  slots: NO_SLOTS,
  ownSlots: false,
  hasReviewResult: false,
  reviewResult: null,
});

const apply = (acc: Acc, event: LaneTransitionRow): Acc => {
  acc.lane = event.to_lane as DisplayLane;
  acc.actor = actorDisplay(event.actor);
  acc.at = event.at;
  acc.eventId = event.event_id;
  if (event.force) acc.forceCount += 1;
  acc.setByRollback = isRollback(event);
  // Claiming is the one transition that writes runtime slots, from its policy_metadata sidecar.
  if (event.from_lane === "planned" && event.to_lane === "claimed" && event.policy_metadata !== null) {
    const meta = event.policy_metadata;
    const pid = meta["shell_pid"];
    const created = meta["shell_pid_created_at"];
    const agent = meta["agent"];
    if ((pid !== undefined && pid !== null) || (created !== undefined && created !== null) || truthy(agent)) {
      const slots = { ...acc.slots };
      if (pid !== undefined && pid !== null) slots["shell_pid"] = pid;
      if (created !== undefined && created !== null) slots["shell_pid_created_at"] = created;
      if (truthy(agent)) slots["agent"] = agent;
      acc.slots = slots;
      acc.ownSlots = false;
    }
  }
  // A review result is sticky until another one arrives or the package leaves review without one.
  const result = event.review_result;
  if ((result !== undefined && result !== null) || event.from_lane === "in_review") {
    acc.hasReviewResult = true;
    acc.reviewResult = result ?? null;
  }
  return acc;
};

const toState = (acc: Acc): WorkPackageState => {
  const state: Record<string, unknown> = {
    lane: acc.lane,
    actor: acc.actor,
    last_transition_at: acc.at,
    last_event_id: acc.eventId,
    force_count: acc.forceCount,
  };
  for (const key in acc.slots) state[key] = acc.slots[key];
  if (acc.hasReviewResult) state["review_result"] = acc.reviewResult;
  return state as unknown as WorkPackageState;
};

const truthy = (value: JsonValue | undefined): boolean =>
  value !== undefined && value !== null && value !== false && value !== 0 && value !== "" &&
  !(Array.isArray(value) && value.length === 0) && !(isJsonObject(value) && Object.keys(value).length === 0);

/** Blank strings never clobber a slot: they read as null. */
const present = (value: unknown): boolean => value !== undefined && value !== null && !(typeof value === "string" && value.trim() === "");

// The delta fields an annotation folds, as bits: one pass over a delta's own keys finds the few it has,
// instead of a lookup per field on objects of many shapes.
const RELEASE = 1 << REPLACE_SLOTS.length;
const SUBTASKS = RELEASE << 1;
const NOTE = RELEASE << 2;
const TRACKER_REFS = RELEASE << 3;
const TRACKER_REFS_REPLACE = RELEASE << 4;
const REVIEW = RELEASE << 5;
const DELTA_FIELDS: ReadonlyMap<string, number> = new Map([
  ...REPLACE_SLOTS.map((slot, i) => [slot, 1 << i] as const),
  ["release_runtime_claim", RELEASE],
  ["subtasks", SUBTASKS],
  ["note", NOTE],
  ["tracker_refs", TRACKER_REFS],
  ["tracker_refs_replace", TRACKER_REFS_REPLACE],
  ["review", REVIEW],
]);

/**
 * Folds one annotation; fields the delta does not define (e.g. a stray `review_result`) are ignored.
 * The slot record and its lists are private to this reduction by the time annotations run (the first
 * annotation of a work package copies the record; lists are created here), so they are updated in place.
 * Fields apply in a fixed order (release, then `REPLACE_SLOTS`, subtasks, note, tracker refs, review),
 * whatever order the delta lists them in.
 */
const applyDelta = (acc: Acc, delta: WpInnerStateDelta): void => {
  if (!acc.ownSlots) {
    acc.slots = { ...acc.slots };
    acc.ownSlots = true;
  }
  let fields = 0;
  for (const key in delta) fields |= DELTA_FIELDS.get(key) ?? 0;
  if (fields === 0) return;
  const slots = acc.slots;
  if ((fields & RELEASE) !== 0 && delta.release_runtime_claim === true) {
    delete slots["agent"];
    delete slots["shell_pid"];
    delete slots["shell_pid_created_at"];
  }
  for (let i = 0; i < REPLACE_SLOTS.length; i++) {
    if ((fields & (1 << i)) === 0) continue;
    const slot = REPLACE_SLOTS[i] as (typeof REPLACE_SLOTS)[number];
    const value = delta[slot];
    if (present(value)) slots[slot] = value;
  }
  if ((fields & SUBTASKS) !== 0) {
    const subtasks = delta.subtasks as JsonValue | undefined;
    if (subtasks !== undefined && isJsonObject(subtasks)) {
      const merged = (slots["subtasks"] ??= {}) as Record<string, string>;
      for (const id of Object.keys(subtasks)) merged[id] = String(subtasks[id]);
    }
  }
  if ((fields & NOTE) !== 0 && present(delta.note)) ((slots["notes"] ??= []) as string[]).push(delta.note as string);
  if ((fields & TRACKER_REFS_REPLACE) !== 0 && Array.isArray(delta.tracker_refs_replace)) {
    slots["tracker_refs"] = [...new Set(delta.tracker_refs_replace as readonly string[])];
  } else if ((fields & TRACKER_REFS) !== 0 && Array.isArray(delta.tracker_refs)) {
    const merged = (slots["tracker_refs"] ??= []) as string[];
    for (const ref of delta.tracker_refs as readonly string[]) if (!merged.includes(ref)) merged.push(ref);
  }
  if ((fields & REVIEW) !== 0 && delta.review !== undefined && delta.review !== null) {
    const review = delta.review;
    const empty = Object.values(review).every((v) => !present(v));
    slots["review"] = empty ? null : review;
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
