/**
 * Login, refresh, logout and WebSocket tokens against a sync server (reference-server.md §2–3):
 * - the 028-era password grant (`POST /api/v1/token/`, refresh at `/api/v1/token/refresh/`);
 * - the OAuth device flow (`POST /oauth/device`, polling `POST /oauth/token`, teams from `GET /api/v1/me`,
 *   refresh with `grant_type=refresh_token`, logout revokes at `/oauth/revoke`).
 * Refresh is single-flight: one in-process promise, and a cross-process lock under which the stored login is read
 * again first (another process may have refreshed already). A refresh the server refuses clears the session.
 */
import { join } from "node:path";
import { acquireLock } from "./lock.ts";
import {
  clearCredentialsLocked,
  readCredentials,
  saveCredentialsLocked,
  withCredentialsLock,
  type Credentials,
} from "./credentials.ts";

export const AUTH_TIMEOUT_MS = 10_000;
export const CLIENT_ID = "cli_native";
export const DEFAULT_ACCESS_LIFETIME_S = 900;
export const DEFAULT_REFRESH_LIFETIME_S = 604_800;
/** Refresh this long before the access token runs out. */
export const EXPIRY_MARGIN_MS = 30_000;
export const REFRESH_LOCK_DEADLINE_MS = 10_000;
export const DEVICE_POLL_CAP_S = 10;

/** An auth failure with a stable code and the message a user needs. */
export type AuthErrorCode =
      | "invalid_server_url"
      | "invalid_credentials"
      | "server_error"
      | "unreachable"
      | "invalid_response"
      | "session_expired"
      | "not_authenticated"
      | "access_denied"
      | "device_code_expired"
      | "no_team";

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Only https, or http on a loopback host (local servers and tests). */
export const checkServerUrl = (raw: string): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AuthError("invalid_server_url", `'${raw}' is not a URL (expected https://HOST or http://127.0.0.1:PORT)`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]", "::1"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new AuthError("invalid_server_url", `'${raw}': the server must use https (http only for 127.0.0.1, localhost, ::1)`);
  }
  return raw.replace(/\/+$/, "");
};

interface HttpAnswer {
  readonly status: number;
  readonly json: Record<string, unknown> | null;
}

const request = async (
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<HttpAnswer> => {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: init.headers ?? {},
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: AbortSignal.timeout(init.timeoutMs ?? AUTH_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error instanceof Error && error.name === "TimeoutError" ? "timed out" : "connection failed";
    throw new AuthError("unreachable", `cannot reach ${new URL(url).origin} (${reason})`);
  }
  const text = await response.text();
  let json: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: response.status, json };
};

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  request(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });

const postForm = (url: string, fields: Record<string, string>) =>
  request(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });

const str = (json: Record<string, unknown> | null, key: string): string | null => {
  const value = json?.[key];
  return typeof value === "string" && value !== "" ? value : null;
};

const seconds = (json: Record<string, unknown> | null, keys: ReadonlyArray<string>, fallback: number): number => {
  for (const key of keys) {
    const value = json?.[key];
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n === "number" && Number.isFinite(n) && n > 0) return n;
  }
  return fallback;
};

const refreshExpiry = (json: Record<string, unknown> | null, now: number, fallbackS: number | null): number | null => {
  const at = str(json, "refresh_token_expires_at");
  if (at !== null && Number.isFinite(Date.parse(at))) return Date.parse(at);
  const s = seconds(json, ["refresh_lifetime", "refresh_expires_in", "refresh_token_expires_in"], 0);
  if (s > 0) return now + s * 1000;
  return fallbackS === null ? null : now + fallbackS * 1000;
};

/** 028-era login: username and password for access and refresh tokens; the team comes with the answer. */
export const passwordLogin = async (serverUrl: string, username: string, password: string): Promise<Credentials> => {
  const base = checkServerUrl(serverUrl);
  const now = Date.now();
  const answer = await postJson(`${base}/api/v1/token/`, { username, password });
  if (answer.status === 401) throw new AuthError("invalid_credentials", "invalid username or password");
  if (answer.status !== 200) throw new AuthError("server_error", `login failed: the server answered HTTP ${answer.status}`);
  const access = str(answer.json, "access");
  const refresh = str(answer.json, "refresh");
  if (access === null || refresh === null) throw new AuthError("invalid_response", "login failed: the server's answer has no access/refresh token");
  return {
    serverUrl: base,
    username,
    teamSlug: str(answer.json, "team_slug"),
    accessToken: access,
    refreshToken: refresh,
    accessExpiresAt: now + seconds(answer.json, ["access_lifetime", "expires_in"], DEFAULT_ACCESS_LIFETIME_S) * 1000,
    refreshExpiresAt: refreshExpiry(answer.json, now, DEFAULT_REFRESH_LIFETIME_S),
    method: "password",
    sessionId: null,
  };
};

