import { describe, expect, it } from "vitest";
import { ApiError, enrichBoard, liveFrameEvent, makeApiClient, memoryTokenStore, paths, sessionTokenStore } from "../src/api/client.ts";

interface Seen {
  readonly url: string;
  readonly init: RequestInit;
}

/** A fetch that answers by path from `routes` (a function of the request), recording every call. */
const fakeFetch = (routes: (url: URL, init: RequestInit) => [number, unknown], seen: Array<Seen> = []) =>
  (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input), "http://h");
    seen.push({ url: url.pathname + url.search, init: init ?? {} });
    const [status, body] = routes(url, init ?? {});
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;

const ME = { user_id: "u", email: "a@b.c", name: "A", teams: [{ id: "t1", name: "T", role: "member" }] };

describe("API client", () => {
  it("builds every path from encoded ids", () => {
    expect(paths.views("t 1", "p/1", "042-x")).toBe("/api/v1/teams/t%201/projects/p%2F1/missions/042-x");
    expect(paths.events("p", null, 10)).toBe("/api/v1/events/?project_uuid=p&after=0&limit=10");
    expect(paths.events("p", "42", 10, "m")).toBe("/api/v1/events/?project_uuid=p&mission=m&after=42&limit=10");
    expect(paths.live("t")).toBe("/ws/v1/events/?team=t");
  });

  it("signs in with the password, keeps the token pair and sends the access token from then on", async () => {
    const seen: Array<Seen> = [];
    const tokens = memoryTokenStore();
    const api = makeApiClient(tokens, "", fakeFetch((url) => (url.pathname === "/api/v1/token/" ? [200, { access: "A1", refresh: "R1" }] : [200, ME]), seen));
    await expect(api.me()).rejects.toMatchObject({ code: "unauthorized" });
    expect(seen).toHaveLength(0);
    const me = await api.login("a@b.c", "pw");
    expect(me.email).toBe("a@b.c");
    expect(JSON.parse(String(seen[0]!.init.body))).toEqual({ username: "a@b.c", password: "pw" });
    expect(tokens.get()).toEqual({ access: "A1", refresh: "R1" });
    expect((seen[1]!.init.headers as Record<string, string>)["authorization"]).toBe("Bearer A1");
    expect(seen[1]!.init.signal).toBeInstanceOf(AbortSignal);
    expect(api.liveSocket("t1", "http://h:1")).toEqual({ url: "ws://h:1/ws/v1/events/?team=t1", protocols: ["spec-kitty.dashboard", "bearer.A1"] });
  });

  it("refreshes an expired access token once and retries; a dead refresh token signs out", async () => {
    const tokens = memoryTokenStore();
    tokens.set({ access: "old", refresh: "R1" });
    const seen: Array<Seen> = [];
    const api = makeApiClient(
      tokens,
      "",
      fakeFetch((url, init) => {
        const auth = (init.headers as Record<string, string>)["authorization"];
        if (url.pathname === "/api/v1/token/refresh/") return JSON.parse(String(init.body)).refresh === "R1" ? [200, { access: "new", refresh: "R2" }] : [401, {}];
        return auth === "Bearer new" ? [200, ME] : [401, { detail: "expired" }];
      }, seen),
    );
    expect((await api.me()).email).toBe("a@b.c");
    expect(seen.map((s) => s.url)).toEqual(["/api/v1/me", "/api/v1/token/refresh/", "/api/v1/me"]);
    expect(tokens.get()).toEqual({ access: "new", refresh: "R2" });
    tokens.set({ access: "old", refresh: "dead" });
    await expect(api.me()).rejects.toMatchObject({ code: "unauthorized", status: 401 });
    expect(tokens.get()).toBeNull();
  });

  it("turns HTTP failures into coded errors carrying the server's description", async () => {
    for (const [status, code] of [
      [403, "forbidden"],
      [404, "not_found"],
      [422, "bad_request"],
      [503, "server"],
    ] as const) {
      const tokens = memoryTokenStore();
      tokens.set({ access: "a", refresh: "r" });
      const api = makeApiClient(tokens, "", fakeFetch(() => [status, { error: `nope ${status}` }]));
      const error = (await api.projects("t").catch((e: unknown) => e)) as ApiError;
      expect(error).toBeInstanceOf(ApiError);
      expect([error.code, error.status]).toEqual([code, status]);
      expect(error.message).toContain(`nope ${status}`);
      expect(error.message).toContain("/api/v1/teams/t/projects");
    }
  });

  it("reports an unreachable server as a network error", async () => {
    const tokens = memoryTokenStore();
    tokens.set({ access: "a", refresh: "r" });
    const api = makeApiClient(tokens, "", (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch);
    await expect(api.me()).rejects.toMatchObject({ code: "network", status: 0 });
  });

  it("builds a board from the server's views, then adds what the mission's last transitions say", async () => {
    const tokens = memoryTokenStore();
    tokens.set({ access: "a", refresh: "r" });
    const ev = (seq: number, type: string, payload: Record<string, unknown>) => ({
      seq,
      event_id: `E${seq}`,
      event_type: type,
      project_uuid: "p",
      mission: "m",
      received_at: "2026-12-01T10:00:00Z",
      verdict: "valid",
      envelope: { event_id: `E${seq}`, event_type: type, aggregate_id: "m", payload, timestamp: "2026-12-01T10:00:00+00:00", node_id: "n", lamport_clock: seq },
    });
    const seen: Array<Seen> = [];
    const api = makeApiClient(
      tokens,
      "",
      fakeFetch((url) => {
        if (url.pathname.startsWith("/api/v1/teams/")) {
          return [
            200,
            {
              mission: "m",
              project_uuid: "p",
              views: {
                board: {
                  work_packages: [
                    { wp_id: "WP01", lane: "blocked", title: "One", actor: "ann", depends_on: ["WP00"] },
                    { wp_id: "WP02", lane: "in_review", title: null, actor: null, depends_on: [] },
                    { wp_id: "WP03", lane: "doing", title: "not a display lane", actor: null, depends_on: [] },
                  ],
                },
                status: { wp_states: { WP01: { last_transition_at: "2026-12-01T09:00:00+00:00" } } },
              },
            },
          ];
        }
        const after = url.searchParams.get("after");
        return after === "0"
          ? [
              200,
              {
                events: [
                  ev(1, "MissionCreated", { friendly_name: "Checkout" }),
                  ev(2, "WPStatusChanged", { wp_id: "WP01", to_lane: "blocked", reason: "waiting on keys" }),
                  ev(3, "WPStatusChanged", { wp_id: "WP02", to_lane: "in_review", review_ref: "pr-7" }),
                ],
                next_after: 3,
                has_more: false,
              },
            ]
          : [200, { events: [], next_after: Number(after), has_more: false }];
      }, seen),
    );
    const fast = await api.board("t", "p", "m");
    expect(fast.friendly_name).toBeNull();
    expect(fast.cards.map((c) => [c.wp_id, c.blocked_reason, c.review_state])).toEqual([
      ["WP01", null, null],
      ["WP02", null, null],
    ]);
    expect(seen.some((s) => s.url.startsWith("/api/v1/events/"))).toBe(false);
    const board = enrichBoard(fast, await api.missionNotes("p", "m"));
    expect(board.friendly_name).toBe("Checkout");
    expect(board.cards).toEqual([
      { wp_id: "WP01", title: "One", lane: "blocked", actor: "ann", entered_lane_at: "2026-12-01T09:00:00+00:00", review_state: null, blocked_reason: "waiting on keys", dependencies: ["WP00"] },
      { wp_id: "WP02", title: null, lane: "in_review", actor: null, entered_lane_at: null, review_state: "pr-7", blocked_reason: null, dependencies: [] },
    ]);
    // the second time only the events after the last one it has are asked for
    await api.missionNotes("p", "m");
    expect(seen.filter((s) => s.url.startsWith("/api/v1/events/")).map((s) => new URL(s.url, "http://h").searchParams.get("after"))).toEqual(["0", "3"]);
  });

  it("reads the live feed's event frames and nothing else", () => {
    const e = liveFrameEvent({ type: "event", seq: 9, event_id: "E9", event_type: "X", project_uuid: "p", mission: null, envelope: { event_id: "E9", event_type: "X", aggregate_id: "a", payload: { a: 1 }, timestamp: "t", node_id: "n", lamport_clock: 4 } });
    expect(e).toMatchObject({ cursor: "9", project_uuid: "p", envelope: { event_id: "E9", lamport_clock: 4, payload: { a: 1 } } });
    expect(liveFrameEvent({ type: "snapshot" })).toBeNull();
    expect(liveFrameEvent(null)).toBeNull();
  });

  it("keeps the session in the tab's storage and forgets a damaged entry", () => {
    const data = new Map<string, string>();
    const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) } as Storage;
    const store = sessionTokenStore(storage);
    store.set({ access: "a", refresh: "r" });
    expect(store.get()).toEqual({ access: "a", refresh: "r" });
    data.set("spec-kitty.session", "{broken");
    expect(store.get()).toBeNull();
    store.set(null);
    expect(data.size).toBe(0);
  });

  it("adds a transition's note only to a card still in the lane it moved to", () => {
    const card = { wp_id: "WP01", title: null, lane: "planned" as const, actor: null, entered_lane_at: null, review_state: null, blocked_reason: null, dependencies: [] };
    const board = { project_uuid: "p", mission_id: "m", mission_slug: "m", friendly_name: null, cards: [card] };
    const stale = enrichBoard(board, { friendlyName: null, lastTransition: new Map([["WP01", { to_lane: "blocked", reason: "old" }]]) });
    expect(stale.cards[0]).toBe(card);
    const blocked = enrichBoard({ ...board, cards: [{ ...card, lane: "blocked" }] }, { friendlyName: "N", lastTransition: new Map([["WP01", { to_lane: "blocked", reason: "keys" }]]) });
    expect([blocked.friendly_name, blocked.cards[0]!.blocked_reason]).toEqual(["N", "keys"]);
  });
});
