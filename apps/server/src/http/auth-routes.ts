import { OAUTH_CLIENT_ID, normaliseUserCode, type AuthService, type IssuedPair, type Principal } from "../auth/service.ts";
import { html, json, type HttpRequest, type HttpResponse } from "./types.ts";

/** Small bodies only on the auth endpoints. */
const AUTH_BODY_LIMIT = 64 * 1024;

type Fields = Readonly<Record<string, string>>;

/** Reads a JSON object or a form body into string fields; undefined when unreadable. */
export const readFields = async (req: HttpRequest): Promise<Fields | undefined> => {
  const body = await req.readBody(AUTH_BODY_LIMIT);
  if (body === "too_large") return undefined;
  const text = body.toString("utf8");
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (text.trim() === "") return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) if (typeof x === "string" || typeof x === "number") out[k] = String(x);
    return out;
  } catch {
    return Object.fromEntries(new URLSearchParams(text));
  }
};

const oauthError = (status: number, error: string, description?: string): HttpResponse =>
  json(status, description === undefined ? { error } : { error, error_description: description });

const oauthPair = (p: IssuedPair): HttpResponse =>
  json(200, {
    access_token: p.accessToken,
    token_type: "Bearer",
    expires_in: p.accessSeconds,
    refresh_token: p.refreshToken,
    refresh_token_expires_at: new Date(p.refreshExpiresAt).toISOString(),
    refresh_token_expires_in: Math.max(0, Math.floor((p.refreshExpiresAt - Date.now()) / 1000)),
    scope: "offline_access",
    session_id: p.sessionId,
  });

const legacyPair = (p: IssuedPair, teamSlug: string | undefined): HttpResponse =>
  json(200, {
    access: p.accessToken,
    refresh: p.refreshToken,
    access_lifetime: p.accessSeconds,
    refresh_lifetime: Math.max(0, Math.floor((p.refreshExpiresAt - Date.now()) / 1000)),
    ...(teamSlug === undefined ? {} : { team_slug: teamSlug }),
  });

/** `POST /api/v1/token/` (028-era login): JSON `{username, password}`. */
export const legacyObtain = async (req: HttpRequest, auth: AuthService): Promise<HttpResponse> => {
  const f = await readFields(req);
  if (f === undefined || f["username"] === undefined || f["password"] === undefined) {
    return json(400, { error: "username and password are required", detail: "username and password are required" });
  }
  const user = await auth.checkPassword(f["username"], f["password"]);
  if (user === undefined) return json(401, { error: "Invalid username or password", detail: "No active account found with the given credentials" });
  const pair = await auth.issuePair(user.id, "legacy");
  const teams = await auth.membershipsOf(user.id);
  return legacyPair(pair, teams.find((m) => m.team.isPrivate)?.team.slug);
};

/** `POST /api/v1/token/refresh/`: rotation; 401 only for a dead refresh token (the client then forgets it). */
export const legacyRefresh = async (req: HttpRequest, auth: AuthService): Promise<HttpResponse> => {
  const f = await readFields(req);
  if (f === undefined || f["refresh"] === undefined) return json(400, { error: "refresh is required", detail: "refresh is required" });
  const r = await auth.refresh(f["refresh"], "legacy");
  if (!r.ok) return json(401, { error: "Token is invalid or expired", detail: "Token is invalid or expired", code: "token_not_valid" });
  const teams = await auth.membershipsOf(r.userId);
  return legacyPair(r.pair, teams.find((m) => m.team.isPrivate)?.team.slug);
};

