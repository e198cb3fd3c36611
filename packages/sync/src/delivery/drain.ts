/**
 * The drain: moves one project's undelivered events to one target through batch POSTs, and records what the server
 * said about each event. One pass walks the outbox forward with a cursor, so an event the server refuses never
 * holds back the events behind it; batch-level failures leave every event untouched and end or pause the pass.
 *
 *   select (cursor, window) → fit to byte budget → POST → map → record outcomes → advance cursor
 *   401 → refresh once, resend; 400 without details → bisect; 413 → halve the window and split; 412 → halt;
 *   transient → wait (Retry-After or backoff) and resend, up to `transientRetries` times, within the deadline.
 */
import { batchLimits, fitBatch, postBatch, type BatchBudget } from "../transport/batch.ts";
import { mapBatchResponse, type BatchResponse } from "../transport/mapper.ts";
import type { AdvertisedLimits, BatchVerdict, EventOutcome, OutcomeKind } from "../transport/outcome.ts";
import { Backoff, sleep } from "./backoff.ts";

/** One undelivered event as the outbox hands it out. */
export interface DeliverableEvent {
  readonly eventId: string;
  /** The outbox's order (capture sequence); the cursor of a pass. */
  readonly seq: number;
  /** The serialized envelope, sent verbatim. */
  readonly body: string;
}

/** What the drain needs from the outbox (the capture side implements it over the project's store). */
export interface DeliveryOutbox {
  /** Events of `projectUuid` not yet delivered to `target` nor parked, with `seq > afterSeq`, in order. */
  selectBatch(query: { readonly projectUuid: string; readonly target: string; readonly afterSeq: number; readonly limit: number }): ReadonlyArray<DeliverableEvent>;
  /** Records the outcomes of one answer in one transaction (synced/duplicate/parked terminal, rejected bumps). */
  recordOutcomes(query: { readonly projectUuid: string; readonly target: string }, outcomes: ReadonlyArray<EventOutcome>): void;
  /** How many events of the project are still to deliver to `target` (not delivered, not parked). */
  pendingCount(query: { readonly projectUuid: string; readonly target: string }): number;
}

/** Sends one batch and returns the raw answer (the HTTP transport, or a test stub). */
export type SendBatch = (events: ReadonlyArray<string>, accessToken: string, signal: AbortSignal) => Promise<BatchResponse>;

export interface DrainOptions {
  readonly outbox: DeliveryOutbox;
  readonly projectUuid: string;
  /** The delivery ledger's target key (server + team). */
  readonly target: string;
  readonly serverUrl: string;
  /** Sent as `X-Team-Slug`: the team the server must write into. */
  readonly teamSlug?: string;
  /** A valid access token, or null when there is no usable login. */
  readonly accessToken: () => Promise<string | null>;
  /** Refreshes after a 401 on `stale`; null when the session is gone. */
  readonly refresh: (stale: string) => Promise<string | null>;
  readonly limits?: AdvertisedLimits;
  /** Ends the pass early (deadline, SIGINT). */
  readonly signal?: AbortSignal;
  /** Pause between two batches (FR-033 for background delivery); 0 for `sync now`. */
  readonly batchIntervalMs?: number;
  /** Resends of one batch after transient failures before the pass gives up (0: give up at once). */
  readonly transientRetries?: number;
  /** The longest wait before a resend (a longer Retry-After ends the pass instead; default 30 s). */
  readonly maxWaitMs?: number;
  /** Stop after this many batches (background ticks deliver a bounded amount). */
  readonly maxBatches?: number;
  readonly send?: SendBatch;
  readonly onProgress?: (progress: DrainProgress) => void;
  /** Rewrites an envelope before it is sent (e.g. stamps the target team); identity when absent. */
  readonly prepare?: (body: string) => string;
}

export interface DrainProgress {
  readonly counts: Readonly<Record<OutcomeKind, number>>;
  readonly batches: number;
}

export type StopReason =
  | { readonly kind: "drained" }
  | { readonly kind: "unauthenticated"; readonly message: string }
  | { readonly kind: "transient"; readonly category: string; readonly message: string; readonly retryAfterMs: number | null }
  | { readonly kind: "halted"; readonly code: string; readonly message: string }
  | { readonly kind: "aborted"; readonly message: string }
  | { readonly kind: "batch_limit" };

export interface DrainResult {
  readonly counts: Readonly<Record<OutcomeKind, number>>;
  readonly batches: number;
  /** The outcomes that were not successes, for `--report`. */
  readonly failures: ReadonlyArray<Extract<EventOutcome, { kind: "rejected" | "parked" }>>;
  readonly stop: StopReason;
  /** Events still to deliver after the pass. */
  readonly remaining: number;
}

/** A pass waits at most this long before resending; a server asking for more ends the pass (events stay queued). */
export const MAX_WAIT_MS = 30_000;

const emptyCounts = (): Record<OutcomeKind, number> => ({ synced: 0, duplicate: 0, pending: 0, rejected: 0, parked: 0 });

