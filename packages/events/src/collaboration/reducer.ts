/**
 * `reduceCollaborationEvents`: folds a mission's collaboration events into its collaboration state, in
 * strict or permissive mode, optionally starting from a seeded roster. Behaviour, anomaly reasons and error
 * messages follow the reference reducer (spec-kitty-events `collaboration.py`) exactly, including its quirks.
 * The fold runs over plain Maps and loops: it is the hot path of every collaboration read.
 */
import * as Either from "effect/Either";
import { type Event, SpecKittyEventsError, sortAndDedup } from "../core/index.ts";
import { assemble, emptyState } from "./assemble.ts";
import { type CollaborationReduceError, Fold } from "./fold.ts";
import { COLLABORATION_EVENT_TYPES, type CollaborationEventType } from "./event-types.ts";
import type { ReducedCollaborationState, Roster } from "./outputs.ts";
import { UnknownParticipantError } from "./errors.ts";

export type { CollaborationReduceError } from "./fold.ts";

export type CollaborationMode = "strict" | "permissive";

export interface ReduceCollaborationOptions {
  /** `strict` (the default, as in the reference) fails on participants outside the roster. */
  readonly mode?: CollaborationMode;
  /** Participants that count as joined before the first event. */
  readonly roster?: Roster | null;
}

/**
 * Reduces events (of any type; only the fourteen collaboration types are read) after ordering them by
 * (Lamport clock, timestamp as `isoformat()` renders it, event id) and dropping repeated event ids.
 * A strict-mode failure aborts the whole reduction: no partial state.
 */
export const reduceCollaborationEvents = (
  events: ReadonlyArray<Event>,
  options: ReduceCollaborationOptions = {},
): Either.Either<ReducedCollaborationState, CollaborationReduceError> => {
  const collaboration = onlyCollaboration(events);
  if (collaboration.length === 0) return Either.right(emptyState());
  const unique = sortAndDedup(collaboration);
  const fold = new Fold(options.mode !== "permissive", options.roster ?? null, unique);
  try {
    for (let i = 0; i < unique.length; i++) fold.apply(unique[i] as Event);
    return Either.right(assemble(fold, unique));
  } catch (error) {
    if (error instanceof UnknownParticipantError || error instanceof SpecKittyEventsError) return Either.left(error);
    throw error;
  }
};

// The common case is a stream of collaboration events only: then no filtered copy is made.
const onlyCollaboration = (events: ReadonlyArray<Event>): ReadonlyArray<Event> => {
  let kept = 0;
  for (const e of events) if (COLLABORATION_EVENT_TYPES.has(e.event_type as CollaborationEventType)) kept++;
  if (kept === events.length) return events;
  const out: Array<Event> = [];
  for (const e of events) if (COLLABORATION_EVENT_TYPES.has(e.event_type as CollaborationEventType)) out.push(e);
  return out;
};
