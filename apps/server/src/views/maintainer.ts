import type { Event } from "@spec-kitty/events";
import type { Store, ViewRow } from "../store/port.ts";
import { WP_STATUS_CHANGED } from "@spec-kitty/events";
import { computeViews, decodeStored, VIEW_KINDS, viewsFrom, wpKey, type EncodedStatus } from "./compute.ts";
import { WpStatus } from "./status-wp.ts";

const key = (teamId: string, projectUuid: string, missionKey: string): string => `${teamId}\u0000${projectUuid}\u0000${missionKey}`;

interface Cached {
  lastSeq: number;
  events: Array<Event>;
  /** Each work package's status, folded incrementally. */
  wps: Map<string, WpStatus>;
  usedAt: number;
}

/**
 * Keeps the per-mission views current (ADR-0014). Ingest marks the missions it touched; a refresh reads only
 * the mission's events after the last one folded in (a bounded per-mission cache keeps the decoded events),
 * re-runs the reducers and upserts the view rows. Reads wait for a pending refresh of their mission, so an
 * answer never lags an acknowledged write. A refresh's result equals a replay of all stored events.
 */
export class ViewMaintainer {
  private readonly store: Store;
  private readonly dirty = new Map<string, { teamId: string; projectUuid: string; missionKey: string }>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly cache = new Map<string, Cached>();
  private readonly maxCached: number;
  private readonly maxCachedEvents: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly delayMs: number;
  private readonly maxDelayMs: number;
  /** The wait before the next timed refresh: `delayMs`, longer while refreshes are expensive. */
  private nextDelayMs: number;
  private readonly onError: (e: unknown) => void;

  constructor(
    store: Store,
    options: { delayMs?: number; maxDelayMs?: number; maxCachedMissions?: number; maxCachedEvents?: number; onError?: (e: unknown) => void } = {},
  ) {
    this.store = store;
    // Reads wait for their mission (ensureFresh), so a longer delay only lets one refresh fold more events.
    this.delayMs = options.delayMs ?? 250;
    // Under sustained ingest a refresh re-encodes and rewrites whole mission views: the timed refresh then waits
    // three times as long as the last one took (at most maxDelayMs), so views cost at most about a quarter of
    // the process's time however fast events arrive. Reads are unaffected (they refresh their mission first).
    this.maxDelayMs = Math.max(this.delayMs, options.maxDelayMs ?? 2000);
    this.nextDelayMs = this.delayMs;
    this.maxCached = options.maxCachedMissions ?? 256;
    // Decoded events held for incremental folds; beyond this, the least recently used missions are dropped
    // and rebuilt from the store when next touched.
    this.maxCachedEvents = options.maxCachedEvents ?? 40_000;
    this.onError = options.onError ?? (() => undefined);
  }

