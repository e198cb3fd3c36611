import * as Either from "effect/Either";
import { type GuardInput, isLegacyAliasNoop, resolveLaneAlias, validateTransition } from "../fsm/index.ts";
import {
  type ActorField,
  actorDisplay,
  type InnerStateChangedRow,
  type LaneTransitionRow,
  type ParsedLog,
  type StatusLogRow,
  type WireLane,
  type WpInnerStateDelta,
} from "../log/index.ts";
import { reduce } from "../reduce/reducer.ts";
import { stampAfter } from "../internal/clock.ts";
import { InvalidTransitionRequest, TransitionError } from "./errors.ts";
import { type SubtaskRoster, subtasksComplete as rosterComplete } from "./roster.ts";
import type { TransitionRequest } from "./types.ts";

/**
 * Turns requests into log rows against a given log (pure apart from the injected clock and id source):
 * the FSM decides each move from the lane the work package has at that point of the batch, with the
 * reference's defaults and inferences for the guard input. Used twice per write: before the lock for
 * a fast answer, and under the lock against the log as it is then.
 */

export interface PrepareContext {
  readonly missionSlug: string;
  readonly missionId: string | null;
  /** `<mode>:<root>` is the default workspace context. */
  readonly repoRoot: string;
  readonly clock: () => string;
  readonly newEventId: () => string;
  /** A work package's subtasks (its front matter roster and tasks.md section) and the ones ticked in tasks.md. */
  readonly subtaskRoster: (wpId: string) => SubtaskRoster;
}

export interface PreparedTransitions {
  readonly rows: readonly StatusLogRow[];
  /** One entry per request: the transition row, or for an alias naming the current lane, an unpersisted row. */
  readonly events: readonly { readonly row: LaneTransitionRow; readonly persisted: boolean }[];
}

const WP_ID = /^WP\d+$/;

export const prepareTransitions = (
  log: ParsedLog,
  requests: readonly TransitionRequest[],
  ctx: PrepareContext,
): PreparedTransitions => {
  if (requests.length === 0) throw new InvalidTransitionRequest({ field: "requests", message: "a batch needs at least one transition" });
  const snapshot = reduce(log);
  const lanes = new Map<string, string>();
  const actors = new Map<string, string>();
  const lastAt = new Map<string, string>();
  const moved = new Set<string>();
  for (const [wpId, state] of Object.entries(snapshot.work_packages)) {
    lanes.set(wpId, state.lane);
    actors.set(wpId, state.actor);
  }
  for (const row of log.transitions) {
    moved.add(row.wp_id);
    const previous = lastAt.get(row.wp_id);
    if (previous === undefined || row.at > previous) lastAt.set(row.wp_id, row.at);
  }

  const rows: StatusLogRow[] = [];
  const events: { row: LaneTransitionRow; persisted: boolean }[] = [];
  let batchFloor: string | null = null;
  for (const request of requests) {
    checkRequest(request);
    const wpId = request.wpId;
    const current = lanes.get(wpId) ?? "uninitialized";
    const from = current === "uninitialized" ? "genesis" : current;
    const to = resolveLaneAlias(request.toLane);
    const wpFloor = lastAt.get(wpId) ?? null;
    const floor = batchFloor !== null && (wpFloor === null || batchFloor > wpFloor) ? batchFloor : wpFloor;
    const at = stampAfter(ctx.clock(), floor);
    if (isLegacyAliasNoop(request.toLane, from)) {
      events.push({ row: buildRow(request, ctx, from, from, at), persisted: false });
      continue;
    }
    const guard = guardInput(request, ctx, {
      from,
      to,
      currentActor: actors.get(wpId) ?? null,
      subtasks: snapshot.work_packages[wpId]?.subtasks,
      anyEarlierTransition: moved.has(wpId),
    });
    const verdict = validateTransition(from, to, guard);
    if (Either.isLeft(verdict)) {
      throw new TransitionError({ wpId, rejection: verdict.left, message: verdict.left.message });
    }
    const row = buildRow(request, ctx, from, verdict.right.to, at);
    rows.push(row);
    events.push({ row, persisted: true });
    if (request.annotation !== undefined) rows.push(buildAnnotation(wpId, request.annotation, request.actor, at, ctx));
    lanes.set(wpId, verdict.right.to);
    actors.set(wpId, actorDisplay(request.actor));
    lastAt.set(wpId, at);
    moved.add(wpId);
    batchFloor = at;
  }
  return { rows, events };
};

