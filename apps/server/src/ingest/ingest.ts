import type { ClientGeneration } from "../auth/service.ts";
import type { Notice, Notifier } from "../realtime/notifier.ts";
import type { AppendItem, EventSource, Store, Team } from "../store/port.ts";
import type { ViewMaintainer } from "../views/maintainer.ts";
import { checkItem, judge, type Unusable } from "./envelope.ts";

/** Per-event categories the current client treats as terminal (reference-server.md §5.2). */
export const CATEGORY_PROJECT_NOT_ADMITTED = "project_not_admitted";
export const CATEGORY_PROJECT_REFUSED = "project_refused";

/** The answer for one event, ready for the wire. */
export interface EventResult {
  readonly event_id: string;
  readonly status: "success" | "duplicate" | "rejected";
  readonly error?: string;
  readonly error_message?: string;
  readonly error_category?: string;
  readonly code?: string;
}

export type IngestOutcome =
  | { readonly kind: "results"; readonly results: ReadonlyArray<EventResult>; readonly stored: number; readonly seqs: ReadonlyArray<number | null> }
  /** Some items cannot be adjudicated (not objects, no usable id): nothing was stored. */
  | { readonly kind: "unusable"; readonly problems: ReadonlyArray<Unusable> }
  /** Every event was refused because its project belongs to another team: nothing was stored. */
  | { readonly kind: "all_refused"; readonly results: ReadonlyArray<EventResult> };

export interface IngestContext {
  readonly team: Team;
  readonly generation: ClientGeneration;
  readonly source: EventSource;
}

/**
 * The write path shared by batch, WebSocket and both generations (ADR-0014): judge every item, store the raw
 * envelope with its verdict in one transaction, answer from that durable write, then fan out and refresh views.
 */
export class Ingestor {
  private readonly store: Store;
  private readonly notifier: Notifier;
  private readonly views: ViewMaintainer;
  private readonly now: () => number;

  constructor(store: Store, notifier: Notifier, views: ViewMaintainer, now: () => number = Date.now) {
    this.store = store;
    this.notifier = notifier;
    this.views = views;
    this.now = now;
  }

  async ingest(ctx: IngestContext, items: ReadonlyArray<unknown>): Promise<IngestOutcome> {
    const problems: Array<Unusable> = [];
    items.forEach((item, i) => {
      const p = checkItem(item, i);
      if (p !== undefined) problems.push(p);
    });
    if (problems.length > 0) return { kind: "unusable", problems };

    const judged = items.map((item) => judge(item as Record<string, unknown>));
    const appendItems: Array<AppendItem> = judged.map((j, i) => {
      const raw = JSON.stringify(items[i]);
      return {
        eventId: j.eventId,
        rawEventId: j.rawEventId,
        eventType: j.eventType,
        projectUuid: j.projectUuid,
        missionKey: j.missionKey,
        lamportClock: j.lamportClock,
        timestamp: j.timestamp,
        raw,
        // The judge returns the item itself when nothing needed normalising: the same text, serialised once.
        canonical: j.canonical === null ? null : j.canonical === items[i] ? raw : JSON.stringify(j.canonical),
        verdict: j.violations.length === 0 ? "valid" : "quarantined",
        violations: j.violations.length === 0 ? null : JSON.stringify(j.violations),
        source: ctx.source,
      };
    });
    const outcomes = await this.store.appendBatch({ teamId: ctx.team.id, receivedAt: this.now(), items: appendItems });

    const results: Array<EventResult> = [];
    const seqs: Array<number | null> = [];
    const notices: Array<Notice> = [];
    let stored = 0;
    let refused = 0;
    outcomes.forEach((o, i) => {
      const j = judged[i]!;
      const a = appendItems[i]!;
      if (o.kind === "project_refused") {
        refused++;
        seqs.push(null);
        const message = projectRefusal(ctx.team.slug);
        results.push({ event_id: j.rawEventId, status: "rejected", error: message, error_message: message, error_category: CATEGORY_PROJECT_NOT_ADMITTED, code: CATEGORY_PROJECT_NOT_ADMITTED });
        return;
      }
      seqs.push(o.seq);
      if (o.kind === "duplicate") {
        results.push({ event_id: j.rawEventId, status: "duplicate" });
        return;
      }
      stored++;
      notices.push({
        teamId: ctx.team.id,
        projectUuid: a.projectUuid,
        missionKey: a.missionKey,
        seq: o.seq,
        eventId: a.eventId,
        eventType: a.eventType,
        envelope: a.canonical ?? a.raw,
      });
      if (o.verdict === "valid") {
        if (a.projectUuid !== null && a.missionKey !== null) this.views.touch(ctx.team.id, a.projectUuid, a.missionKey);
        results.push({ event_id: j.rawEventId, status: "success" });
        return;
      }
      // Quarantined: kept with its violations. The 028-era client only stops resending on success.
      if (ctx.generation === "legacy") {
        results.push({ event_id: j.rawEventId, status: "success" });
        return;
      }
      const message = j.violations[0]?.message ?? "Invalid event";
      results.push({ event_id: j.rawEventId, status: "rejected", error: message, error_message: message, error_category: CATEGORY_PROJECT_REFUSED, code: "event_quarantined" });
    });
    if (notices.length > 0) {
      // Fan-out failures never change the answer: the events are stored.
      await this.notifier.publish(ctx.team.id, notices).catch(() => undefined);
    }
    if (refused > 0 && refused === outcomes.length) return { kind: "all_refused", results };
    return { kind: "results", results, stored, seqs };
  }
}

/** Wording of the reference's contract fixture for a project owned by another team. */
export const projectRefusal = (teamSlug: string): string => `Invalid schema: project_uuid authorization check failed for team '${teamSlug}'`;
