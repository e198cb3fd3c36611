/**
 * Turns a finished fold into the immutable output state (and gives the state of a stream with nothing to
 * fold). Maps become records in insertion order, sets become sorted arrays.
 */
import { type Event, SpecKittyEventsError, pyRepr } from "../core/index.ts";
import type { Fold, MutableWarning } from "./fold.ts";
import type { ReducedCollaborationState, WarningEntry } from "./outputs.ts";
import { pyReprValue, pyTypeName } from "./py-value.ts";

/** The state of a stream without collaboration events. */
export const emptyState = (): ReducedCollaborationState => ({
  mission_id: "",
  participants: {},
  departed_participants: {},
  presence: {},
  active_drivers: [],
  focus_by_participant: {},
  participants_by_focus: {},
  warnings: [],
  decisions: [],
  comments: [],
  active_executions: {},
  linked_sessions: {},
  anomalies: [],
  event_count: 0,
  last_processed_event_id: null,
});

/**
 * Freezes the fold into the output state. Values the reference stored unvalidated must be strings now: the
 * reference's output model rejects anything else, so such a stream fails here as a whole.
 */
export const assemble = (fold: Fold, unique: ReadonlyArray<Event>): ReducedCollaborationState => {
  const warnings: Array<WarningEntry> = [];
  for (const w of fold.warnings.values()) warnings.push(freezeWarning(w));
  for (const w of fold.oddWarnings.values()) warnings.push(freezeWarning(w));
  const byFocus: Array<[string, ReadonlyArray<string>]> = [];
  for (const [key, members] of fold.participantsByFocus) byFocus.push([key, [...members].sort()]);
  return {
    mission_id: fold.missionId,
    participants: Object.fromEntries(fold.participants),
    departed_participants: Object.fromEntries(fold.departed),
    presence: Object.fromEntries(fold.presence),
    active_drivers: [...fold.activeDrivers].sort(),
    focus_by_participant: Object.fromEntries(fold.focusByParticipant),
    participants_by_focus: Object.fromEntries(byFocus),
    warnings,
    decisions: fold.decisions,
    comments: fold.comments,
    active_executions: stringLists(fold.activeExecutions, "active_executions"),
    linked_sessions: stringLists(fold.linkedSessions, "linked_sessions"),
    anomalies: fold.anomalies,
    event_count: unique.length,
    last_processed_event_id: unique[unique.length - 1]?.event_id ?? null,
  };
};

const freezeWarning = (w: MutableWarning): WarningEntry => {
  const where = `warning ${pyReprValue(w.warning_id)}`;
  return {
    warning_id: stateString(w.warning_id, `the id of ${where}`),
    event_id: w.event_id,
    warning_type: w.warning_type,
    participant_ids: w.participant_ids.map((pid) => stateString(pid, `participant_ids of ${where}`)),
    acknowledgements: Object.fromEntries(
      [...w.acknowledgements].map(([pid, ack]) => [pid, stateString(ack, `acknowledgements of ${where}`)]),
    ),
  };
};

const stringLists = (
  lists: Map<string, Array<unknown>>,
  field: string,
): Record<string, ReadonlyArray<string>> => {
  const out: Array<[string, ReadonlyArray<string>]> = [];
  for (const [pid, items] of lists) {
    out.push([pid, items.map((item) => stateString(item, `${field} of participant ${pyRepr(pid)}`))]);
  }
  return Object.fromEntries(out);
};

const stateString = (value: unknown, where: string): string => {
  if (typeof value === "string") return value;
  throw new SpecKittyEventsError({
    message: `Cannot build the collaboration state: ${where} holds ${pyReprValue(value)} (${pyTypeName(value)}), expected a string`,
  });
};
