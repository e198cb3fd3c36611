/**
 * The drain's DeliveryOutbox over the outbox store. Outcomes map to the ledger: synced → delivered, duplicate →
 * duplicate, parked → parked, rejected → retry (one more attempt, resent after a delay growing with the attempts),
 * pending → nothing recorded (retry count untouched; the pass's cursor moves past it, the next pass resends it).
 */
import type { OutboxStore } from "../outbox/store.ts";
import type { DeliveryOutcome } from "../outbox/types.ts";
import type { EventOutcome } from "../transport/outcome.ts";
import type { DeliverableEvent, DeliveryOutbox } from "./drain.ts";

/** A rejected event is resent after 30 s × 2^(attempts−1), at most an hour. */
export const rejectionDelayMs = (attempts: number): number => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, Math.min(attempts - 1, 20)));

export const storeOutbox = (store: OutboxStore, now: () => number = Date.now): DeliveryOutbox => {
  const attempts = new Map<string, number>();
  return {
    selectBatch: ({ projectUuid, target, afterSeq, limit }) => {
      const rows = store.project(projectUuid).selectBatch(target, { maxEvents: limit, maxBytes: Number.MAX_SAFE_INTEGER, afterSeq });
      attempts.clear();
      return rows.map((row): DeliverableEvent => {
        attempts.set(row.eventId, row.attempts);
        return { eventId: row.eventId, seq: row.seq, body: row.json };
      });
    },
    recordOutcomes: ({ projectUuid, target }, outcomes: ReadonlyArray<EventOutcome>) => {
      const at = now();
      const rows: Array<DeliveryOutcome> = [];
      for (const o of outcomes) {
        if (o.kind === "synced") rows.push({ eventId: o.eventId, outcome: "delivered" });
        else if (o.kind === "duplicate") rows.push({ eventId: o.eventId, outcome: "duplicate" });
        else if (o.kind === "parked") rows.push({ eventId: o.eventId, outcome: "parked", reason: `${o.category}: ${o.reason}` });
        else if (o.kind === "rejected") {
          const next = (attempts.get(o.eventId) ?? 0) + 1;
          rows.push({ eventId: o.eventId, outcome: "retry", reason: `${o.category}: ${o.reason}`, nextAttemptAt: at + rejectionDelayMs(next) });
        }
        // pending: nothing recorded, the retry count stays; the pass's cursor moves past it, the next pass resends it.
      }
      if (rows.length > 0) store.project(projectUuid).record(target, rows, at);
    },
    pendingCount: ({ projectUuid, target }) => {
      const c = store.project(projectUuid).counters(target);
      return c.pending + c.retry;
    },
  };
};