export interface Team {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly isPrivateTeamspace: boolean;
}

/** `GET /api/v1/me`: the user's email and teams. */
export const fetchMe = async (serverUrl: string, accessToken: string): Promise<{ email: string; teams: ReadonlyArray<Team> }> => {
  const answer = await request(`${serverUrl}/api/v1/me`, { method: "GET", headers: { Authorization: `Bearer ${accessToken}` } });
  if (answer.status !== 200) throw new AuthError("server_error", `reading the account failed: HTTP ${answer.status} from /api/v1/me`);
  const email = str(answer.json, "email");
  const rawTeams = answer.json?.["teams"];
  if (email === null || !Array.isArray(rawTeams)) throw new AuthError("invalid_response", "/api/v1/me: missing email or teams");
  const teams = rawTeams.flatMap((t: unknown): Array<Team> => {
    if (typeof t !== "object" || t === null) return [];
    const r = t as Record<string, unknown>;
    // A team is named by its slug when the server has one (what the 028-era login returns), else by its id.
    const id = typeof r["slug"] === "string" && r["slug"] !== "" ? r["slug"] : typeof r["id"] === "string" ? r["id"] : typeof r["id"] === "number" ? String(r["id"]) : null;
    if (id === null || typeof r["name"] !== "string") return [];
    return [{ id, name: r["name"], role: typeof r["role"] === "string" ? r["role"] : "", isPrivateTeamspace: r["is_private_teamspace"] === true }];
  });
  return { email, teams };
};

/**
 * The team a device login delivers under: the one named by `wanted` (id or name), else the private teamspace, else
 * the only team. Several teams and no choice is an error naming them: the team is never guessed.
 */
export const chooseTeam = (teams: ReadonlyArray<Team>, wanted: string | undefined): string => {
  if (teams.length === 0) throw new AuthError("no_team", "this account is not a member of any team");
  if (wanted !== undefined) {
    const team = teams.find((t) => t.id === wanted || t.name === wanted);
    if (team === undefined) throw new AuthError("no_team", `not a member of team '${wanted}' (teams: ${teams.map((t) => t.id).join(", ")})`);
    return team.id;
  }
  const privateTeam = teams.find((t) => t.isPrivateTeamspace);
  if (privateTeam !== undefined) return privateTeam.id;
  if (teams.length === 1 && teams[0] !== undefined) return teams[0].id;
  throw new AuthError("no_team", `this account is in several teams; choose one with --team (${teams.map((t) => t.id).join(", ")})`);
};

export interface DeviceAuthorization {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete: string | null;
  readonly expiresInS: number;
  readonly intervalS: number;
}

