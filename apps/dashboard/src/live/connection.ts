/**
 * The live feed of one team: a WebSocket that pushes every event the server accepts. When the socket drops
 * it reconnects with exponential backoff and, before delivering anything new, asks the event listing for
 * everything after the last cursor it saw per project, so no event is missed or delivered twice.
 */
import type { EventPage, StoredEvent } from "../api/types.ts";

export type LiveState = "connecting" | "open" | "offline";

/** The part of the browser's WebSocket the connection uses (a fake one in component tests). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export interface LiveOptions {
  readonly url: string;
  readonly openSocket: (url: string) => SocketLike;
  /** One page of the event listing after `after` (null: from the start). */
  readonly fetchAfter: (project: string, after: string | null) => Promise<EventPage>;
  /** The event a decoded frame carries, or null for any other frame (snapshot, ping, ...). */
  readonly parseFrame: (frame: unknown) => StoredEvent | null;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Deadline for the socket to open; a connect that hangs longer counts as a drop. */
  readonly openTimeoutMs?: number;
  readonly random?: () => number;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
}

export interface LiveListener {
  /** Every event, live or caught up, once, in stream order per project. */
  readonly onEvent?: (event: StoredEvent) => void;
  readonly onState?: (state: LiveState) => void;
  /** After every (re)connection has caught up: views derived from several events should reload. */
  readonly onResync?: () => void;
}

const SEEN_LIMIT = 20_000;

export class LiveConnection {
  private readonly options: Required<Omit<LiveOptions, "setTimer" | "clearTimer">> &
    Pick<LiveOptions, "setTimer" | "clearTimer">;
  private readonly listeners = new Set<LiveListener>();
  private readonly cursors = new Map<string, string>();
  private readonly seen = new Set<string>();
  private socket: SocketLike | null = null;
  private state: LiveState = "offline";
  private attempts = 0;
  private timer: unknown = null;
  private openTimer: unknown = null;
  private stopped = true;
  /** Frames that arrived while catching up; delivered after the catch-up, duplicates dropped. */
  private pending: Array<StoredEvent> | null = null;

  constructor(options: LiveOptions) {
    this.options = {
      initialDelayMs: 250,
      maxDelayMs: 8_000,
      openTimeoutMs: 5_000,
      random: Math.random,
      ...options,
    };
  }

  get currentState(): LiveState {
    return this.state;
  }

  /** The last cursor delivered for `project`, if any. */
  cursorOf(project: string): string | undefined {
    return this.cursors.get(project);
  }

  /** Records that a page has read `project` up to `cursor` (so a reconnect catches up from there). */
  noteCursor(project: string, cursor: string): void {
    if (!this.cursors.has(project)) this.cursors.set(project, cursor);
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    listener.onState?.(this.state);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clear(this.timer);
    this.clear(this.openTimer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      socket.onclose = null;
      socket.close();
    }
    this.setState("offline");
  }

  /** The delay before reconnect attempt `n` (0-based): doubling from the initial delay, capped, ±20 % jitter. */
  delayFor(attempt: number): number {
    const base = Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** attempt);
    return Math.round(base * (0.8 + 0.4 * this.options.random()));
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState("connecting");
    let socket: SocketLike;
    try {
      socket = this.options.openSocket(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.openTimer = this.schedule(() => {
      if (this.socket === socket && this.state === "connecting") this.drop(socket);
    }, this.options.openTimeoutMs);
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.clear(this.openTimer);
      this.attempts = 0;
      this.setState("open");
      // also on the first connection: what happened between a page's first load and this socket is caught up
      void this.catchUp();
    };
    socket.onmessage = (message) => {
      if (this.socket !== socket || typeof message.data !== "string") return;
      let event: StoredEvent | null;
      try {
        event = this.options.parseFrame(JSON.parse(message.data));
      } catch {
        return;
      }
      if (event === null) return;
      if (this.pending !== null) this.pending.push(event);
      else this.deliver(event);
    };
    socket.onerror = () => {
      // a close event follows every error; reconnecting happens there
    };
    socket.onclose = () => {
      if (this.socket === socket) this.drop(socket);
    };
  }

  private drop(socket: SocketLike): void {
    socket.onclose = null;
    socket.onmessage = null;
    try {
      socket.close();
    } catch {
      // already closed
    }
    if (this.socket === socket) this.socket = null;
    this.clear(this.openTimer);
    this.pending = null;
    this.setState("offline");
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.delayFor(this.attempts);
    this.attempts += 1;
    this.timer = this.schedule(() => this.connect(), delay);
  }

  /** Pages through the listing after each known cursor, then flushes what the socket sent meanwhile. */
  private async catchUp(): Promise<void> {
    const socket = this.socket;
    this.pending = [];
    try {
      for (const [project, cursor] of [...this.cursors]) {
        let after: string | null = cursor;
        for (let page = 0; page < 1_000; page += 1) {
          const result: EventPage = await this.options.fetchAfter(project, after);
          if (this.socket !== socket) return;
          for (const event of result.events) this.deliver(event);
          if (result.next_cursor === null || result.events.length === 0) break;
          after = result.next_cursor;
        }
      }
    } catch {
      // the listing failed: treat it as a drop so the catch-up is retried on the next connection
      if (this.socket === socket && socket !== null) this.drop(socket);
      return;
    }
    if (this.socket !== socket) return;
    const queued = this.pending ?? [];
    this.pending = null;
    for (const event of queued) this.deliver(event);
    for (const listener of this.listeners) listener.onResync?.();
  }

  private deliver(event: StoredEvent): void {
    const id = event.envelope.event_id;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    if (this.seen.size > SEEN_LIMIT) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.cursors.set(event.project_uuid, event.cursor);
    for (const listener of this.listeners) listener.onEvent?.(event);
  }

  private setState(state: LiveState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.listeners) listener.onState?.(state);
  }

  private schedule(fn: () => void, ms: number): unknown {
    return (this.options.setTimer ?? ((f, t) => setTimeout(f, t)))(fn, ms);
  }

  private clear(handle: unknown): void {
    if (handle === null) return;
    (this.options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)))(handle);
  }
}