/** Runs one drain pass. Never throws for server or network trouble: the reason is in `stop`. */
export const drain = async (options: DrainOptions): Promise<DrainResult> => {
  const { outbox, projectUuid, target } = options;
  const query = { projectUuid, target };
  const signal = options.signal ?? new AbortController().signal;
  const send: SendBatch =
    options.send ?? ((events, accessToken, s) =>
      postBatch({ serverUrl: options.serverUrl, accessToken, events, signal: s, ...(options.teamSlug === undefined ? {} : { teamSlug: options.teamSlug }) }));
  const prepare = options.prepare ?? ((body: string) => body);
  let limits: BatchBudget = batchLimits(options.limits ?? {});
  let window = limits.maxEvents;
  const counts = emptyCounts();
  const failures: Array<Extract<EventOutcome, { kind: "rejected" | "parked" }>> = [];
  let batches = 0;
  let cursor = 0;

  let token = await options.accessToken();
  if (token === null) {
    return { counts, batches, failures, stop: { kind: "unauthenticated", message: "not logged in (run 'spec-kitty auth login')" }, remaining: outbox.pendingCount(query) };
  }

  const record = (outcomes: ReadonlyArray<EventOutcome>): void => {
    outbox.recordOutcomes(query, outcomes);
    for (const outcome of outcomes) {
      counts[outcome.kind] += 1;
      if (outcome.kind === "rejected" || outcome.kind === "parked") failures.push(outcome);
    }
    options.onProgress?.({ counts, batches });
  };

  /** One POST of `events`, with the single refresh a 401 allows. */
  const attempt = async (events: ReadonlyArray<DeliverableEvent>): Promise<BatchVerdict> => {
    const ids = events.map((e) => e.eventId);
    const bodies = events.map((e) => prepare(e.body));
    batches += 1;
    let verdict = mapBatchResponse(await send(bodies, token as string, signal), ids, options.limits ?? {});
    if (verdict.kind === "unauthorized") {
      const fresh = await options.refresh(token as string);
      if (fresh === null) return verdict;
      token = fresh;
      batches += 1;
      verdict = mapBatchResponse(await send(bodies, token, signal), ids, options.limits ?? {});
    }
    return verdict;
  };

  /** Delivers `events` completely (splitting as the server asks) or returns why it stopped. */
  const deliver = async (events: ReadonlyArray<DeliverableEvent>): Promise<StopReason | null> => {
    const backoff = new Backoff();
    for (let tries = 0; ; tries += 1) {
      if (signal.aborted) return { kind: "aborted", message: "the pass ran out of time" };
      const verdict = await attempt(events);
      switch (verdict.kind) {
        case "adjudicated":
          record(verdict.outcomes);
          return null;
        case "unauthorized":
          return { kind: "unauthenticated", message: `the server refused the session (${verdict.reason}); run 'spec-kitty auth login'` };
        case "halt":
          return { kind: "halted", code: verdict.code, message: verdict.guidance };
        case "bisect":
        case "shrink": {
          if (verdict.kind === "shrink") {
            limits = batchLimits({ ...options.limits, ...verdict.limits });
            window = Math.max(1, Math.min(limits.maxEvents, Math.floor(events.length / 2)));
          }
          const mid = Math.ceil(events.length / 2);
          return (await deliver(events.slice(0, mid))) ?? (await deliver(events.slice(mid)));
        }
        case "transient": {
          const retries = options.transientRetries ?? 0;
          const stop: StopReason = { kind: "transient", category: verdict.category, message: verdict.reason, retryAfterMs: verdict.retryAfterMs };
          if (tries >= retries) return stop;
          const wait = verdict.retryAfterMs ?? backoff.fail();
          if (wait > (options.maxWaitMs ?? MAX_WAIT_MS)) return stop;
          await sleep(wait, signal);
          if (signal.aborted) return stop;
        }
      }
    }
  };

  for (;;) {
    if (signal.aborted) return finish({ kind: "aborted", message: "the pass ran out of time" });
    if (options.maxBatches !== undefined && batches >= options.maxBatches) return finish({ kind: "batch_limit" });
    const candidates = outbox.selectBatch({ projectUuid, target, afterSeq: cursor, limit: window });
    if (candidates.length === 0) return finish({ kind: "drained" });
    const sizes = candidates.map((e) => Buffer.byteLength(e.body, "utf8"));
    const batch = candidates.slice(0, fitBatch(sizes, { maxEvents: window, maxBytes: limits.maxBytes }));
    const stop = await deliver(batch);
    if (stop !== null) return finish(stop);
    cursor = batch[batch.length - 1]?.seq ?? cursor;
    if ((options.batchIntervalMs ?? 0) > 0) await sleep(options.batchIntervalMs ?? 0, signal);
  }

  function finish(stop: StopReason): DrainResult {
    return { counts, batches, failures, stop, remaining: outbox.pendingCount(query) };
  }
};