/** The OAuth device flow: prints nothing itself; `onCode` shows the code and address to the user. */
export const deviceLogin = async (
  serverUrl: string,
  options: {
    readonly onCode: (authorization: DeviceAuthorization) => void;
    readonly team?: string;
    /** Give up after this long even if the server's code is still valid. */
    readonly deadlineMs?: number;
    readonly sleep?: (ms: number) => Promise<void>;
  },
): Promise<Credentials> => {
  const base = checkServerUrl(serverUrl);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const start = await postForm(`${base}/oauth/device`, { client_id: CLIENT_ID, scope: "offline_access" });
  const deviceCode = str(start.json, "device_code");
  const userCode = str(start.json, "user_code");
  const verificationUri = str(start.json, "verification_uri");
  if (start.status !== 200) throw new AuthError("server_error", `device login failed: the server answered HTTP ${start.status}`);
  if (deviceCode === null || userCode === null || verificationUri === null) {
    throw new AuthError("invalid_response", "device login failed: the server's answer lacks device_code, user_code or verification_uri");
  }
  const expiresInS = seconds(start.json, ["expires_in"], 900);
  let intervalS = Math.min(seconds(start.json, ["interval"], 5), DEVICE_POLL_CAP_S);
  options.onCode({ userCode, verificationUri, verificationUriComplete: str(start.json, "verification_uri_complete"), expiresInS, intervalS });
  const deadline = Date.now() + Math.min(expiresInS * 1000, options.deadlineMs ?? Number.POSITIVE_INFINITY);
  for (;;) {
    if (Date.now() + intervalS * 1000 > deadline) throw new AuthError("device_code_expired", "the device code expired before it was approved; run the login again");
    await sleep(intervalS * 1000);
    const now = Date.now();
    const poll = await postForm(`${base}/oauth/token`, {
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      device_code: deviceCode,
      client_id: CLIENT_ID,
    });
    if (poll.status === 200) {
      const access = str(poll.json, "access_token");
      const refresh = str(poll.json, "refresh_token");
      if (access === null || refresh === null) throw new AuthError("invalid_response", "device login: the token answer lacks access_token or refresh_token");
      const me = await fetchMe(base, access);
      return {
        serverUrl: base,
        username: me.email,
        teamSlug: chooseTeam(me.teams, options.team),
        accessToken: access,
        refreshToken: refresh,
        accessExpiresAt: now + seconds(poll.json, ["expires_in"], 3600) * 1000,
        refreshExpiresAt: refreshExpiry(poll.json, now, null),
        method: "device",
        sessionId: str(poll.json, "session_id"),
      };
    }
    const error = str(poll.json, "error");
    if (poll.status === 400 && error === "authorization_pending") continue;
    if (poll.status === 400 && error === "slow_down") {
      intervalS = Math.min(intervalS + 5, DEVICE_POLL_CAP_S);
      continue;
    }
    if (error === "access_denied") throw new AuthError("access_denied", "the login was denied in the browser");
    if (error === "expired_token") throw new AuthError("device_code_expired", "the device code expired before it was approved; run the login again");
    throw new AuthError("server_error", `device login failed: HTTP ${poll.status}${error === null ? "" : ` (${error})`}`);
  }
};

/** A refresh the server refused for good: the session is over. */
const refusedForGood = (credentials: Credentials, answer: HttpAnswer): boolean => {
  if (credentials.method === "password") return answer.status === 401;
  const error = str(answer.json, "error");
  return (answer.status === 400 || answer.status === 401) && (error === "invalid_grant" || error === "session_invalid" || answer.status === 401);
};

const refreshOnce = async (credentials: Credentials): Promise<Credentials | "refused"> => {
  const now = Date.now();
  const answer =
    credentials.method === "password"
      ? await postJson(`${credentials.serverUrl}/api/v1/token/refresh/`, { refresh: credentials.refreshToken })
      : await postForm(`${credentials.serverUrl}/oauth/token`, {
          grant_type: "refresh_token",
          refresh_token: credentials.refreshToken,
          client_id: CLIENT_ID,
        });
  if (refusedForGood(credentials, answer)) return "refused";
  if (answer.status !== 200) throw new AuthError("server_error", `refreshing the session failed: HTTP ${answer.status}`);
  const access = str(answer.json, credentials.method === "password" ? "access" : "access_token");
  const refresh = str(answer.json, credentials.method === "password" ? "refresh" : "refresh_token");
  if (access === null || (credentials.method === "password" && refresh === null)) {
    throw new AuthError("invalid_response", "refreshing the session failed: the answer lacks a token");
  }
  return {
    ...credentials,
    accessToken: access,
    refreshToken: refresh ?? credentials.refreshToken,
    teamSlug: credentials.method === "password" ? (str(answer.json, "team_slug") ?? credentials.teamSlug) : credentials.teamSlug,
    accessExpiresAt:
      now + seconds(answer.json, credentials.method === "password" ? ["access_lifetime", "expires_in"] : ["expires_in"], credentials.method === "password" ? DEFAULT_ACCESS_LIFETIME_S : 3600) * 1000,
    refreshExpiresAt: refreshExpiry(answer.json, now, null) ?? credentials.refreshExpiresAt,
  };
};

export type SessionState = "authenticated" | "expired" | "none";