/** `POST /oauth/token`: authorization code (PKCE), device code and refresh grants. */
export const oauthToken = async (req: HttpRequest, auth: AuthService): Promise<HttpResponse> => {
  const f = await readFields(req);
  if (f === undefined) return oauthError(400, "invalid_request", "the body must be form-encoded");
  const grant = f["grant_type"];
  if (f["client_id"] !== undefined && f["client_id"] !== OAUTH_CLIENT_ID) return oauthError(401, "invalid_client", `unknown client '${f["client_id"].slice(0, 40)}'`);
  if (grant === "authorization_code") {
    const { code, redirect_uri, code_verifier } = f;
    if (code === undefined || redirect_uri === undefined || code_verifier === undefined) return oauthError(400, "invalid_request", "code, redirect_uri and code_verifier are required");
    const pair = await auth.exchangeAuthCode({ code, redirectUri: redirect_uri, clientId: f["client_id"] ?? OAUTH_CLIENT_ID, codeVerifier: code_verifier });
    return pair === undefined ? oauthError(400, "invalid_grant", "the authorization code is invalid, used or expired") : oauthPair(pair);
  }
  if (grant === "urn:ietf:params:oauth:grant-type:device_code") {
    if (f["device_code"] === undefined) return oauthError(400, "invalid_request", "device_code is required");
    const r = await auth.pollDeviceCode(f["device_code"]);
    return r.ok ? oauthPair(r.pair) : oauthError(400, r.error);
  }
  if (grant === "refresh_token") {
    if (f["refresh_token"] === undefined) return oauthError(400, "invalid_request", "refresh_token is required");
    const r = await auth.refresh(f["refresh_token"], "current");
    if (r.ok) return oauthPair(r.pair);
    if (r.error === "refresh_replay_benign_retry") return json(409, { error: "refresh_replay_benign_retry", retry_after: 1 });
    return oauthError(400, "invalid_grant", "the refresh token is invalid, used or expired");
  }
  return oauthError(400, "unsupported_grant_type");
};

/** `POST /oauth/device` (RFC 8628 §3.1). */
export const oauthDevice = async (req: HttpRequest, auth: AuthService, baseUrl: string): Promise<HttpResponse> => {
  const f = await readFields(req);
  if (f === undefined) return oauthError(400, "invalid_request");
  if ((f["client_id"] ?? OAUTH_CLIENT_ID) !== OAUTH_CLIENT_ID) return oauthError(401, "invalid_client");
  const d = await auth.startDeviceFlow(OAUTH_CLIENT_ID);
  return json(200, {
    device_code: d.deviceCode,
    user_code: d.userCode,
    verification_uri: `${baseUrl}/device`,
    verification_uri_complete: `${baseUrl}/device?user_code=${encodeURIComponent(d.userCode)}`,
    expires_in: d.expiresIn,
    interval: d.interval,
  });
};

/** `POST /oauth/revoke` (RFC 7009): always `{"revoked": true}`, also for unknown tokens. */
export const oauthRevoke = async (req: HttpRequest, auth: AuthService): Promise<HttpResponse> => {
  const f = await readFields(req);
  if (f === undefined || f["token"] === undefined) return oauthError(400, "invalid_request", "token is required");
  await auth.revoke(f["token"]);
  return json(200, { revoked: true });
};

/** `GET /api/v1/me`. */
export const me = async (principal: Principal, auth: AuthService): Promise<HttpResponse> => {
  const teams = principal.memberships.map((m) => ({ id: m.team.id, name: m.team.name, slug: m.team.slug, role: m.role, is_private_teamspace: m.team.isPrivate }));
  if (principal.userId === null) {
    return json(200, { user_id: `token:${principal.tokenId ?? ""}`, email: "", name: "API token", teams, kind: "api_token" });
  }
  const user = await auth.userById(principal.userId);
  return json(200, { user_id: principal.userId, email: user?.email ?? "", name: user?.name ?? "", teams, session_id: principal.sessionId });
};

