/**
 * The only module that knows the server's read API: paths, methods and bodies. Pages call these functions
 * and never build URLs themselves. Every request carries the session cookie and has a deadline.
 */
import type {
  CollaborationView,
  DeviceRequest,
  EventPage,
  Me,
  MissionBoard,
  ProjectSummary,
  SyncHealth,
} from "./types.ts";

/** Every request is abandoned after this long; the page shows the error and can retry. */
export const REQUEST_TIMEOUT_MS = 10_000;

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
  status === 401
    ? "unauthorized"
    : status === 403
      ? "forbidden"
      : status === 404
        ? "not_found"
        : status >= 400 && status < 500
          ? "bad_request"
          : "server";

export const paths = {
  me: "/api/v1/me",
  login: "/api/v1/session/login",
  logout: "/api/v1/session/logout",
  projects: (teamId: string) => `/api/v1/teams/${enc(teamId)}/projects`,
  board: (project: string, mission: string) => `/api/v1/projects/${enc(project)}/missions/${enc(mission)}/board`,
  collaboration: (project: string, mission: string) =>
    `/api/v1/projects/${enc(project)}/missions/${enc(mission)}/collaboration`,
  events: (project: string, after: string | null, limit: number) =>
    `/api/v1/events/?project_uuid=${enc(project)}${after === null ? "" : `&after=${enc(after)}`}&limit=${limit}`,
  syncHealth: (project: string) => `/api/v1/projects/${enc(project)}/sync-health`,
  device: (userCode: string) => `/api/v1/device/${enc(userCode)}`,
  deviceDecision: "/api/v1/device/decision",
  /** The team WebSocket (same origin; the session cookie authenticates the upgrade). */
  live: (teamId: string) => `/ws/v1/dashboard/?team_id=${enc(teamId)}`,
} as const;

const enc = encodeURIComponent;

export interface ApiClient {
  me(): Promise<Me>;
  login(email: string, password: string): Promise<Me>;
  logout(): Promise<void>;
  projects(teamId: string): Promise<ReadonlyArray<ProjectSummary>>;
  board(project: string, mission: string): Promise<MissionBoard>;
  collaboration(project: string, mission: string): Promise<CollaborationView>;
  events(project: string, after: string | null, limit?: number): Promise<EventPage>;
  syncHealth(project: string): Promise<SyncHealth>;
  device(userCode: string): Promise<DeviceRequest>;
  decideDevice(userCode: string, decision: "approve" | "deny"): Promise<DeviceRequest>;
}

/** The client over `fetch` against `base` (empty: the page's own origin). */
export const makeApiClient = (base = "", fetchImpl: typeof fetch = (...a) => globalThis.fetch(...a)): ApiClient => {
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    let response: Response;
    try {
      response = await fetchImpl(base + path, {
        credentials: "same-origin",
        ...init,
        headers: { accept: "application/json", ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (cause) {
      const timedOut = cause instanceof DOMException && cause.name === "TimeoutError";
      throw new ApiError(
        timedOut ? "timeout" : "network",
        0,
        timedOut ? `The server did not answer ${path} within ${REQUEST_TIMEOUT_MS / 1000} s.` : `Could not reach the server (${path}).`,
      );
    }
    if (!response.ok) {
      let detail = response.statusText;
      try {
        const body = (await response.json()) as { error_description?: string; error?: string; message?: string };
        detail = body.error_description ?? body.message ?? body.error ?? detail;
      } catch {
        // a body that is not JSON: keep the status text
      }
      throw new ApiError(codeFor(response.status), response.status, `${path}: ${response.status} ${detail}`.trim());
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  };
  const post = <T>(path: string, body: unknown): Promise<T> => call<T>(path, { method: "POST", body: JSON.stringify(body) });
  return {
    me: () => call<Me>(paths.me),
    login: (email, password) => post<Me>(paths.login, { email, password }),
    logout: () => post<void>(paths.logout, {}),
    projects: (teamId) => call<{ projects: ReadonlyArray<ProjectSummary> }>(paths.projects(teamId)).then((r) => r.projects),
    board: (project, mission) => call<MissionBoard>(paths.board(project, mission)),
    collaboration: (project, mission) => call<CollaborationView>(paths.collaboration(project, mission)),
    events: (project, after, limit = 500) => call<EventPage>(paths.events(project, after, limit)),
    syncHealth: (project) => call<SyncHealth>(paths.syncHealth(project)),
    device: (userCode) => call<DeviceRequest>(paths.device(userCode)),
    decideDevice: (userCode, decision) => post<DeviceRequest>(paths.deviceDecision, { user_code: userCode, decision }),
  };
};
