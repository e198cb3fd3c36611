/**
 * The mutable fold behind `reduceCollaborationEvents`: one handler per event type, working on Maps (the
 * output is built from it by `assemble`). Strict-mode failures are thrown as the typed errors and turned
 * into an `Either` by the caller; nothing thrown here escapes the package.
 */
import { type Event, type PyDateTime, SpecKittyEventsError, pyRepr } from "../core/index.ts";
import { unknownParticipant, type UnknownParticipantError } from "./errors.ts";
import * as T from "./event-types.ts";
import { type FocusTarget, type ParticipantIdentity, focusKey } from "./identity.ts";
import { toFocusTarget, toParticipantIdentity } from "./models-fast.ts";
import type { CollaborationAnomaly, CommentEntry, DecisionEntry, Roster } from "./outputs.ts";
import { isPyHashable, pyEquals, pyReprValue, pyTypeName } from "./py-value.ts";

export type CollaborationReduceError = UnknownParticipantError | SpecKittyEventsError;

/** A warning while the fold runs: its id and participants are stored as the payload gave them. */
export interface MutableWarning {
  readonly warning_id: unknown;
  readonly event_id: string;
  readonly warning_type: string;
  readonly participant_ids: ReadonlyArray<unknown>;
  readonly acknowledgements: Map<string, unknown>;
}

type Payload = Readonly<Record<string, unknown>>;

// `payload.get(key, default)`: an explicit JSON null stays null, only a missing key takes the default.
const get = (payload: Payload, key: string, fallback: unknown): unknown => {
  const value = payload[key];
  return value === undefined ? fallback : value;
};

const isNonEmptyString = (u: unknown): u is string => typeof u === "string" && u.length !== 0;

export class Fold {
  readonly strict: boolean;
  readonly participants = new Map<string, ParticipantIdentity>();
  readonly invited = new Map<string, ParticipantIdentity>();
  readonly departed = new Map<string, ParticipantIdentity>();
  readonly presence = new Map<string, PyDateTime>();
  readonly activeDrivers = new Set<string>();
  readonly focusByParticipant = new Map<string, FocusTarget>();
  readonly participantsByFocus = new Map<string, Set<string>>();
  readonly warnings = new Map<string, MutableWarning>();
  // Acknowledgements may name a warning by a non-string id; Python keys them apart (1 == 1.0 == True).
  readonly oddWarnings = new Map<string, MutableWarning>();
  readonly decisions: Array<DecisionEntry> = [];
  readonly comments: Array<CommentEntry> = [];
  readonly activeExecutions = new Map<string, Array<unknown>>();
  readonly linkedSessions = new Map<string, Array<unknown>>();
  readonly anomalies: Array<CollaborationAnomaly> = [];
  readonly missionId: string;

  constructor(strict: boolean, roster: Roster | null, unique: ReadonlyArray<Event>) {
    this.strict = strict;
    if (roster !== null) for (const pid of Object.keys(roster)) this.participants.set(pid, roster[pid] as ParticipantIdentity);
    const first = unique[0]?.payload.mission_id;
    this.missionId = isNonEmptyString(first) ? first : "";
  }

  apply(e: Event): void {
    const p: Payload = e.payload;
    switch (e.event_type) {
      case T.PARTICIPANT_INVITED:
        return this.invite(e, p);
      case T.PARTICIPANT_JOINED:
        return this.join(e, p);
      case T.PARTICIPANT_LEFT:
        return this.leave(e, p);
      case T.PRESENCE_HEARTBEAT:
        return this.heartbeat(e, p);
      case T.CONCURRENT_DRIVER_WARNING:
      case T.POTENTIAL_STEP_COLLISION_DETECTED:
        return this.warn(e, p);
    }
    const pid = get(p, "participant_id", "");
    if (!isNonEmptyString(pid) || !this.checkActive(pid, e)) return;
    switch (e.event_type) {
      case T.DRIVE_INTENT_SET: {
        const intent = get(p, "intent", undefined);
        if (intent === "active") this.activeDrivers.add(pid);
        else if (intent === "inactive") this.activeDrivers.delete(pid);
        return;
      }
      case T.FOCUS_CHANGED:
        return this.focus(e, p, pid);
      case T.PROMPT_STEP_EXECUTION_STARTED:
        return listFor(this.activeExecutions, pid).push(get(p, "step_id", "")), undefined;
      case T.PROMPT_STEP_EXECUTION_COMPLETED:
        return this.complete(e, p, pid);
      case T.WARNING_ACKNOWLEDGED:
        return this.acknowledge(e, p, pid);
      case T.COMMENT_POSTED:
        return this.comment(e, p, pid);
      case T.DECISION_CAPTURED:
        return this.decide(e, p, pid);
      case T.SESSION_LINKED:
        return listFor(this.linkedSessions, pid).push(get(p, "linked_session_id", "")), undefined;
    }
  }

