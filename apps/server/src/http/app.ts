import { AuthService, type AuthResult, type Principal } from "../auth/service.ts";
import { checkItem, judge } from "../ingest/envelope.ts";
import { Ingestor } from "../ingest/ingest.ts";
import type { Notifier } from "../realtime/notifier.ts";
import { StoreError, type Store } from "../store/port.ts";
import type { Logger } from "../util/log.ts";
import { ViewMaintainer } from "../views/maintainer.ts";
import * as authRoutes from "./auth-routes.ts";
import { advertisedLimits, DEFAULT_LIMITS, handleBatch, protocolGate, readBatchBody, type IngressLimits } from "./batch.ts";
import { TeamRateLimiter, type RateLimitConfig } from "./ratelimit.ts";
import type { DashboardFiles } from "./dashboard.ts";
import * as read from "./read.ts";
import { json, type HttpRequest, type HttpResponse } from "./types.ts";

export interface AppOptions {
  readonly store: Store;
  readonly notifier: Notifier;
  readonly log: Logger;
  readonly limits?: Partial<IngressLimits>;
  readonly rate?: Partial<Pick<RateLimitConfig, "burst" | "perSecond">>;
  /** Public base URL (scheme://host:port) used in device-flow links and ws_url; else derived from Host. */
  readonly publicUrl?: string;
  /** True when served over TLS (ws_url is then wss://). */
  readonly tls?: boolean;
  readonly viewDelayMs?: number;
  /** The built dashboard to serve for every non-API GET (ADR-0018), or none. */
  readonly dashboard?: DashboardFiles;
}

/**
 * The server's request handler, independent of the socket layer: `handle` takes an `HttpRequest` and returns
 * an `HttpResponse`, so the HTTP server, the tests and the fuzzers drive the same code.
 */
export class App {
  readonly store: Store;
  readonly notifier: Notifier;
  readonly auth: AuthService;
  readonly views: ViewMaintainer;
  readonly ingestor: Ingestor;
  readonly limits: IngressLimits;
  readonly limiter: TeamRateLimiter;
  readonly log: Logger;
  private readonly publicUrl: string | undefined;
  private readonly tls: boolean;
  private readonly healthBody: string;
  private ready = true;
  private readonly dashboard: DashboardFiles | undefined;

  constructor(o: AppOptions) {
    this.store = o.store;
    this.notifier = o.notifier;
    this.log = o.log;
    this.auth = new AuthService(o.store);
    this.views = new ViewMaintainer(o.store, {
      delayMs: o.viewDelayMs ?? 250,
      onError: (e) => this.log.log("error", "view refresh failed", { error: errText(e) }),
    });
    this.ingestor = new Ingestor(o.store, o.notifier, this.views);
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.limiter = new TeamRateLimiter({
      burst: o.rate?.burst ?? 200,
      perSecond: o.rate?.perSecond ?? 100,
      retryAfterMinSeconds: this.limits.retryAfterMinSeconds,
      retryAfterMaxSeconds: this.limits.retryAfterMaxSeconds,
    });
    this.publicUrl = o.publicUrl?.replace(/\/+$/, "");
    this.tls = o.tls ?? false;
    this.dashboard = o.dashboard;
    this.healthBody = JSON.stringify({
      status: "ok",
      sync_ingress: { contract_version: "sync-ingress-limits.v1", limits: advertisedLimits(this.limits) },
      sync_protocol: { contract_version: "sync-protocol-handshake.v1", supported: ["2.0"] },
    });
  }

  /** Marks the app as draining: /readyz answers 503 from now on. */
  drain(): void {
    this.ready = false;
  }

  get draining(): boolean {
    return !this.ready;
  }

  baseUrl(req: HttpRequest): string {
    if (this.publicUrl !== undefined) return this.publicUrl;
    const host = (req.headers["host"] ?? "127.0.0.1").replace(/[^A-Za-z0-9.:[\]-]/g, "");
    return `${this.tls ? "https" : "http"}://${host}`;
  }

