/**
 * Types of the outbox's public API. Times are epoch milliseconds. A *target* is a sync server URL plus a team
 * slug (`targetKey`); the ledger records every event's delivery state per target.
 */

/** Why a captured event cannot be selected for delivery yet (readiness; cleared when the cause is fixed). */
export type BlockedReason = "missing_identity";

/** Why a captured event will never be selected for delivery (kept for inspection, never deleted by delivery). */
export type EventParkedReason = "invalid_envelope";

/** A delivery state of one event for one target. `pending` = no ledger row yet. */
export type DeliveryState = "pending" | "retry" | "delivered" | "duplicate" | "parked";

/** Where a captured event came from. */
export type EventOrigin = "capture" | "legacy-queue";

/** What `capture` stores. `envelope` is completed with `lamport_clock` inside the capture transaction. */
export interface CaptureInput {
  readonly eventId: string;
  readonly eventType: string;
  /** The project the event belongs to; null while the repository has no persisted identity. */
  readonly projectUuid: string | null;
  /** The main repository root the event was captured in (how unidentified events are adopted later). */
  readonly repoRoot: string | null;
  /** The envelope as a JSON object; its `lamport_clock` is set to the allocated value. */
  readonly envelope: Record<string, unknown>;
  readonly blockedReason?: BlockedReason | null;
  readonly parkedReason?: EventParkedReason | null;
  /** For a parked event, why (e.g. the envelope's contract violations). */
  readonly violations?: ReadonlyArray<unknown> | null;
  /** Captured before validation: not selectable until `releaseCaptured` has judged it. */
  readonly unvalidated?: boolean;
}

export interface CaptureReceipt {
  readonly seq: number;
  readonly eventId: string;
  readonly lamport: number;
}

/** One event handed to delivery, in capture order. */
export interface OutboxEvent {
  /** Capture sequence (the outbox's order; unique). */
  readonly seq: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly projectUuid: string;
  readonly lamport: number;
  /** The envelope exactly as captured (JSON text). */
  readonly json: string;
  /** Byte length of `json` in UTF-8. */
  readonly bytes: number;
  /** Attempts made so far for the target the batch was selected for. */
  readonly attempts: number;
}

export interface BatchLimits {
  /** At most this many events (default 1000). */
  readonly maxEvents?: number;
  /** At most this many bytes of envelopes, counted as `14 + Σ(bytes + 2)` like a `{"events":[…]}` body
   * (default 262 144 × 0.9). A single event larger than the budget is returned alone so it can be parked. */
  readonly maxBytes?: number;
  /** Skip `retry` rows whose next attempt is after this time (default: now). */
  readonly now?: number;
  /** Only events with a capture sequence above this one (a delivery pass's cursor; default 0). */
  readonly afterSeq?: number;
}

/** The result of one delivery attempt for one event. */
export type DeliveryOutcome =
  | { readonly eventId: string; readonly outcome: "delivered" }
  | { readonly eventId: string; readonly outcome: "duplicate" }
  /** Send again after `nextAttemptAt` (per-event rejection or in-flight `pending`); counts an attempt. */
  | { readonly eventId: string; readonly outcome: "retry"; readonly reason: string; readonly nextAttemptAt: number }
  /** Never send to this target again (permanent per-event failure, e.g. oversized). */
  | { readonly eventId: string; readonly outcome: "parked"; readonly reason: string };

export interface RecordReceipt {
  readonly recorded: number;
  readonly delivered: number;
  readonly duplicate: number;
  readonly retry: number;
  readonly parked: number;
}

/** Counters of one (project, target) pair from the ledger. */
export interface TargetCounters {
  readonly target: string;
  readonly pending: number;
  readonly retry: number;
  readonly delivered: number;
  readonly duplicate: number;
  readonly parked: number;
  readonly lastAttemptAt: number | null;
  readonly lastSuccessAt: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
}

/** Counters of one project (or of the events of one repository still without identity). */
export interface ProjectCounters {
  /** null for events captured without a persisted project identity. */
  readonly projectUuid: string | null;
  /** For events without identity: the repository they were captured in (null outside any repository). */
  readonly repoRoot: string | null;
  readonly projectSlug: string | null;
  readonly captured: number;
  /** Events delivered (or duplicate) to no target and not parked: what still has to leave this machine. */
  readonly undelivered: number;
  readonly blocked: Readonly<Record<string, number>>;
  /** Events parked at capture (invalid), by reason. */
  readonly parked: Readonly<Record<string, number>>;
  /** Events captured but not yet validated (released by `releaseCaptured`). */
  readonly unvalidated: number;
  readonly oldestUndeliveredAt: number | null;
  readonly lastCapturedAt: number | null;
  readonly targets: ReadonlyArray<TargetCounters>;
}

export interface ParkedEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly projectUuid: string | null;
  /** null for an event parked at capture; the target for an event parked by delivery. */
  readonly target: string | null;
  readonly reason: string;
  readonly violations: ReadonlyArray<unknown> | null;
  readonly at: number;
}

export interface OutboxStats {
  readonly path: string;
  readonly lamport: number;
  readonly totalEvents: number;
  readonly undelivered: number;
  readonly projects: ReadonlyArray<ProjectCounters>;
  readonly parkedEvents: ReadonlyArray<ParkedEvent>;
}

export interface GcReceipt {
  readonly removed: number;
  readonly cutoff: number;
}