// --- browser pages: device approval and PKCE sign-in ---

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><meta name="viewport" content="width=device-width">` +
  `<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}` +
  `input{width:100%;padding:.4rem;font:inherit}button{margin-top:1rem;padding:.5rem 1rem;font:inherit}.err{color:#a00}</style></head>` +
  `<body><h1>${esc(title)}</h1>${body}</body></html>`;

const devicePage = (userCode: string, message?: string): string =>
  page(
    "Connect the spec-kitty CLI",
    `${message === undefined ? "" : `<p class="err">${esc(message)}</p>`}` +
      `<p>Check that the code below matches the one your terminal shows, then sign in to approve it.</p>` +
      `<form method="post" action="/device"><label for="c">Code</label><input id="c" name="user_code" value="${esc(userCode)}" autocomplete="off">` +
      `<label for="e">Email</label><input id="e" name="email" type="email" autocomplete="username">` +
      `<label for="p">Password</label><input id="p" name="password" type="password" autocomplete="current-password">` +
      `<button name="decision" value="approve">Approve</button> <button name="decision" value="deny">Deny</button></form>`,
  );

export const devicePageGet = (req: HttpRequest): HttpResponse => {
  const code = new URL(req.url, "http://x").searchParams.get("user_code") ?? "";
  return html(200, devicePage(code));
};

export const devicePagePost = async (req: HttpRequest, auth: AuthService): Promise<HttpResponse> => {
  const f = await readFields(req);
  if (f === undefined) return html(400, devicePage("", "The form could not be read."));
  const code = normaliseUserCode(f["user_code"] ?? "");
  const user = await auth.checkPassword(f["email"] ?? "", f["password"] ?? "");
  if (user === undefined) return html(401, devicePage(code, "Wrong email or password."));
  const approve = f["decision"] !== "deny";
  const r = await auth.decideDeviceCode(code, user.id, approve);
  if (r === "unknown") return html(404, devicePage(code, "This code is unknown or was already used."));
  if (r === "expired") return html(410, devicePage(code, "This code has expired; start the login again."));
  return html(200, page(approve ? "Device approved" : "Device denied", approve ? "<p>You can close this page and return to your terminal.</p>" : "<p>The request was denied.</p>"));
};

const LOOPBACK_REDIRECT = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?(\/[^\s#]*)?$/;

interface AuthorizeParams {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly codeChallenge: string;
}

const authorizeParams = (f: Readonly<Record<string, string | null | undefined>>): AuthorizeParams | string => {
  if ((f["client_id"] ?? "") !== OAUTH_CLIENT_ID) return "unknown client_id";
  const redirectUri = f["redirect_uri"] ?? "";
  if (!LOOPBACK_REDIRECT.test(redirectUri)) return "redirect_uri must be a loopback http URL";
  if ((f["response_type"] ?? "code") !== "code") return "response_type must be code";
  if ((f["code_challenge_method"] ?? "S256") !== "S256") return "code_challenge_method must be S256";
  const codeChallenge = f["code_challenge"] ?? "";
  if (!/^[A-Za-z0-9_-]{43,128}$/.test(codeChallenge)) return "code_challenge is required";
  return { clientId: OAUTH_CLIENT_ID, redirectUri, state: f["state"] ?? "", codeChallenge };
};

const signInPage = (p: AuthorizeParams, message?: string): string =>
  page(
    "Sign in to spec-kitty",
    `${message === undefined ? "" : `<p class="err">${esc(message)}</p>`}<form method="post" action="/oauth/authorize">` +
      `<input type="hidden" name="client_id" value="${esc(p.clientId)}"><input type="hidden" name="redirect_uri" value="${esc(p.redirectUri)}">` +
      `<input type="hidden" name="state" value="${esc(p.state)}"><input type="hidden" name="code_challenge" value="${esc(p.codeChallenge)}">` +
      `<input type="hidden" name="code_challenge_method" value="S256"><input type="hidden" name="response_type" value="code">` +
      `<label for="e">Email</label><input id="e" name="email" type="email" autocomplete="username">` +
      `<label for="p">Password</label><input id="p" name="password" type="password" autocomplete="current-password">` +
      `<button>Sign in</button></form>`,
  );

/** `GET /oauth/authorize`: the sign-in form of the PKCE flow. */
export const authorizeGet = (req: HttpRequest): HttpResponse => {
  const q = Object.fromEntries(new URL(req.url, "http://x").searchParams);
  const p = authorizeParams(q);
  if (typeof p === "string") return html(400, page("Cannot sign in", `<p class="err">${esc(p)}</p>`));
  return html(200, signInPage(p));
};

/** `POST /oauth/authorize`: checks the password, then redirects to the loopback callback with code and state. */
export const authorizePost = async (req: HttpRequest, auth: AuthService): Promise<HttpResponse> => {
  const f = await readFields(req);
  if (f === undefined) return html(400, page("Cannot sign in", "<p class=\"err\">The form could not be read.</p>"));
  const p = authorizeParams(f);
  if (typeof p === "string") return html(400, page("Cannot sign in", `<p class="err">${esc(p)}</p>`));
  const user = await auth.checkPassword(f["email"] ?? "", f["password"] ?? "");
  if (user === undefined) return html(401, signInPage(p, "Wrong email or password."));
  const code = await auth.issueAuthCode(user.id, { clientId: p.clientId, redirectUri: p.redirectUri, codeChallenge: p.codeChallenge });
  const target = new URL(p.redirectUri);
  target.searchParams.set("code", code);
  target.searchParams.set("state", p.state);
  return { status: 302, headers: { location: target.toString(), "cache-control": "no-store" }, body: "" };
};
