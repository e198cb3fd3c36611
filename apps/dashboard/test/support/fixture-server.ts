/**
 * A fixture API for the dashboard's browser tests: real HTTP and WebSocket on loopback, serving the built
 * dist/ exactly as spec-kitty-server is to (hashed assets cached for a year, index.html for every other
 * non-API path) and answering the read API of `src/api/client.ts` from seeded, in-memory events.
 * Collaboration views are folded by the real reducer of @spec-kitty/events.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { Either } from "effect";
import { COLLABORATION_EVENT_TYPES, decodeEvent, EVENT_FIELDS, encodeReducedCollaborationState, reduceCollaborationEvents } from "@spec-kitty/events";
import { WebSocketServer, type WebSocket } from "ws";
import type {
  BoardCard,
  DeviceRequest,
  DisplayLane,
  EventEnvelope,
  Me,
  MissionBoard,
  ProjectSummary,
  QuarantinedEvent,
  StoredEvent,
  SyncHealth,
} from "../../src/api/types.ts";
import type { Seed, SeedProject, SeedUser } from "./seed.ts";

export const DIST = resolve(import.meta.dirname, "../../dist");

const MIME: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

interface Stored extends StoredEvent {
  readonly team_id: string;
  readonly quarantine: QuarantinedEvent | null;
}

interface Device {
  readonly device_code: string;
  readonly user_code: string;
  readonly client_id: string;
  readonly scope: string | null;
  readonly expires_at: number;
  status: DeviceRequest["status"];
  user_id: string | null;
}

export interface RequestRecord {
  readonly user: string | null;
  readonly method: string;
  readonly url: string;
}

export interface FixtureServer {
  readonly url: string;
  readonly requests: Array<RequestRecord>;
  /** Ingests envelopes as the batch endpoint does, for a team; returns the stored events. */
  ingest(teamId: string, envelopes: ReadonlyArray<EventEnvelope>): ReadonlyArray<StoredEvent>;
  /** Closes every dashboard WebSocket at once (a network drop, seen from the browser). */
  dropSockets(): number;
  /** While true, WebSocket upgrades are refused (the server is "down"). */
  refuseSockets: boolean;
  openSockets(): number;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(text);
};