  /** Marks a mission as changed; its views are refreshed shortly. */
  touch(teamId: string, projectUuid: string, missionKey: string): void {
    this.dirty.set(key(teamId, projectUuid, missionKey), { teamId, projectUuid, missionKey });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const started = performance.now();
      void this.flush()
        .catch(this.onError)
        .finally(() => {
          this.nextDelayMs = Math.min(this.maxDelayMs, Math.max(this.delayMs, 3 * (performance.now() - started)));
        });
    }, this.nextDelayMs);
  }

  /** Refreshes every mission marked so far. */
  async flush(): Promise<void> {
    const work = [...this.dirty.values()];
    this.dirty.clear();
    await Promise.all(work.map((m) => this.refresh(m.teamId, m.projectUuid, m.missionKey)));
  }

  /** Waits until the mission's views include every event acknowledged before the call. */
  async ensureFresh(teamId: string, projectUuid: string, missionKey: string): Promise<void> {
    const k = key(teamId, projectUuid, missionKey);
    if (this.dirty.has(k)) {
      this.dirty.delete(k);
      await this.refresh(teamId, projectUuid, missionKey);
    } else {
      await this.running.get(k);
    }
  }

  /** Refreshes one mission; refreshes of one mission run one after another. */
  refresh(teamId: string, projectUuid: string, missionKey: string): Promise<void> {
    const k = key(teamId, projectUuid, missionKey);
    const previous = this.running.get(k) ?? Promise.resolve();
    const next = previous.then(() => this.recompute(k, teamId, projectUuid, missionKey));
    const tracked = next.finally(() => {
      if (this.running.get(k) === tracked) this.running.delete(k);
    });
    this.running.set(k, tracked);
    return tracked;
  }

  /** Drops every cached mission and rebuilds all views from the stored events (`rebuild-views`). */
  async rebuildAll(): Promise<number> {
    this.cache.clear();
    await this.store.clearViews();
    const missions = await this.store.allMissions();
    for (const m of missions) await this.refresh(m.teamId, m.projectUuid, m.missionKey);
    return missions.length;
  }

  /** Views of one mission from scratch, without touching the store's view rows (used by tests and rebuild). */
  static async replay(store: Store, teamId: string, projectUuid: string, missionKey: string): Promise<Record<string, unknown>> {
    const events: Array<Event> = [];
    let after = 0;
    for (;;) {
      const page = await store.readEvents({ teamId, projectUuid, missionKey, verdict: "valid", afterSeq: after, limit: 1000 });
      if (page.length === 0) break;
      for (const e of page) {
        after = e.seq;
        const d = decodeStored(e);
        if (d !== undefined) events.push(d);
      }
    }
    return computeViews(events);
  }

  private async recompute(k: string, teamId: string, projectUuid: string, missionKey: string): Promise<void> {
    // With SQLite every store call completes synchronously, so a flush of many missions would otherwise hold the
    // event loop for all of them: let pending requests in between two missions.
    await new Promise<void>((resolve) => setImmediate(resolve));
    let c = this.cache.get(k);
    if (c === undefined) {
      c = { lastSeq: 0, events: [], wps: new Map(), usedAt: Date.now() };
      this.cache.set(k, c);
      this.evict(k);
    }
    c.usedAt = Date.now();
    let grew = c.lastSeq === 0;
    const touched = new Map<string, Array<Event>>();
    for (;;) {
      const page = await this.store.readEvents({ teamId, projectUuid, missionKey, verdict: "valid", afterSeq: c.lastSeq, limit: 1000 });
      if (page.length === 0) break;
      for (const e of page) {
        c.lastSeq = e.seq;
        const d = decodeStored(e);
        if (d === undefined) continue;
        c.events.push(d);
        if (d.event_type === WP_STATUS_CHANGED) {
          const k = wpKey(d);
          let list = touched.get(k);
          if (list === undefined) touched.set(k, (list = []));
          list.push(d);
        }
      }
      grew = true;
    }
    if (!grew) return;
    // Only the work packages that received events are folded again.
    for (const [k, list] of touched) {
      let wp = c.wps.get(k);
      if (wp === undefined) c.wps.set(k, (wp = new WpStatus()));
      wp.add(list);
    }
    const parts = new Map<string, EncodedStatus>();
    for (const [k, wp] of c.wps) parts.set(k, wp.result);
    const views = viewsFrom(c.events, parts);
    const now = Date.now();
    const rows: Array<ViewRow> = VIEW_KINDS.map((kind) => ({
      teamId,
      projectUuid,
      missionKey,
      kind,
      lastSeq: c.lastSeq,
      body: JSON.stringify(views[kind]),
      updatedAt: now,
    }));
    await this.store.putViews(rows);
    this.evict(k);
  }

  private evict(keep?: string): void {
    let events = 0;
    for (const c of this.cache.values()) events += c.events.length;
    if (this.cache.size <= this.maxCached && events <= this.maxCachedEvents) return;
    for (const [k, c] of [...this.cache.entries()].sort((a, b) => a[1].usedAt - b[1].usedAt)) {
      if (this.cache.size <= this.maxCached && events <= this.maxCachedEvents) return;
      if (k === keep) continue;
      this.cache.delete(k);
      events -= c.events.length;
    }
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush().catch(this.onError);
    await Promise.all([...this.running.values()]).catch(this.onError);
  }
}
