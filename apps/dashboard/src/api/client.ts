/**
 * The only module that knows spec-kitty-server's HTTP API (its README, "Read API"): paths, methods, bodies,
 * tokens, and how the server's answers map onto the shapes of `types.ts` the pages render. Every request
 * has a deadline; an expired access token is refreshed once, transparently.
 */
import type {
  BoardCard,
  CollaborationView,
  DisplayLane,
  EventEnvelope,
  EventPage,
  Me,
  MissionBoard,
  MissionSummary,
  NodeHealth,
  ProjectSummary,
  QuarantinedEvent,
  StoredEvent,
  SyncHealth,
} from "./types.ts";
import { isBoardLane } from "./lanes.ts";

/** Every request is abandoned after this long; the page shows the error and can retry. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Page size of the event listing (the server caps it at 1000). */
export const EVENT_PAGE = 1_000;

export type ApiErrorCode = "unauthorized" | "forbidden" | "not_found" | "bad_request" | "server" | "network" | "timeout";

/** A failed API call: a stable code, the HTTP status (0 without a response) and the message to show. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  constructor(code: ApiErrorCode, status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
  }
}

const codeFor = (status: number): ApiErrorCode =>
  status === 401 ? "unauthorized" : status === 403 ? "forbidden" : status === 404 ? "not_found" : status >= 400 && status < 500 ? "bad_request" : "server";

const enc = encodeURIComponent;

export const paths = {
  me: "/api/v1/me",
  login: "/api/v1/token/",
  refresh: "/api/v1/token/refresh/",
  revoke: "/oauth/revoke",
  projects: (team: string) => `/api/v1/teams/${enc(team)}/projects`,
  missions: (team: string, project: string) => `/api/v1/teams/${enc(team)}/projects/${enc(project)}/missions`,
  views: (team: string, project: string, mission: string) => `/api/v1/teams/${enc(team)}/projects/${enc(project)}/missions/${enc(mission)}`,
  events: (project: string, after: string | null, limit: number, mission?: string) =>
    `/api/v1/events/?project_uuid=${enc(project)}${mission === undefined ? "" : `&mission=${enc(mission)}`}&after=${enc(after ?? "0")}&limit=${limit}`,
  quarantine: (team: string, after: string) => `/api/v1/teams/${enc(team)}/quarantine/?after=${enc(after)}&limit=${EVENT_PAGE}`,
  /** The team WebSocket; the access token travels as a subprotocol (a browser cannot set headers there). */
  live: (team: string) => `/ws/v1/events/?team=${enc(team)}`,
} as const;

/** Where the session's tokens live: the tab's sessionStorage in the browser, a map in tests. */
export interface TokenStore {
  get(): { readonly access: string; readonly refresh: string } | null;
  set(tokens: { readonly access: string; readonly refresh: string } | null): void;
}

export const sessionTokenStore = (storage: Storage, key = "spec-kitty.session"): TokenStore => ({
  get: () => {
    try {
      const raw = storage.getItem(key);
      const v = raw === null ? null : (JSON.parse(raw) as { access?: unknown; refresh?: unknown });
      return v !== null && typeof v.access === "string" && typeof v.refresh === "string" ? { access: v.access, refresh: v.refresh } : null;
    } catch {
      return null;
    }
  },
  set: (tokens) => (tokens === null ? storage.removeItem(key) : storage.setItem(key, JSON.stringify(tokens))),
});

export const memoryTokenStore = (): TokenStore => {
  let t: { access: string; refresh: string } | null = null;
  return { get: () => t, set: (v) => (t = v === null ? null : { ...v }) };
};

