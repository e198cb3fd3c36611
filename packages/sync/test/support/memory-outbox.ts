/** An in-memory DeliveryOutbox for drain tests: events in order, a per-target ledger, retry counts. */
import type { DeliveryOutbox, EventOutcome, DeliverableEvent } from "../../src/index.ts";

export class MemoryOutbox implements DeliveryOutbox {
  readonly events: Array<DeliverableEvent & { projectUuid: string }> = [];
  readonly ledger = new Map<string, EventOutcome["kind"]>();
  readonly retries = new Map<string, number>();
  readonly records: Array<ReadonlyArray<EventOutcome>> = [];

  add(projectUuid: string, count: number, make: (i: number) => Record<string, unknown> = () => ({})): Array<string> {
    const ids: Array<string> = [];
    for (let i = 0; i < count; i += 1) {
      const seq = this.events.length + 1;
      const eventId = `EV${String(seq).padStart(24, "0")}`;
      this.events.push({ eventId, seq, projectUuid, body: JSON.stringify({ event_id: eventId, project_uuid: projectUuid, ...make(i) }) });
      ids.push(eventId);
    }
    return ids;
  }

  private done(target: string, id: string): boolean {
    const kind = this.ledger.get(`${target}|${id}`);
    return kind === "synced" || kind === "duplicate" || kind === "parked";
  }

  selectBatch(q: { projectUuid: string; target: string; afterSeq: number; limit: number }): ReadonlyArray<DeliverableEvent> {
    return this.events
      .filter((e) => e.projectUuid === q.projectUuid && e.seq > q.afterSeq && !this.done(q.target, e.eventId))
      .slice(0, q.limit);
  }

  recordOutcomes(q: { projectUuid: string; target: string }, outcomes: ReadonlyArray<EventOutcome>): void {
    this.records.push(outcomes);
    for (const o of outcomes) {
      if (o.kind === "pending") continue;
      this.ledger.set(`${q.target}|${o.eventId}`, o.kind);
      if (o.kind === "rejected") this.retries.set(o.eventId, (this.retries.get(o.eventId) ?? 0) + 1);
    }
  }

  pendingCount(q: { projectUuid: string; target: string }): number {
    return this.events.filter((e) => e.projectUuid === q.projectUuid && !this.done(q.target, e.eventId)).length;
  }
}