const readBody = (req: IncomingMessage, limit = 5_000_000): Promise<string> =>
  new Promise((ok, fail) => {
    const chunks: Array<Buffer> = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        fail(new Error("body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => ok(Buffer.concat(chunks).toString("utf8")));
    req.on("error", fail);
  });

const cookieOf = (req: IncomingMessage, name: string): string | null => {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return null;
};

/** Serves `dist` as the server does: immutable hashed assets, index.html (no-cache) for app routes. */
export const serveStatic = (dist: string, req: IncomingMessage, res: ServerResponse): void => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  const file = normalize(join(dist, path));
  const inside = file.startsWith(dist + "/") && existsSync(file) && statSync(file).isFile();
  const target = inside ? file : join(dist, "index.html");
  const immutable = inside && path.startsWith("/assets/");
  res.writeHead(200, {
    "content-type": MIME[extname(target)] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  });
  createReadStream(target).pipe(res);
};

export const startFixtureServer = async (seed: Seed, dist = DIST): Promise<FixtureServer> => {
  if (!existsSync(join(dist, "index.html"))) {
    throw new Error(`${dist}/index.html is missing: build the dashboard first (pnpm --filter @spec-kitty/dashboard build)`);
  }
  const users = new Map(seed.users.map((u) => [u.email, u]));
  const usersById = new Map(seed.users.map((u) => [u.user_id, u]));
  const sessions = new Map<string, SeedUser>();
  const bearer = new Map<string, SeedUser>();
  const devices = new Map<string, Device>();
  const projects = new Map<string, SeedProject>(seed.projects.map((p) => [p.project_uuid, p]));
  const events: Array<Stored> = [];
  const sockets = new Set<{ ws: WebSocket; team: string }>();
  const requests: Array<RequestRecord> = [];
  let seq = 0;

  const quarantineCheck = (env: EventEnvelope): QuarantinedEvent["violations"] => {
    const v: Array<{ field: string; message: string }> = [];
    if (typeof env.event_type !== "string" || env.event_type === "") v.push({ field: "event_type", message: "missing" });
    if (!Number.isInteger(env.lamport_clock) || env.lamport_clock < 0)
      v.push({ field: "lamport_clock", message: "must be a non-negative integer" });
    if (typeof env.node_id !== "string" || env.node_id === "") v.push({ field: "node_id", message: "missing" });
    return v;
  };

  const ingest = (teamId: string, envelopes: ReadonlyArray<EventEnvelope>): ReadonlyArray<StoredEvent> => {
    const out: Array<StoredEvent> = [];
    for (const envelope of envelopes) {
      const project = String(envelope.project_uuid ?? "");
      const owner = projects.get(project);
      if (owner === undefined || owner.team_id !== teamId) continue;
      if (events.some((e) => e.envelope.event_id === envelope.event_id && e.team_id === teamId)) continue;
      seq += 1;
      const violations = quarantineCheck(envelope);
      const stored: Stored = {
        cursor: String(seq),
        project_uuid: project,
        received_at: new Date().toISOString(),
        envelope,
        team_id: teamId,
        quarantine:
          violations.length === 0
            ? null
            : { event_id: envelope.event_id, event_type: envelope.event_type ?? null, received_at: new Date().toISOString(), violations, envelope },
      };
      events.push(stored);
      if (stored.quarantine !== null) continue;
      const { team_id: _t, quarantine: _q, ...pub } = stored;
      out.push(pub);
      const frame = JSON.stringify({ type: "event", ...pub });
      for (const s of sockets) if (s.team === teamId) s.ws.send(frame);
    }
    return out;
  };

  for (const p of seed.projects) ingest(p.team_id, p.events);

  const valid = (project: string) => events.filter((e) => e.project_uuid === project && e.quarantine === null);
  const ofMission = (p: SeedProject, e: Stored): boolean => {
    const pl = e.envelope.payload;
    return e.envelope.aggregate_id === p.mission_id || pl["mission_slug"] === p.mission_slug || pl["mission_id"] === p.mission_id;
  };

  const board = (p: SeedProject): MissionBoard => {
    const cards = new Map<string, BoardCard>();
    for (const e of valid(p.project_uuid)) {
      if (!ofMission(p, e)) continue;
      const pl = e.envelope.payload;
      const wp = String(pl["wp_id"] ?? "");
      if (e.envelope.event_type === "WPCreated") {
        const prev = cards.get(wp);
        cards.set(wp, {
          wp_id: wp,
          title: String(pl["title"] ?? ""),
          lane: prev?.lane ?? "planned",
          actor: prev?.actor ?? null,
          entered_lane_at: prev?.entered_lane_at ?? null,
          review_state: prev?.review_state ?? null,
          blocked_reason: prev?.blocked_reason ?? null,
          dependencies: Array.isArray(pl["dependencies"]) ? (pl["dependencies"] as Array<string>) : [],
        });
      } else if (e.envelope.event_type === "WPStatusChanged") {
        const prev = cards.get(wp);
        const lane = String(pl["to_lane"]) as DisplayLane;
        cards.set(wp, {
          wp_id: wp,
          title: prev?.title ?? null,
          lane,
          actor: typeof pl["actor"] === "string" ? pl["actor"] : null,
          entered_lane_at: e.envelope.timestamp,
          review_state: typeof pl["review_ref"] === "string" ? pl["review_ref"] : null,
          blocked_reason: lane === "blocked" && typeof pl["reason"] === "string" ? pl["reason"] : null,
          dependencies: prev?.dependencies ?? [],
        });
      }
    }
    return {
      project_uuid: p.project_uuid,
      mission_id: p.mission_id,
      mission_slug: p.mission_slug,
      friendly_name: p.friendly_name,
      cards: [...cards.values()],
    };
  };

  const collaboration = (p: SeedProject) => {
    const decoded = [];
    for (const e of valid(p.project_uuid)) {
      if (!ofMission(p, e)) continue;
      const env = e.envelope as Record<string, unknown>;
      const wire = Object.fromEntries(EVENT_FIELDS.filter((k) => k in env).map((k) => [k, env[k]]));
      const result = decodeEvent(wire);
      if (Either.isRight(result)) decoded.push(result.right);
      else if (COLLABORATION_EVENT_TYPES.has(e.envelope.event_type as never))
        throw new Error(`fixture collaboration event ${e.envelope.event_id} does not decode: ${JSON.stringify(result.left)}`);
    }
    const reduced = reduceCollaborationEvents(decoded, { mode: "permissive" });
    if (Either.isLeft(reduced)) throw new Error(`collaboration reduce failed: ${String(reduced.left)}`);
    return { ...encodeReducedCollaborationState(reduced.right), mission_id: p.mission_id };
  };

  const health = (p: SeedProject): SyncHealth => {
    const nodes = new Map<string, SyncHealth["nodes"][number]>();
    const hours = new Map<string, number>();
    for (const e of valid(p.project_uuid)) {
      const env = e.envelope;
      nodes.set(env.node_id, {
        node_id: env.node_id,
        developer_name: env.node_id === "a1b2c3d4e5f6" ? "alice" : null,
        last_event_id: env.event_id,
        last_event_type: env.event_type,
        last_event_at: env.timestamp,
        last_lamport_clock: env.lamport_clock,
      });
      const hour = new Date(Date.parse(env.timestamp)).toISOString().slice(0, 13) + ":00:00Z";
      hours.set(hour, (hours.get(hour) ?? 0) + 1);
    }
    return {
      project_uuid: p.project_uuid,
      nodes: [...nodes.values()],
      events_per_hour: [...hours].sort().map(([hour, count]) => ({ hour, count })),
      quarantined: events.filter((e) => e.project_uuid === p.project_uuid && e.quarantine !== null).map((e) => e.quarantine!),
    };
  };

  const summaries = (teamId: string): Array<ProjectSummary> =>
    seed.projects
      .filter((p) => p.team_id === teamId)
      .map((p) => {
        const b = board(p);
        const lanes: Partial<Record<DisplayLane, number>> = {};
        for (const c of b.cards) lanes[c.lane] = (lanes[c.lane] ?? 0) + 1;
        const mine = valid(p.project_uuid);
        const last = mine.at(-1)?.envelope.timestamp ?? null;
        return {
          project_uuid: p.project_uuid,
          project_slug: p.project_slug,
          team_id: teamId,
          last_event_at: last,
          missions: [
            { mission_id: p.mission_id, mission_slug: p.mission_slug, friendly_name: p.friendly_name, wp_count: b.cards.length, lanes, last_activity_at: last },
          ],
        };
      });

  const meOf = (u: SeedUser): Me => ({
    user_id: u.user_id,
    email: u.email,
    name: u.name,
    teams: [{ id: u.team.id, name: u.team.name, role: "owner", is_private_teamspace: true }],
  });

  const sessionUser = (req: IncomingMessage): SeedUser | null => {
    const token = cookieOf(req, "sk_session");
    if (token !== null) return sessions.get(token) ?? null;
    const auth = req.headers.authorization;
    if (auth?.startsWith("Bearer ")) return bearer.get(auth.slice(7)) ?? null;
    return null;
  };

  const ownProject = (u: SeedUser, project: string): SeedProject | null => {
    const p = projects.get(project);
    return p !== undefined && p.team_id === u.team.id ? p : null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const user = sessionUser(req);
    if (path.startsWith("/api/") || path.startsWith("/oauth/")) requests.push({ user: user?.email ?? null, method: req.method ?? "GET", url: req.url ?? "" });
    if (!path.startsWith("/api/") && !path.startsWith("/oauth/") && !path.startsWith("/ws/")) return serveStatic(dist, req, res);

    if (path === "/api/v1/session/login" && req.method === "POST") {
      const body = JSON.parse(await readBody(req)) as { email?: string; password?: string };
      const u = users.get(String(body.email ?? "").toLowerCase());
      if (u === undefined || u.password !== body.password) return json(res, 401, { error: "invalid_credentials", error_description: "Wrong email or password." });
      const token = randomBytes(24).toString("base64url");
      sessions.set(token, u);
      return json(res, 200, meOf(u), { "set-cookie": `sk_session=${token}; HttpOnly; SameSite=Strict; Path=/` });
    }
    if (path === "/api/v1/session/logout" && req.method === "POST") {
      const token = cookieOf(req, "sk_session");
      if (token !== null) sessions.delete(token);
      res.writeHead(204, { "set-cookie": "sk_session=; Max-Age=0; Path=/" });
      return void res.end();
    }
    if (path === "/oauth/device" && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      const device: Device = {
        device_code: randomBytes(24).toString("base64url"),
        user_code: `${randomBytes(2).toString("hex")}-${randomBytes(2).toString("hex")}`.toUpperCase(),
        client_id: form.get("client_id") ?? "cli_native",
        scope: form.get("scope"),
        expires_at: Date.now() + 900_000,
        status: "pending",
        user_id: null,
      };
      devices.set(device.user_code, device);
      const origin = `http://${req.headers.host}`;
      return json(res, 200, {
        device_code: device.device_code,
        user_code: device.user_code,
        verification_uri: `${origin}/device`,
        verification_uri_complete: `${origin}/device?user_code=${device.user_code}`,
        expires_in: 900,
        interval: 1,
      });
    }
    if (path === "/oauth/token" && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      const device = [...devices.values()].find((d) => d.device_code === form.get("device_code"));
      if (device === undefined) return json(res, 400, { error: "invalid_grant" });
      if (device.status === "pending") return json(res, 400, { error: "authorization_pending" });
      if (device.status === "denied") return json(res, 400, { error: "access_denied" });
      const owner = device.user_id === null ? undefined : usersById.get(device.user_id);
      if (owner === undefined) return json(res, 400, { error: "expired_token" });
      const access = randomBytes(24).toString("base64url");
      bearer.set(access, owner);
      devices.delete(device.user_code);
      return json(res, 200, { access_token: access, refresh_token: randomBytes(24).toString("base64url"), expires_in: 3600, session_id: randomBytes(8).toString("hex") });
    }

    if (user === null) return json(res, 401, { error: "unauthorized", error_description: "Sign in first." });

    if (path === "/api/v1/me") return json(res, 200, meOf(user));
    let m = /^\/api\/v1\/teams\/([^/]+)\/projects$/.exec(path);
    if (m !== null) {
      const team = decodeURIComponent(m[1]!);
      if (team !== user.team.id) return json(res, 403, { error: "not_a_team_member" });
      return json(res, 200, { projects: summaries(team) });
    }
    m = /^\/api\/v1\/projects\/([^/]+)\/missions\/([^/]+)\/(board|collaboration)$/.exec(path);
    if (m !== null) {
      const p = ownProject(user, decodeURIComponent(m[1]!));
      if (p === null || decodeURIComponent(m[2]!) !== p.mission_id) return json(res, 404, { error: "not_found" });
      return json(res, 200, m[3] === "board" ? board(p) : collaboration(p));
    }
    m = /^\/api\/v1\/projects\/([^/]+)\/sync-health$/.exec(path);
    if (m !== null) {
      const p = ownProject(user, decodeURIComponent(m[1]!));
      return p === null ? json(res, 404, { error: "not_found" }) : json(res, 200, health(p));
    }
    if (path === "/api/v1/events/" && req.method === "GET") {
      const p = ownProject(user, url.searchParams.get("project_uuid") ?? "");
      if (p === null) return json(res, 404, { error: "not_found" });
      const after = Number(url.searchParams.get("after") ?? "0");
      const limit = Math.min(1_000, Math.max(1, Number(url.searchParams.get("limit") ?? "500")));
      const page = valid(p.project_uuid).filter((e) => Number(e.cursor) > after).slice(0, limit);
      return json(res, 200, {
        events: page.map(({ team_id: _t, quarantine: _q, ...pub }) => pub),
        next_cursor: page.length === limit ? page.at(-1)!.cursor : null,
      });
    }
    if (path === "/api/v1/events/batch/" && req.method === "POST") {
      const body = JSON.parse(await readBody(req)) as { events?: Array<EventEnvelope> };
      const stored = ingest(user.team.id, body.events ?? []);
      return json(res, 200, { results: (body.events ?? []).map((e) => ({ event_id: e.event_id, status: stored.some((s) => s.envelope.event_id === e.event_id) ? "success" : "rejected" })) });
    }
    m = /^\/api\/v1\/device\/([^/]+)$/.exec(path);
    if (m !== null && req.method === "GET") {
      const d = devices.get(decodeURIComponent(m[1]!).toUpperCase());
      if (d === undefined) return json(res, 404, { error: "not_found", error_description: "No pending login has this code." });
      return json(res, 200, { user_code: d.user_code, client_id: d.client_id, scope: d.scope, expires_at: new Date(d.expires_at).toISOString(), status: d.status });
    }
    if (path === "/api/v1/device/decision" && req.method === "POST") {
      const body = JSON.parse(await readBody(req)) as { user_code?: string; decision?: string };
      const d = devices.get(String(body.user_code ?? "").toUpperCase());
      if (d === undefined || d.status !== "pending") return json(res, 404, { error: "not_found" });
      d.status = body.decision === "approve" ? "approved" : "denied";
      d.user_id = user.user_id;
      return json(res, 200, { user_code: d.user_code, client_id: d.client_id, scope: d.scope, expires_at: new Date(d.expires_at).toISOString(), status: d.status });
    }
    return json(res, 404, { error: "not_found", error_description: `${req.method} ${path}` });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { error: "server", error_description: String(error) }));
  });
  const wss = new WebSocketServer({ noServer: true });
  const state = { refuseSockets: false };
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const user = sessionUser(req);
    const team = url.searchParams.get("team_id");
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== "/ws/v1/dashboard/") return refuse(404, "Not Found");
    if (state.refuseSockets) return refuse(503, "Service Unavailable");
    if (user === null) return refuse(401, "Unauthorized");
    if (team !== user.team.id) return refuse(403, "Forbidden");
    wss.handleUpgrade(req, socket, head, (ws) => {
      const entry = { ws, team };
      sockets.add(entry);
      ws.on("close", () => sockets.delete(entry));
      ws.send(JSON.stringify({ type: "hello", team_id: team }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    ingest,
    dropSockets: () => {
      const n = sockets.size;
      for (const s of sockets) s.ws.terminate();
      sockets.clear();
      return n;
    },
    get refuseSockets() {
      return state.refuseSockets;
    },
    set refuseSockets(v: boolean) {
      state.refuseSockets = v;
    },
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
};