/** What the mission's own events add to the views: its name and each work package's last lane change. */
export interface MissionNotes {
  readonly friendlyName: string | null;
  readonly lastTransition: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/** A board with the review references, block reasons and name that only the mission's events carry. */
export const enrichBoard = (board: MissionBoard, notes: MissionNotes): MissionBoard => ({
  ...board,
  friendly_name: notes.friendlyName ?? board.friendly_name,
  cards: board.cards.map((card) => {
    const t = notes.lastTransition.get(card.wp_id);
    if (t === undefined || t["to_lane"] !== card.lane) return card;
    const reviewRef = typeof t["review_ref"] === "string" && t["review_ref"] !== "" ? t["review_ref"] : null;
    const reason = typeof t["reason"] === "string" && t["reason"] !== "" ? t["reason"] : null;
    return {
      ...card,
      review_state: reviewRef ?? card.review_state,
      blocked_reason: card.lane === "blocked" || card.lane === "canceled" ? (reason ?? card.blocked_reason) : card.blocked_reason,
    };
  }),
});

export interface LiveSocketTarget {
  readonly url: string;
  readonly protocols: ReadonlyArray<string>;
}

export interface ApiClient {
  me(): Promise<Me>;
  login(email: string, password: string): Promise<Me>;
  logout(): Promise<void>;
  projects(team: string): Promise<ReadonlyArray<ProjectSummary>>;
  /** The board from the server's views alone (fast); `enrichBoard` adds what `missionNotes` knows. */
  board(team: string, project: string, mission: string): Promise<MissionBoard>;
  /** The mission's name and each work package's last lane change, kept up to date incrementally. */
  missionNotes(project: string, mission: string): Promise<MissionNotes>;
  collaboration(team: string, project: string, mission: string): Promise<CollaborationView>;
  events(project: string, after: string | null, limit?: number): Promise<EventPage>;
  syncHealth(team: string, project: string): Promise<SyncHealth>;
  /** Where and how to open the team's live feed (null when signed out). */
  liveSocket(team: string, origin: string): LiveSocketTarget | null;
}

// --- the server's answers -------------------------------------------------------------------------------

interface ServerEvent {
  readonly seq: number;
  readonly event_id: string;
  readonly event_type: string;
  readonly project_uuid: string | null;
  readonly mission: string | null;
  readonly received_at: string;
  readonly verdict: "valid" | "quarantined";
  readonly envelope: unknown;
  readonly violations?: ReadonlyArray<{ readonly code?: string; readonly path?: ReadonlyArray<string | number> | string; readonly message?: string }>;
}
interface ServerPage {
  readonly events: ReadonlyArray<ServerEvent>;
  readonly next_after: number;
  readonly has_more: boolean;
}
interface ServerBoard {
  readonly work_packages: ReadonlyArray<{ wp_id: string; lane: string; title: string | null; actor: string | null; depends_on: ReadonlyArray<string> }>;
}
interface ServerStatus {
  readonly wp_states?: Readonly<Record<string, { last_transition_at?: string; evidence?: { review?: { verdict?: string } } | null }>>;
}
interface ServerViews {
  readonly mission: string;
  readonly project_uuid: string;
  readonly views: { readonly board?: ServerBoard; readonly status?: ServerStatus; readonly collaboration?: CollaborationView & { error?: string } };
}

const asEnvelope = (e: ServerEvent): EventEnvelope => {
  const env = e.envelope;
  if (env !== null && typeof env === "object" && !Array.isArray(env)) {
    const o = env as Record<string, unknown>;
    return {
      ...o,
      event_id: typeof o["event_id"] === "string" ? o["event_id"] : e.event_id,
      event_type: typeof o["event_type"] === "string" ? o["event_type"] : e.event_type,
      aggregate_id: typeof o["aggregate_id"] === "string" ? o["aggregate_id"] : "",
      payload: o["payload"] !== null && typeof o["payload"] === "object" ? (o["payload"] as Record<string, unknown>) : {},
      timestamp: typeof o["timestamp"] === "string" ? o["timestamp"] : e.received_at,
      node_id: typeof o["node_id"] === "string" ? o["node_id"] : "",
      lamport_clock: typeof o["lamport_clock"] === "number" ? o["lamport_clock"] : 0,
    };
  }
  return { event_id: e.event_id, event_type: e.event_type, aggregate_id: "", payload: {}, timestamp: e.received_at, node_id: "", lamport_clock: 0, raw: env };
};

/** One stored event of the listing or the live feed in the dashboard's shape. */
export const toStoredEvent = (e: Omit<ServerEvent, "verdict" | "received_at"> & { received_at?: string }): StoredEvent => {
  const full: ServerEvent = { verdict: "valid", received_at: e.received_at ?? new Date().toISOString(), ...e };
  return { cursor: String(e.seq), project_uuid: e.project_uuid ?? "", received_at: full.received_at, envelope: asEnvelope(full) };
};

/** The live feed's `{"type":"event", seq, …, envelope}` frame, or null for any other frame. */
export const liveFrameEvent = (frame: unknown): StoredEvent | null => {
  if (frame === null || typeof frame !== "object") return null;
  const f = frame as Record<string, unknown>;
  if (f["type"] !== "event" || typeof f["seq"] !== "number") return null;
  return toStoredEvent(f as unknown as ServerEvent);
};

const violationsOf = (e: ServerEvent): QuarantinedEvent["violations"] =>
  (Array.isArray(e.violations) ? e.violations : []).map((v) => ({
    field: Array.isArray(v.path) ? v.path.join(".") : typeof v.path === "string" ? v.path : (v.code ?? ""),
    message: v.message ?? v.code ?? "",
  }));

// --- the client ------------------------------------------------------------------------------------------

export const makeApiClient = (tokens: TokenStore, base = "", fetchImpl: typeof fetch = (...a) => globalThis.fetch(...a)): ApiClient => {
  const raw = async (path: string, init: RequestInit, bearer: string | null): Promise<Response> => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (init.body !== undefined) headers["content-type"] = typeof init.body === "string" && init.body.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded";
    if (bearer !== null) headers["authorization"] = `Bearer ${bearer}`;
    try {
      return await fetchImpl(base + path, { ...init, headers, credentials: "omit", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (cause) {
      const timedOut = cause instanceof DOMException && cause.name === "TimeoutError";
      throw new ApiError(
        timedOut ? "timeout" : "network",
        0,
        timedOut ? `The server did not answer ${path.split("?")[0]} within ${REQUEST_TIMEOUT_MS / 1000} s.` : `Could not reach the server (${path.split("?")[0]}).`,
      );
    }
  };
  const fail = async (path: string, response: Response): Promise<never> => {
    let detail = response.statusText;
    try {
      const body = (await response.json()) as { error_description?: string; error?: string; detail?: string };
      detail = body.error_description ?? body.detail ?? body.error ?? detail;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(codeFor(response.status), response.status, `${path.split("?")[0]}: ${response.status} ${detail}`.trim());
  };
  let refreshing: Promise<boolean> | null = null;
  const refresh = (): Promise<boolean> =>
    (refreshing ??= (async () => {
      const current = tokens.get();
      if (current === null) return false;
      const r = await raw(paths.refresh, { method: "POST", body: JSON.stringify({ refresh: current.refresh }) }, null);
      if (!r.ok) {
        tokens.set(null);
        return false;
      }
      const pair = (await r.json()) as { access: string; refresh?: string };
      tokens.set({ access: pair.access, refresh: pair.refresh ?? current.refresh });
      return true;
    })().finally(() => (refreshing = null)));
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const t = tokens.get();
    if (t === null) throw new ApiError("unauthorized", 401, "Signed out.");
    let response = await raw(path, init, t.access);
    if (response.status === 401 && (await refresh())) response = await raw(path, init, tokens.get()?.access ?? null);
    if (!response.ok) return fail(path, response);
    return (await response.json()) as T;
  };

  const eventPage = async (project: string, after: string | null, limit: number, mission?: string): Promise<{ page: EventPage; all: ReadonlyArray<ServerEvent> }> => {
    const r = await call<ServerPage>(paths.events(project, after, limit, mission));
    const valid = r.events.filter((e) => e.verdict === "valid");
    return {
      page: { events: valid.map(toStoredEvent), next_cursor: r.has_more ? String(r.next_after) : null },
      all: r.events,
    };
  };

  /** Every valid event of a project (or mission) after `after`, page by page. */
  const allEvents = async (project: string, after: string | null, mission?: string): Promise<Array<StoredEvent>> => {
    const out: Array<StoredEvent> = [];
    let cursor = after;
    for (let i = 0; i < 10_000; i += 1) {
      const { page } = await eventPage(project, cursor, EVENT_PAGE, mission);
      out.push(...page.events);
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    return out;
  };

  /** Per mission: the last lane change of each work package, kept up to date incrementally. */
  interface MissionLog {
    cursor: string | null;
    friendlyName: string | null;
    readonly last: Map<string, Readonly<Record<string, unknown>>>;
  }
  const transitions = new Map<string, MissionLog>();
  const missionLog = async (project: string, mission: string): Promise<MissionLog> => {
    const key = `${project}\u0000${mission}`;
    const entry = transitions.get(key) ?? { cursor: null, friendlyName: null, last: new Map() };
    transitions.set(key, entry);
    const fresh = await allEvents(project, entry.cursor, mission);
    for (const e of fresh) {
      const p = e.envelope.payload;
      if (e.envelope.event_type === "WPStatusChanged" && typeof p["wp_id"] === "string") entry.last.set(p["wp_id"], p);
      if (e.envelope.event_type === "MissionCreated" && typeof p["friendly_name"] === "string") entry.friendlyName = p["friendly_name"];
      entry.cursor = e.cursor;
    }
    return entry;
  };
  /** The mission's name from its MissionCreated event (its first event, as a rule). */
  const friendlyName = async (project: string, mission: string): Promise<string | null> => {
    const { page } = await eventPage(project, null, 1, mission);
    const first = page.events[0]?.envelope;
    return first?.event_type === "MissionCreated" && typeof first.payload["friendly_name"] === "string" ? first.payload["friendly_name"] : null;
  };

  const views = (team: string, project: string, mission: string) => call<ServerViews>(paths.views(team, project, mission));

  return {
    me: () => call<Me>(paths.me),
    async login(email, password) {
      const r = await raw(paths.login, { method: "POST", body: JSON.stringify({ username: email, password }) }, null);
      if (!r.ok) {
        if (r.status === 401) throw new ApiError("unauthorized", 401, "Wrong email or password.");
        return fail(paths.login, r);
      }
      const pair = (await r.json()) as { access: string; refresh: string };
      tokens.set({ access: pair.access, refresh: pair.refresh });
      return call<Me>(paths.me);
    },
    async logout() {
      const t = tokens.get();
      tokens.set(null);
      transitions.clear();
      if (t !== null) await raw(paths.revoke, { method: "POST", body: new URLSearchParams({ token: t.refresh, token_type_hint: "refresh_token" }).toString() }, null).catch(() => undefined);
    },
    async projects(team) {
      const r = await call<{ projects: ReadonlyArray<{ project_uuid: string; project_slug: string | null }> }>(paths.projects(team));
      return Promise.all(
        r.projects.map(async (p): Promise<ProjectSummary> => {
          const ms = await call<{ missions: ReadonlyArray<{ mission: string; last_seq: number }> }>(paths.missions(team, p.project_uuid));
          const missions = await Promise.all(
            ms.missions.map(async (m): Promise<MissionSummary> => {
              const [v, last, name] = await Promise.all([
                views(team, p.project_uuid, m.mission),
                eventPage(p.project_uuid, String(Math.max(0, m.last_seq - 1)), 1, m.mission),
                friendlyName(p.project_uuid, m.mission),
              ]);
              const lanes: Partial<Record<DisplayLane, number>> = {};
              const wps = v.views.board?.work_packages ?? [];
              for (const wp of wps) if (isBoardLane(wp.lane)) lanes[wp.lane] = (lanes[wp.lane] ?? 0) + 1;
              return {
                mission_id: m.mission,
                mission_slug: m.mission,
                friendly_name: name,
                wp_count: wps.length,
                lanes,
                last_activity_at: last.all[0]?.received_at ?? null,
              };
            }),
          );
          const lastActivity = missions.map((m) => m.last_activity_at).filter((t): t is string => t !== null).sort().at(-1) ?? null;
          return { project_uuid: p.project_uuid, project_slug: p.project_slug, team_id: team, last_event_at: lastActivity, missions };
        }),
      );
    },
    async board(team, project, mission) {
      const v = await views(team, project, mission);
      const states = v.views.status?.wp_states ?? {};
      const cards: Array<BoardCard> = [];
      for (const wp of v.views.board?.work_packages ?? []) {
        if (!isBoardLane(wp.lane)) continue;
        const state = states[wp.wp_id];
        cards.push({
          wp_id: wp.wp_id,
          title: wp.title,
          lane: wp.lane,
          actor: wp.actor,
          entered_lane_at: state?.last_transition_at ?? null,
          review_state: state?.evidence?.review?.verdict ?? null,
          blocked_reason: null,
          dependencies: wp.depends_on,
        });
      }
      return { project_uuid: v.project_uuid, mission_id: v.mission, mission_slug: v.mission, friendly_name: null, cards };
    },
    async missionNotes(project, mission) {
      const log = await missionLog(project, mission);
      return { friendlyName: log.friendlyName, lastTransition: new Map(log.last) };
    },
    async collaboration(team, project, mission) {
      const v = await views(team, project, mission);
      const c = v.views.collaboration;
      if (c === undefined) return { mission_id: mission };
      if (typeof c.error === "string") throw new ApiError("server", 200, `The collaboration view could not be built: ${c.error}`);
      return c;
    },
    events: async (project, after, limit = EVENT_PAGE) => (await eventPage(project, after, limit)).page,
    async syncHealth(team, project) {
      const events = await allEvents(project, null);
      const nodes = new Map<string, NodeHealth>();
      const hours = new Map<string, number>();
      for (const e of events) {
        const env = e.envelope;
        const node = env.node_id === "" ? "(unknown)" : env.node_id;
        const prev = nodes.get(node);
        if (prev === undefined || env.lamport_clock >= prev.last_lamport_clock) {
          nodes.set(node, { node_id: node, last_event_id: env.event_id, last_event_type: env.event_type, last_event_at: e.received_at, last_lamport_clock: env.lamport_clock });
        }
        const t = Date.parse(e.received_at);
        if (!Number.isNaN(t)) {
          const hour = new Date(t - (t % 3_600_000)).toISOString();
          hours.set(hour, (hours.get(hour) ?? 0) + 1);
        }
      }
      const quarantined: Array<QuarantinedEvent> = [];
      let after = "0";
      for (let i = 0; i < 10_000; i += 1) {
        const r = await call<ServerPage>(paths.quarantine(team, after));
        for (const e of r.events) {
          if (e.project_uuid !== project) continue;
          quarantined.push({ event_id: e.event_id, event_type: e.event_type, received_at: e.received_at, violations: violationsOf(e), envelope: e.envelope });
        }
        if (!r.has_more) break;
        after = String(r.next_after);
      }
      return {
        project_uuid: project,
        nodes: [...nodes.values()].sort((a, b) => a.node_id.localeCompare(b.node_id)),
        events_per_hour: [...hours].sort(([a], [b]) => a.localeCompare(b)).map(([hour, count]) => ({ hour, count })),
        quarantined,
      };
    },
    liveSocket(team, origin) {
      const t = tokens.get();
      if (t === null) return null;
      return { url: `${origin.replace(/^http/, "ws")}${paths.live(team)}`, protocols: ["spec-kitty.dashboard", `bearer.${t.access}`] };
    },
  };
};