  private anomaly(e: Event, reason: string): void {
    this.anomalies.push({ event_id: e.event_id, event_type: e.event_type, reason });
  }

  /** Membership check shared by participant-scoped events: true when the participant may act. */
  private checkActive(pid: unknown, e: Event): boolean {
    if (typeof pid === "string") {
      if (this.participants.has(pid)) return true;
      if (this.departed.has(pid)) return this.departedParticipant(pid, e);
    } else if (!isPyHashable(pid)) {
      throw unhashable(pid, e);
    }
    if (this.strict) throw unknownParticipant(pid, e.event_id, e.event_type);
    this.anomaly(e, `Unknown participant ${pyReprValue(pid)}`);
    return false;
  }

  private departedParticipant(pid: string, e: Event): false {
    if (this.strict) throw failure(`Participant ${pyRepr(pid)} has departed`, e);
    this.anomaly(e, `Participant ${pyRepr(pid)} has departed`);
    return false;
  }

  private identity(e: Event, p: Payload): [string, ParticipantIdentity] | undefined {
    const pid = get(p, "participant_id", "");
    if (!isNonEmptyString(pid)) return void this.anomaly(e, "Missing participant_id in payload");
    const identity = toParticipantIdentity(get(p, "participant_identity", {}));
    if (identity === undefined) return void this.anomaly(e, "Invalid participant_identity in payload");
    return [pid, identity];
  }

  private invite(e: Event, p: Payload): void {
    const found = this.identity(e, p);
    if (found === undefined) return;
    const [pid, identity] = found;
    if (this.participants.has(pid) || this.invited.has(pid)) {
      return this.anomaly(e, `Participant ${pyRepr(pid)} already invited or active (duplicate invite)`);
    }
    this.invited.set(pid, identity);
  }

  private join(e: Event, p: Payload): void {
    const found = this.identity(e, p);
    if (found === undefined) return;
    const [pid, identity] = found;
    if (this.participants.has(pid)) return this.anomaly(e, `Duplicate join for participant ${pyRepr(pid)}`);
    this.departed.delete(pid);
    this.invited.delete(pid);
    this.participants.set(pid, identity);
  }

  private leave(e: Event, p: Payload): void {
    const pid = get(p, "participant_id", "");
    if (!isNonEmptyString(pid)) return this.anomaly(e, "Missing participant_id in payload");
    const identity = this.participants.get(pid);
    if (identity === undefined) {
      return this.anomaly(e, `Participant ${pyRepr(pid)} not in roster (duplicate leave or unknown)`);
    }
    this.participants.delete(pid);
    this.departed.set(pid, identity);
    this.activeDrivers.delete(pid);
    this.unfocus(pid);
    this.focusByParticipant.delete(pid);
    this.presence.delete(pid);
    this.activeExecutions.delete(pid);
  }

  private heartbeat(e: Event, p: Payload): void {
    const pid = get(p, "participant_id", "");
    if (!isNonEmptyString(pid)) return;
    if (this.participants.has(pid)) {
      this.presence.set(pid, e.timestamp);
    } else if (this.departed.has(pid)) {
      // The reference still records presence for a departed participant in permissive mode.
      this.departedParticipant(pid, e);
      this.presence.set(pid, e.timestamp);
    } else {
      this.checkActive(pid, e);
    }
  }

  private focus(e: Event, p: Payload, pid: string): void {
    const target = toFocusTarget(get(p, "focus_target", {}));
    if (target === undefined) return this.anomaly(e, "Invalid focus_target in payload");
    this.unfocus(pid);
    this.focusByParticipant.set(pid, target);
    const key = focusKey(target);
    const members = this.participantsByFocus.get(key);
    if (members === undefined) this.participantsByFocus.set(key, new Set([pid]));
    else members.add(pid);
  }

  private unfocus(pid: string): void {
    const old = this.focusByParticipant.get(pid);
    if (old === undefined) return;
    const key = focusKey(old);
    const members = this.participantsByFocus.get(key);
    if (members === undefined) return;
    members.delete(pid);
    if (members.size === 0) this.participantsByFocus.delete(key);
  }