/** The session of one runtime root: hands out valid access tokens, refreshing silently and single-flight. */
export class Session {
  private inFlight: Promise<string | null> | undefined;

  readonly root: string;
  private readonly now: () => number;

  constructor(root: string, now: () => number = Date.now) {
    this.root = root;
    this.now = now;
  }

  credentials(): Credentials | null {
    return readCredentials(this.root);
  }

  state(): SessionState {
    const c = this.credentials();
    if (c === null) return "none";
    if (c.accessExpiresAt > this.now()) return "authenticated";
    if (c.refreshExpiresAt === null || c.refreshExpiresAt > this.now()) return "authenticated";
    return "expired";
  }

  /** A valid access token (refreshed if needed), or null when there is no usable login. */
  async accessToken(): Promise<string | null> {
    const c = this.credentials();
    if (c === null) return null;
    if (c.accessExpiresAt - EXPIRY_MARGIN_MS > this.now()) return c.accessToken;
    return this.refresh(c.accessToken);
  }

  /**
   * Refreshes unless another caller already replaced `staleAccess` (the token a server just refused). Returns the
   * new access token, or null when the server refused the refresh (the stored session is then cleared).
   */
  refresh(staleAccess: string): Promise<string | null> {
    this.inFlight ??= this.refreshAcrossProcesses(staleAccess).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async refreshAcrossProcesses(staleAccess: string): Promise<string | null> {
    const lock = await acquireLock(join(this.root, "auth-refresh.lock"), REFRESH_LOCK_DEADLINE_MS);
    try {
      const current = this.credentials();
      if (current === null) return null;
      // Another process refreshed while we waited: use its token.
      if (current.accessToken !== staleAccess && current.accessExpiresAt - EXPIRY_MARGIN_MS > this.now()) return current.accessToken;
      if (current.refreshExpiresAt !== null && current.refreshExpiresAt <= this.now()) {
        await withCredentialsLock(this.root, () => clearCredentialsLocked(this.root));
        return null;
      }
      const next = await refreshOnce(current);
      if (next === "refused") {
        await withCredentialsLock(this.root, () => {
          // Clear only the session we tried to refresh, never one written meanwhile by a new login.
          if (readCredentials(this.root)?.refreshToken === current.refreshToken) clearCredentialsLocked(this.root);
        });
        return null;
      }
      await withCredentialsLock(this.root, () => saveCredentialsLocked(this.root, next));
      return next.accessToken;
    } finally {
      lock.release();
    }
  }
}

/** A WebSocket token and the address to connect to (legacy: the server's `/ws/v1/events/`). */
export const obtainWsToken = async (credentials: Credentials, accessToken: string): Promise<{ token: string; url: string }> => {
  const headers = { Authorization: `Bearer ${accessToken}` };
  const legacyUrl = `${credentials.serverUrl.replace(/^http/, "ws")}/ws/v1/events/`;
  const answer =
    credentials.method === "password"
      ? await request(`${credentials.serverUrl}/api/v1/ws-token/`, { method: "POST", headers })
      : await postJson(`${credentials.serverUrl}/api/v1/ws-token`, { team_id: credentials.teamSlug }, headers);
  if (answer.status === 401) throw new AuthError("not_authenticated", "the server refused the session for a WebSocket token");
  if (answer.status !== 200) throw new AuthError("server_error", `WebSocket token: HTTP ${answer.status}`);
  const token = str(answer.json, "ws_token");
  if (token === null) throw new AuthError("invalid_response", "WebSocket token: the answer lacks ws_token");
  return { token, url: str(answer.json, "ws_url") ?? legacyUrl };
};

/** Ends the login: revokes the refresh token (device logins, best effort, 5 s) and deletes the stored session. */
export const logout = async (root: string): Promise<{ hadSession: boolean; revoked: boolean }> => {
  const c = readCredentials(root);
  let revoked = false;
  if (c !== null && c.method === "device") {
    try {
      const answer = await request(`${c.serverUrl}/oauth/revoke`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: c.refreshToken, token_type_hint: "refresh_token" }).toString(),
        timeoutMs: 5_000,
      });
      revoked = answer.status === 200;
    } catch {
      revoked = false;
    }
  }
  await withCredentialsLock(root, () => clearCredentialsLocked(root));
  return { hadSession: c !== null, revoked };
};