/** One InnerStateChanged row; it bypasses the FSM. */
export const prepareAnnotation = (
  log: ParsedLog,
  wpId: string,
  delta: WpInnerStateDelta,
  actor: ActorField,
  ctx: PrepareContext,
): InnerStateChangedRow => {
  if (!WP_ID.test(wpId)) throw new InvalidTransitionRequest({ field: "wpId", message: `work package id '${wpId}' must look like WP01` });
  if (typeof actor === "string" && actor.trim() === "") throw new InvalidTransitionRequest({ field: "actor", message: "an annotation needs an actor" });
  let floor: string | null = null;
  for (const row of [...log.transitions, ...log.annotations]) if (row.wp_id === wpId && (floor === null || row.at > floor)) floor = row.at;
  return buildAnnotation(wpId, delta, actor, stampAfter(ctx.clock(), floor), ctx);
};

const checkRequest = (request: TransitionRequest): void => {
  if (!WP_ID.test(request.wpId)) {
    throw new InvalidTransitionRequest({ field: "wpId", message: `work package id '${request.wpId}' must look like WP01` });
  }
  if (typeof request.actor === "string" ? request.actor.trim() === "" : actorDisplay(request.actor) === "") {
    throw new InvalidTransitionRequest({ field: "actor", message: "Transition requires actor identity" });
  }
};

interface GuardFacts {
  readonly from: string;
  readonly to: string;
  readonly currentActor: string | null;
  /** The log's subtasks slot; undefined when no annotation recorded subtasks for the work package. */
  readonly subtasks: Readonly<Record<string, string>> | undefined;
  readonly anyEarlierTransition: boolean;
}

/** The guard input with the reference's defaults; the for_review inferences apply only to that edge, unforced. */
const guardInput = (request: TransitionRequest, ctx: PrepareContext, facts: GuardFacts): GuardInput => {
  const executionMode = request.executionMode ?? "worktree";
  const reviewEdge = facts.from === "in_progress" && facts.to === "for_review" && request.force !== true;
  let subtasksComplete = request.subtasksComplete ?? null;
  let evidencePresent = request.implementationEvidencePresent ?? null;
  if (reviewEdge) {
    if (subtasksComplete === null) subtasksComplete = rosterComplete(ctx.subtaskRoster(request.wpId), facts.subtasks);
    if (evidencePresent === null) evidencePresent = facts.anyEarlierTransition;
  }
  return {
    actor: actorDisplay(request.actor),
    workspaceContext: request.workspaceContext ?? `${executionMode}:${ctx.repoRoot}`,
    subtasksComplete,
    implementationEvidencePresent: evidencePresent,
    reason: request.reason ?? null,
    reviewRef: request.reviewRef ?? null,
    evidence: request.evidence ?? null,
    reviewResult: request.reviewResult ?? null,
    currentActor: facts.currentActor,
    force: request.force === true,
  };
};

const buildRow = (request: TransitionRequest, ctx: PrepareContext, from: string, to: string, at: string): LaneTransitionRow => {
  const row: LaneTransitionRow = {
    event_id: ctx.newEventId(),
    mission_slug: ctx.missionSlug,
    wp_id: request.wpId,
    from_lane: from as WireLane,
    to_lane: to as WireLane,
    at,
    actor: request.actor,
    force: request.force === true,
    execution_mode: request.executionMode ?? "worktree",
    reason: request.reason ?? null,
    review_ref: request.reviewRef ?? null,
    evidence: request.evidence ?? null,
    policy_metadata: request.policyMetadata ?? null,
    ...(request.reviewResult !== undefined && request.reviewResult !== null ? { review_result: request.reviewResult } : {}),
    ...(ctx.missionId !== null ? { mission_id: ctx.missionId } : {}),
  };
  return row;
};

const buildAnnotation = (
  wpId: string,
  delta: WpInnerStateDelta,
  actor: ActorField,
  at: string,
  ctx: PrepareContext,
): InnerStateChangedRow => ({ event_id: ctx.newEventId(), kind: "annotation", wp_id: wpId, at, actor, delta });