  async handle(req: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.route(req);
    } catch (e) {
      if (e instanceof StoreError && e.code === "unavailable") {
        return json(503, { error: "Service unavailable: the database cannot be reached; retry later", code: "unavailable" }, { "retry-after": "5" });
      }
      this.log.log("error", "request failed", { req_id: req.requestId, error: errText(e) });
      return json(500, { error: "Internal server error", code: "internal", request_id: req.requestId });
    }
  }

  private async route(req: HttpRequest): Promise<HttpResponse> {
    const q = req.url.indexOf("?");
    const path = q === -1 ? req.url : req.url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? "" : req.url.slice(q + 1));
    const m = req.method;

    // Exact paths of the reference clients (trailing slashes as they send them).
    switch (path) {
      case "/healthz":
        return only(m, "GET", () => json(200, { status: "ok" }));
      case "/readyz":
        return only(m, "GET", async () => {
          if (!this.ready) return json(503, { status: "draining" });
          await this.store.ping();
          return json(200, { status: "ready" });
        });
      case "/api/v1/sync/health/":
      case "/api/v1/health":
        return only(m, "GET", async () => {
          if (req.headers["authorization"] !== undefined) {
            const a = await this.auth.authenticate(req.headers["authorization"]);
            if (!a.ok) return authFailure(a);
          }
          return { status: 200, headers: { "content-type": "application/json", "cache-control": "private, max-age=60" }, body: this.healthBody };
        });
      case "/api/v1/token/":
        return only(m, "POST", () => authRoutes.legacyObtain(req, this.auth));
      case "/api/v1/token/refresh/":
        return only(m, "POST", () => authRoutes.legacyRefresh(req, this.auth));
      case "/oauth/token":
        return only(m, "POST", () => authRoutes.oauthToken(req, this.auth));
      case "/oauth/device":
        return only(m, "POST", () => authRoutes.oauthDevice(req, this.auth, this.baseUrl(req)));
      case "/oauth/revoke":
        return only(m, "POST", () => authRoutes.oauthRevoke(req, this.auth));
      case "/oauth/authorize":
        if (m === "GET") return authRoutes.authorizeGet(req);
        return only(m, "POST", () => authRoutes.authorizePost(req, this.auth));
      case "/device":
        if (m === "GET") return authRoutes.devicePageGet(req);
        return only(m, "POST", () => authRoutes.devicePagePost(req, this.auth));
      case "/api/v1/me":
        return only(m, "GET", () => this.withAuth(req, (p) => authRoutes.me(p, this.auth)));
      case "/api/v1/session-status":
        return only(m, "GET", () => this.withAuth(req, async (p) => json(200, { session_id: p.sessionId, active: true })));
      case "/api/v1/ws-token/":
        return only(m, "POST", () => this.withAuth(req, (p) => this.legacyWsToken(p)));
      case "/api/v1/ws-token":
        return only(m, "POST", () => this.withAuth(req, (p) => this.wsToken(req, p)));
      case "/api/v1/events/batch/":
        return only(m, "POST", () => this.withAuth(req, (p) => handleBatch(req, p, this)));
      case "/api/v1/events/preflight/":
        return only(m, "POST", () => this.withAuth(req, (p) => this.preflight(req, p)));
      case "/api/v1/events/":
      case "/api/v1/events":
        return only(m, "GET", () => this.withAuth(req, (p) => read.listEvents(this.store, p, query)));
      case "/api/v1/teams/":
      case "/api/v1/teams":
        return only(m, "GET", () => this.withAuth(req, async (p) => read.listTeams(p)));
      default:
        break;
    }
    const parts = path.split("/").filter((s) => s !== "");
    if (parts.length >= 4 && parts[0] === "api" && parts[1] === "v1" && parts[2] === "teams") {
      const seg = parts.slice(3).map(safeDecode);
      if (seg.some((s) => s === undefined)) return json(404, { error: "not found", code: "not_found" });
      const [team, a, project, b, mission, c, kind, ...rest] = seg as Array<string>;
      if (rest.length > 0) return json(404, { error: "not found", code: "not_found" });
      if (a === "projects" && project === undefined) return only(m, "GET", () => this.withAuth(req, (p) => read.listProjects(this.store, p, team!)));
      if (a === "quarantine" && project === undefined) return only(m, "GET", () => this.withAuth(req, (p) => read.listQuarantine(this.store, p, team!, query)));
      if (a === "projects" && project !== undefined && b === "missions" && mission === undefined) {
        return only(m, "GET", () => this.withAuth(req, (p) => read.listMissions(this.store, p, team!, project)));
      }
      if (a === "projects" && project !== undefined && b === "missions" && mission !== undefined && (c === undefined || (c === "views" && kind !== undefined))) {
        return only(m, "GET", () => this.withAuth(req, (p) => read.missionViews(this.store, this.views, p, team!, project, mission, kind)));
      }
    }
    const page = m === "GET" ? this.dashboard?.serve(path) : undefined;
    if (page !== undefined) return page;
    return json(404, { error: `no route for ${path.slice(0, 200)}`, code: "not_found" });
  }

  private async withAuth(req: HttpRequest, f: (p: Principal) => Promise<HttpResponse>): Promise<HttpResponse> {
    const a = await this.auth.authenticate(req.headers["authorization"]);
    if (!a.ok) return { ...authFailure(a), close: true };
    return f(a.principal);
  }

  private async legacyWsToken(p: Principal): Promise<HttpResponse> {
    const t = await this.auth.issueWsToken(p, p.ingressTeam.id);
    return json(200, { ws_token: t.token, expires_in: t.expiresIn });
  }

  private async wsToken(req: HttpRequest, p: Principal): Promise<HttpResponse> {
    const f = await authRoutes.readFields(req);
    const teamId = f?.["team_id"];
    if (teamId === undefined || teamId === "") return json(400, { error: "invalid_request", error_description: "team_id is required" });
    const member = p.memberships.find((x) => x.team.id === teamId || x.team.slug === teamId);
    if (member === undefined) {
      const exists = (await this.store.teamById(teamId)) ?? (await this.store.teamBySlug(teamId));
      return exists === undefined
        ? json(404, { error: "team_not_found", error_description: "Team not found" })
        : json(403, { error: "not_a_team_member", error_description: "You are not a member of this team" });
    }
    const t = await this.auth.issueWsToken(p, member.team.id);
    const base = this.baseUrl(req).replace(/^http/, "ws");
    return json(200, { ws_token: t.token, ws_url: `${base}/ws/v1/events/`, expires_in: t.expiresIn, session_id: p.sessionId ?? `token:${p.tokenId ?? ""}` });
  }

  /** `POST /api/v1/events/preflight/`: judges history events without storing anything. */
  private async preflight(req: HttpRequest, p: Principal): Promise<HttpResponse> {
    const gate = protocolGate(req.headers);
    if (gate !== undefined) return gate;
    const parsed = await readBatchBody(req, this.limits, false);
    if (!parsed.ok) return parsed.response;
    const results: Array<Record<string, unknown>> = [];
    const details: Array<Record<string, unknown>> = [];
    for (const [index, item] of parsed.events.entries()) {
      const problem = checkItem(item, index);
      if (problem !== undefined) {
        details.push({ index, event_id: problem.eventId, path: problem.path, detail: problem.message, error: problem.message, category: "invalid_event", code: "invalid_event" });
        results.push({ event_id: problem.eventId, status: "rejected", error: problem.message });
        continue;
      }
      const j = judge(item as Record<string, unknown>);
      const owner = j.projectUuid === null ? undefined : await this.store.projectOwner(j.projectUuid);
      if (owner !== undefined && owner !== p.ingressTeam.id) {
        const message = `project ${j.projectUuid} belongs to another team`;
        details.push({ index, event_id: j.rawEventId, path: "project_uuid", detail: message, error: message, category: "project_not_admitted", code: "project_not_admitted" });
        results.push({ event_id: j.rawEventId, status: "rejected", error: message, error_category: "project_not_admitted" });
      } else if (j.violations.length > 0) {
        const v = j.violations[0]!;
        details.push({ index, event_id: j.rawEventId, path: v.path, detail: v.message, error: v.message, category: v.code, code: v.code });
        results.push({ event_id: j.rawEventId, status: "rejected", error: v.message });
      } else {
        const existing = await this.store.eventById(p.ingressTeam.id, j.eventId);
        results.push({ event_id: j.rawEventId, status: existing === undefined ? "success" : "duplicate" });
      }
    }
    const accepted = details.length === 0;
    const reconciliation = { total: results.length, rejected: details.length, duplicate: results.filter((r) => r["status"] === "duplicate").length };
    if (accepted) return json(200, { accepted: true, results, reconciliation });
    return json(200, { accepted: false, error: "History preflight found events that would be refused", category: "preflight_rejected", code: "preflight_rejected", details, results, reconciliation });
  }

  async close(): Promise<void> {
    await this.views.close();
  }
}

const only = async (method: string, allowed: string, f: () => HttpResponse | Promise<HttpResponse>): Promise<HttpResponse> =>
  method === allowed ? f() : { ...json(405, { error: `method ${method.slice(0, 16)} not allowed`, code: "method_not_allowed" }, { allow: allowed }), close: true };

const authFailure = (a: Extract<AuthResult, { ok: false }>): HttpResponse =>
  a.reason === "unavailable"
    ? json(503, { error: "Service unavailable: credentials cannot be checked right now; retry later", code: "auth_unavailable" }, { "retry-after": "5" })
    : json(401, { error: a.reason === "missing" ? "Authentication credentials were not provided" : "Token expired or invalid", code: "unauthorized" }, { "www-authenticate": 'Bearer realm="spec-kitty"' });

const safeDecode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

export const errText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 500);
