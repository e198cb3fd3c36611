import { describe, expect, it } from "vitest";
import type { EventPage, StoredEvent } from "../src/api/types.ts";
import { liveFrameEvent } from "../src/api/client.ts";
import { LiveConnection, type LiveState, type SocketLike } from "../src/live/connection.ts";

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.({});
  }
  /** A frame as spec-kitty-server pushes it. */
  push(event: StoredEvent): void {
    const { envelope } = event;
    this.onmessage?.({
      data: JSON.stringify({ type: "event", seq: Number(event.cursor), event_id: envelope.event_id, event_type: envelope.event_type, project_uuid: event.project_uuid, mission: null, envelope }),
    });
  }
  frame(data: unknown): void {
    this.onmessage?.({ data: typeof data === "string" ? data : JSON.stringify(data) });
  }
  drop(): void {
    this.onclose?.({});
  }
}

const ev = (project: string, n: number): StoredEvent => ({
  cursor: String(n),
  project_uuid: project,
  received_at: "2026-12-01T00:00:00Z",
  envelope: { event_id: `E${n}`, event_type: "WPStatusChanged", aggregate_id: "WP01", payload: {}, timestamp: "2026-12-01T00:00:00Z", node_id: "n", lamport_clock: n },
});

/** A connection whose timers run only when the test says so. */
const harness = (store: Map<string, Array<StoredEvent>>, pageSize = 2) => {
  const sockets: Array<FakeSocket> = [];
  const timers: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
  const fetched: Array<[string, string | null]> = [];
  const conn = new LiveConnection({
    url: "ws://x/ws",
    openSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    fetchAfter: async (project, after): Promise<EventPage> => {
      fetched.push([project, after]);
      const all = store.get(project) ?? [];
      const rest = all.filter((e) => Number(e.cursor) > Number(after ?? 0));
      const page = rest.slice(0, pageSize);
      return { events: page, next_cursor: rest.length > pageSize ? page.at(-1)!.cursor : null };
    },
    parseFrame: liveFrameEvent,
    random: () => 0.5,
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => {
      (h as { cleared: boolean }).cleared = true;
    },
  });
  const delivered: Array<string> = [];
  const states: Array<LiveState> = [];
  let resyncs = 0;
  conn.subscribe({ onEvent: (e) => delivered.push(e.envelope.event_id), onState: (s) => states.push(s), onResync: () => (resyncs += 1) });
  const fireReconnect = () => {
    const t = timers.filter((x) => !x.cleared && x.ms !== 5_000).at(-1);
    if (t === undefined) throw new Error("no reconnect timer");
    t.cleared = true;
    t.fn();
  };
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { conn, sockets, timers, fetched, delivered, states, fireReconnect, settle, resyncs: () => resyncs };
};

describe("LiveConnection", () => {
  it("backs off exponentially with jitter, capped", () => {
    const c = new LiveConnection({ url: "u", openSocket: () => new FakeSocket(), fetchAfter: async () => ({ events: [], next_cursor: null }), parseFrame: liveFrameEvent, random: () => 0.5 });
    expect([0, 1, 2, 3, 10].map((n) => c.delayFor(n))).toEqual([250, 500, 1000, 2000, 8000]);
    const low = new LiveConnection({ url: "u", openSocket: () => new FakeSocket(), fetchAfter: async () => ({ events: [], next_cursor: null }), parseFrame: liveFrameEvent, random: () => 0 });
    expect(low.delayFor(0)).toBe(200);
  });

  it("delivers pushed events once each and remembers the cursor per project", async () => {
    const h = harness(new Map());
    h.conn.start();
    h.sockets[0]!.open();
    await h.settle();
    expect(h.resyncs()).toBe(1);
    h.sockets[0]!.push(ev("p", 1));
    h.sockets[0]!.push(ev("p", 1));
    h.sockets[0]!.push(ev("q", 2));
    // the snapshot, pings, acks and anything unreadable are not events
    h.sockets[0]!.frame({ type: "snapshot", work_packages: [] });
    h.sockets[0]!.frame({ type: "ping", timestamp: "t" });
    h.sockets[0]!.frame("not json");
    h.sockets[0]!.frame({ type: "event", event_id: "no seq" });
    expect(h.delivered).toEqual(["E1", "E2"]);
    expect(h.conn.cursorOf("p")).toBe("1");
    expect(h.conn.cursorOf("q")).toBe("2");
    expect(h.states).toEqual(["offline", "connecting", "open"]);
  });

  it("after a drop, reconnects and pages through everything after the last cursor before new pushes", async () => {
    const store = new Map([["p", [ev("p", 1), ev("p", 2), ev("p", 3), ev("p", 4), ev("p", 5)]]]);
    const h = harness(store);
    h.conn.start();
    h.sockets[0]!.open();
    h.sockets[0]!.push(ev("p", 1));
    await h.settle();
    h.sockets[0]!.drop();
    expect(h.states.at(-1)).toBe("offline");
    h.fireReconnect();
    expect(h.sockets).toHaveLength(2);
    h.sockets[1]!.open();
    // a push that races the catch-up waits for it and is not delivered twice
    h.sockets[1]!.push(ev("p", 6));
    h.sockets[1]!.push(ev("p", 4));
    await h.settle();
    await h.settle();
    await h.settle();
    expect(h.delivered).toEqual(["E1", "E2", "E3", "E4", "E5", "E6"]);
    expect(h.fetched).toEqual([
      ["p", "1"],
      ["p", "3"],
    ]);
    expect(h.resyncs()).toBe(2);
    expect(h.conn.cursorOf("p")).toBe("6");
  });

  it("counts a socket that never opens as a drop and keeps retrying with growing delays", () => {
    const h = harness(new Map());
    h.conn.start();
    const openDeadline = h.timers.find((t) => t.ms === 5_000)!;
    openDeadline.fn();
    expect(h.sockets[0]!.closed).toBe(true);
    const delays = [h.timers.at(-1)!.ms];
    h.fireReconnect();
    h.sockets[1]!.drop();
    delays.push(h.timers.at(-1)!.ms);
    expect(delays).toEqual([250, 500]);
  });

  it("uses a cursor noted by a page when nothing was delivered yet, and stops for good", async () => {
    const store = new Map([["p", [ev("p", 7), ev("p", 8)]]]);
    const h = harness(store, 10);
    h.conn.noteCursor("p", "7");
    h.conn.start();
    h.sockets[0]!.open();
    await h.settle();
    // the first connection already caught up from the noted cursor
    expect(h.delivered).toEqual(["E8"]);
    h.sockets[0]!.drop();
    h.fireReconnect();
    h.sockets[1]!.open();
    await h.settle();
    expect(h.delivered).toEqual(["E8"]);
    h.conn.stop();
    expect(h.sockets[1]!.closed).toBe(true);
    expect(h.states.at(-1)).toBe("offline");
    expect(h.timers.filter((t) => !t.cleared && t.ms !== 5_000)).toHaveLength(0);
  });
});