  private complete(e: Event, p: Payload, pid: string): void {
    const stepId = get(p, "step_id", "");
    const open = this.activeExecutions.get(pid);
    const index = open === undefined ? -1 : indexOf(open, stepId);
    if (open === undefined || index < 0) {
      const reason = `No matching PromptStepExecutionStarted for step ${pyReprValue(stepId)} by participant ${pyRepr(pid)}`;
      if (this.strict) throw failure(reason, e);
      return this.anomaly(e, reason);
    }
    open.splice(index, 1);
  }

  private warn(e: Event, p: Payload): void {
    const warningId = get(p, "warning_id", "");
    if (!isNonEmptyString(warningId)) return;
    const pids = get(p, "participant_ids", []);
    if (!Array.isArray(pids)) return;
    // Each listed participant is checked, but the warning is recorded whatever the outcome.
    for (const pid of pids) this.checkActive(pid, e);
    const existing = this.warnings.get(warningId);
    this.warnings.set(warningId, {
      warning_id: warningId,
      event_id: e.event_id,
      warning_type: e.event_type,
      participant_ids: pids.slice(),
      acknowledgements: existing === undefined ? new Map() : existing.acknowledgements,
    });
  }

  private acknowledge(e: Event, p: Payload, pid: string): void {
    const warningId = get(p, "warning_id", "");
    const ack = get(p, "acknowledgement", "");
    if (!isPyHashable(warningId)) throw unhashable(warningId, e);
    const table = typeof warningId === "string" ? this.warnings : this.oddWarnings;
    const key = typeof warningId === "string" ? warningId : pyKey(warningId);
    const entry = table.get(key);
    if (entry !== undefined) {
      entry.acknowledgements.set(pid, ack);
      return;
    }
    const reason = `Warning ${pyReprValue(warningId)} not found`;
    if (this.strict) throw failure(reason, e);
    this.anomaly(e, reason);
    // A later real warning with this id adopts the acknowledgements recorded on the placeholder.
    table.set(key, {
      warning_id: warningId,
      event_id: e.event_id,
      warning_type: "UnknownWarning",
      participant_ids: [pid],
      acknowledgements: new Map([[pid, ack]]),
    });
  }

  private comment(e: Event, p: Payload, pid: string): void {
    this.comments.push({
      comment_id: requireString(get(p, "comment_id", ""), "comment_id", e),
      event_id: e.event_id,
      participant_id: pid,
      content: requireString(get(p, "content", ""), "content", e),
      reply_to: optionalString(get(p, "reply_to", null), "reply_to", e),
    });
  }

  private decide(e: Event, p: Payload, pid: string): void {
    this.decisions.push({
      decision_id: requireString(get(p, "decision_id", ""), "decision_id", e),
      event_id: e.event_id,
      participant_id: pid,
      topic: requireString(get(p, "topic", ""), "topic", e),
      chosen_option: requireString(get(p, "chosen_option", ""), "chosen_option", e),
      referenced_warning_id: optionalString(get(p, "referenced_warning_id", null), "referenced_warning_id", e),
    });
  }
}

const requireString = (value: unknown, field: string, e: Event): string => {
  if (typeof value === "string") return value;
  throw failure(`Cannot record ${field}=${pyReprValue(value)} (${pyTypeName(value)}): expected a string`, e);
};

const optionalString = (value: unknown, field: string, e: Event): string | null =>
  value === null ? null : requireString(value, field, e);

const failure = (reason: string, e: Event): SpecKittyEventsError =>
  new SpecKittyEventsError({ message: `${reason} (event_id=${e.event_id}, event_type=${e.event_type})` });

const unhashable = (value: unknown, e: Event): SpecKittyEventsError =>
  failure(`unhashable type: '${pyTypeName(value)}'`, e);

const listFor = (lists: Map<string, Array<unknown>>, pid: string): Array<unknown> => {
  let list = lists.get(pid);
  if (list === undefined) lists.set(pid, (list = []));
  return list;
};

const indexOf = (items: ReadonlyArray<unknown>, value: unknown): number => {
  if (typeof value === "string") return items.indexOf(value);
  for (let i = 0; i < items.length; i++) if (pyEquals(items[i], value)) return i;
  return -1;
};

// Python dict-key identity of a hashable non-string JSON value: numbers and booleans by numeric value.
const pyKey = (value: unknown): string => (value === null ? "None" : `n:${Number(value)}`);
