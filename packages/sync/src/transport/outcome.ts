/**
 * The typed result algebra of one delivery attempt. Every transport (batch HTTP, WebSocket, a test stub) reports
 * through these types, and only the drain turns them into outbox writes.
 */

/** What happened to one event of an attempt. */
export type EventOutcome =
  /** The server stored it (`success`, `accepted`, `warning`). Terminal. */
  | { readonly eventId: string; readonly kind: "synced" }
  /** The server already had it (`duplicate`). Terminal, and just as delivered. */
  | { readonly eventId: string; readonly kind: "duplicate" }
  /** Not adjudicated (in flight, missing from the answer, not stored): sent again later, retry count untouched. */
  | { readonly eventId: string; readonly kind: "pending"; readonly reason: string }
  /** The server refused this event's content: its retry count goes up, it is sent again later. */
  | { readonly eventId: string; readonly kind: "rejected"; readonly reason: string; readonly category: string }
  /** The server can never take this event (too large alone, project refused): kept locally, never sent again. */
  | { readonly eventId: string; readonly kind: "parked"; readonly reason: string; readonly category: string };

export type OutcomeKind = EventOutcome["kind"];

/** Limits a server advertises (health endpoint, or a 413 body). Each is present only when the server sent it. */
export interface AdvertisedLimits {
  readonly maxEventsPerBatch?: number;
  readonly maxDecompressedBytesPerBatch?: number;
  readonly retryAfterMinSeconds?: number;
  readonly retryAfterMaxSeconds?: number;
}

/** The verdict on one batch: what the drain must do next. */
export type BatchVerdict =
  /** The server answered per event (every sent event has exactly one outcome, in the order sent). */
  | { readonly kind: "adjudicated"; readonly outcomes: ReadonlyArray<EventOutcome> }
  /**
   * Nothing was adjudicated for a reason that is not the events' fault (403, 408, 429, 5xx, timeouts, resets,
   * unreadable answers): every event stays as it was, retry counts untouched. `retryAfterMs` is the server's
   * request, already clamped to its advertised bounds.
   */
  | {
      readonly kind: "transient";
      readonly status: number;
      readonly category: string;
      readonly reason: string;
      readonly retryAfterMs: number | null;
    }
  /** 401: refresh the session once and try again; a second 401 is transient `unauthenticated`. */
  | { readonly kind: "unauthorized"; readonly reason: string }
  /** 400 without per-event details on more than one event: split the batch and send the halves. */
  | { readonly kind: "bisect"; readonly reason: string }
  /** 413 on more than one event: send fewer (the server's limits, when it sent them, are in `limits`). */
  | { readonly kind: "shrink"; readonly reason: string; readonly limits: AdvertisedLimits }
  /** 412: client and server disagree on the protocol. The whole pass stops; `guidance` is the server's text. */
  | { readonly kind: "halt"; readonly code: string; readonly guidance: string };
