import { createHash, randomBytes, randomInt } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { ulid } from "ulid";
import { StoreError, type Credential, type Membership, type Store, type Team, type User } from "../store/port.ts";
import { hashPassword, verifyPassword } from "./password.ts";

/**
 * Which client generation a credential belongs to. A legacy JWT pair is only ever obtained by the 028-era
 * clients (`/api/v1/token/`), which understand nothing but `success`/`duplicate`; OAuth sessions and API
 * tokens are the current generation (ours included), which understand terminal `rejected`.
 */
export type ClientGeneration = "legacy" | "current";

export interface Principal {
  /** The signed-in user, or null for an API token. */
  readonly userId: string | null;
  /** API token id when authenticated by one. */
  readonly tokenId: string | null;
  readonly sessionId: string | null;
  readonly generation: ClientGeneration;
  /** Every team the caller may read, with its role. */
  readonly memberships: ReadonlyArray<Membership>;
  /** Where direct ingress lands by default: the user's private team, or the API token's team. */
  readonly ingressTeam: Team;
}

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: "missing" | "invalid" | "unavailable"; readonly message: string };

export const LEGACY_ACCESS_SECONDS = 900;
export const LEGACY_REFRESH_SECONDS = 604_800;
export const OAUTH_ACCESS_SECONDS = 3600;
export const OAUTH_REFRESH_SECONDS = 30 * 86_400;
export const WS_TOKEN_SECONDS = 300;
export const DEVICE_CODE_SECONDS = 900;
export const DEVICE_POLL_SECONDS = 5;
export const AUTH_CODE_SECONDS = 120;
/** A refresh token re-presented within this window after rotation is a benign client retry (409). */
export const REFRESH_REPLAY_GRACE_MS = 10_000;

export const OAUTH_CLIENT_ID = "cli_native";

/** Tokens are opaque random strings with a kind prefix; the store only sees their SHA-256. */
export const tokenHash = (token: string): string => createHash("sha256").update(token).digest("base64url");
const newSecret = (prefix: string): string => `${prefix}_${randomBytes(32).toString("base64url")}`;

export interface IssuedPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessSeconds: number;
  readonly refreshExpiresAt: number;
  readonly sessionId: string;
}

export type RefreshResult =
  | { readonly ok: true; readonly pair: IssuedPair; readonly userId: string }
  | { readonly ok: false; readonly error: "invalid_grant" | "refresh_replay_benign_retry" };

/**
 * Users, teams, credentials and the checks on every request. Access tokens are HS256 JWTs (jose) signed with a
 * key kept in the store, so every server process on one database accepts every other's tokens.
 */
export class AuthService {
  private readonly store: Store;
  private key: Uint8Array | undefined;
  private readonly now: () => number;
  private readonly membershipCache = new Map<string, { at: number; value: ReadonlyArray<Membership> }>();
  private readonly apiTokenCache = new Map<string, { at: number; value: Credential | undefined }>();

  constructor(store: Store, options: { now?: () => number } = {}) {
    this.store = store;
    this.now = options.now ?? Date.now;
  }

  private async signingKey(): Promise<Uint8Array> {
    if (this.key === undefined) {
      const secret = await this.store.secret("jwt-hs256", () => randomBytes(32).toString("base64url"));
      this.key = new Uint8Array(Buffer.from(secret, "base64url"));
    }
    return this.key;
  }

  // --- administration ---

  /** Creates a shared team. */
  async createTeam(slug: string, name?: string): Promise<Team> {
    checkSlug(slug);
    return this.store.createTeam({ id: `team_${ulid()}`, slug, name: name ?? slug, isPrivate: false, createdAt: this.now() });
  }

  /** Creates a user with a private team (their direct-ingress target), optionally a member of `teamSlug`. */
  async createUser(input: { email: string; password: string | null; name?: string; teamSlug?: string }): Promise<{ user: User; privateTeam: Team; team?: Team }> {
    const email = input.email.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new StoreError("invalid", `not an email address: '${input.email}'`);
    let team: Team | undefined;
    if (input.teamSlug !== undefined) {
      team = await this.store.teamBySlug(input.teamSlug);
      if (team === undefined) throw new StoreError("not_found", `team '${input.teamSlug}' does not exist (create it with 'team create ${input.teamSlug}')`);
    }
    if ((await this.store.userByEmail(email)) !== undefined) throw new StoreError("conflict", `user '${email}' already exists`);
    const passwordHash = input.password === null ? null : await hashPassword(input.password);
    const now = this.now();
    const user = await this.store.createUser({ id: `user_${ulid()}`, email, name: input.name ?? email.split("@")[0] ?? email, passwordHash, createdAt: now });
    const privateTeam = await this.store.createTeam({
      id: `team_${ulid()}`,
      slug: `private-${user.id.slice(5).toLowerCase()}`,
      name: `${user.name} (private)`,
      isPrivate: true,
      createdAt: now,
    });
    await this.store.putMembership(privateTeam.id, user.id, "owner");
    if (team !== undefined) await this.store.putMembership(team.id, user.id, "member");
    return team === undefined ? { user, privateTeam } : { user, privateTeam, team };
  }

  /** Creates an API token for a team (bots, CI). The secret is returned once and never stored. */
  async createApiToken(teamSlug: string, input: { name?: string; expiresInSeconds?: number } = {}): Promise<{ token: string; id: string; team: Team; expiresAt: number | null }> {
    const team = await this.store.teamBySlug(teamSlug);
    if (team === undefined) throw new StoreError("not_found", `team '${teamSlug}' does not exist`);
    const token = newSecret("skt");
    const id = tokenHash(token);
    const now = this.now();
    const expiresAt = input.expiresInSeconds === undefined ? null : now + input.expiresInSeconds * 1000;
    await this.store.putCredential({
      id,
      kind: "api_token",
      userId: null,
      teamId: team.id,
      sessionId: null,
      lookup: `tok_${ulid()}`,
      data: { name: input.name ?? "api token" },
      createdAt: now,
      expiresAt,
      consumedAt: null,
      revokedAt: null,
    });
    return { token, id, team, expiresAt };
  }

  userById(id: string): Promise<User | undefined> {
    return this.store.userById(id);
  }

  // --- sign-in ---

  /** Checks an email and password; undefined when either is wrong. */
  async checkPassword(email: string, password: string): Promise<User | undefined> {
    const user = await this.store.userByEmail(email.trim());
    if (user === undefined || user.passwordHash === null) {
      // Spend the same time on an unknown user as on a wrong password.
      await verifyPassword(password, "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
  }

  /** Starts a session for a user: an access JWT and a rotating refresh token. */
  async issuePair(userId: string, generation: ClientGeneration, sessionId: string = `sess_${ulid()}`): Promise<IssuedPair> {
    const accessSeconds = generation === "legacy" ? LEGACY_ACCESS_SECONDS : OAUTH_ACCESS_SECONDS;
    const refreshSeconds = generation === "legacy" ? LEGACY_REFRESH_SECONDS : OAUTH_REFRESH_SECONDS;
    const now = this.now();
    const accessToken = await new SignJWT({ sid: sessionId, gen: generation, typ: "access" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(userId)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + accessSeconds)
      .setJti(ulid())
      .sign(await this.signingKey());
    const refreshToken = newSecret("skr");
    const refreshExpiresAt = now + refreshSeconds * 1000;
    await this.store.putCredential({
      id: tokenHash(refreshToken),
      kind: "refresh_token",
      userId,
      teamId: null,
      sessionId,
      lookup: null,
      data: { generation },
      createdAt: now,
      expiresAt: refreshExpiresAt,
      consumedAt: null,
      revokedAt: null,
    });
    return { accessToken, refreshToken, accessSeconds, refreshExpiresAt, sessionId };
  }

  /** Rotates a refresh token: the old one is consumed, a new pair issued in the same session. */
  async refresh(refreshToken: string, generation: ClientGeneration): Promise<RefreshResult> {
    const id = tokenHash(refreshToken);
    const now = this.now();
    const taken = await this.store.consumeCredential("refresh_token", id, now);
    if (taken === undefined || taken.userId === null) {
      const seen = await this.store.credential("refresh_token", id);
      if (seen !== undefined && seen.revokedAt === null && seen.consumedAt !== null && now - seen.consumedAt < REFRESH_REPLAY_GRACE_MS) {
        return { ok: false, error: "refresh_replay_benign_retry" };
      }
      // A replay outside the grace window means the token leaked: end the whole session.
      if (seen?.sessionId != null && seen.consumedAt !== null) await this.store.revokeSession(seen.sessionId, now);
      return { ok: false, error: "invalid_grant" };
    }
    if ((await this.store.userById(taken.userId)) === undefined) return { ok: false, error: "invalid_grant" };
    const pair = await this.issuePair(taken.userId, generation, taken.sessionId ?? undefined);
    return { ok: true, pair, userId: taken.userId };
  }

  /** Revokes a refresh token and its session (logout). Unknown tokens are ignored (RFC 7009). */
  async revoke(token: string): Promise<void> {
    const c = await this.store.credential("refresh_token", tokenHash(token));
    if (c === undefined) return;
    if (c.sessionId !== null) await this.store.revokeSession(c.sessionId, this.now());
    else await this.store.revokeCredential("refresh_token", c.id, this.now());
  }

  // --- requests ---

  /** Authenticates an `Authorization: Bearer …` header: an access JWT or an API token. */
  async authenticate(header: string | undefined): Promise<AuthResult> {
    if (header === undefined || header === "") return { ok: false, reason: "missing", message: "Authentication credentials were not provided" };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m === null) return { ok: false, reason: "invalid", message: "Token expired or invalid" };
    const token = m[1]!;
    try {
      if (token.startsWith("skt_")) return await this.fromApiToken(token);
      return await this.fromJwt(token);
    } catch (e) {
      if (e instanceof StoreError && e.code !== "unavailable") throw e;
      return { ok: false, reason: "unavailable", message: "Authentication service unavailable; try again shortly" };
    }
  }

  private async fromJwt(token: string): Promise<AuthResult> {
    const invalid: AuthResult = { ok: false, reason: "invalid", message: "Token expired or invalid" };
    let payload: Record<string, unknown>;
    try {
      payload = (await jwtVerify(token, await this.signingKey(), { algorithms: ["HS256"], currentDate: new Date(this.now()) })).payload;
    } catch (e) {
      if (e instanceof joseErrors.JOSEError) return invalid;
      throw e;
    }
    if (payload["typ"] !== "access" || typeof payload["sub"] !== "string") return invalid;
    const userId = payload["sub"];
    const memberships = await this.membershipsOf(userId);
    const ingress = memberships.find((m) => m.team.isPrivate)?.team ?? memberships[0]?.team;
    if (ingress === undefined) return invalid;
    return {
      ok: true,
      principal: {
        userId,
        tokenId: null,
        sessionId: typeof payload["sid"] === "string" ? payload["sid"] : null,
        generation: payload["gen"] === "legacy" ? "legacy" : "current",
        memberships,
        ingressTeam: ingress,
      },
    };
  }

  private async fromApiToken(token: string): Promise<AuthResult> {
    const id = tokenHash(token);
    const now = this.now();
    let cached = this.apiTokenCache.get(id);
    if (cached === undefined || now - cached.at > 5_000) {
      cached = { at: now, value: await this.store.credential("api_token", id) };
      this.apiTokenCache.set(id, cached);
      if (this.apiTokenCache.size > 10_000) this.apiTokenCache.clear();
    }
    const c = cached.value;
    if (c === undefined || c.revokedAt !== null || (c.expiresAt !== null && c.expiresAt <= now) || c.teamId === null) {
      return { ok: false, reason: "invalid", message: "Token expired or invalid" };
    }
    const team = await this.store.teamById(c.teamId);
    if (team === undefined) return { ok: false, reason: "invalid", message: "Token expired or invalid" };
    return {
      ok: true,
      principal: { userId: null, tokenId: c.lookup ?? id, sessionId: null, generation: "current", memberships: [{ team, role: "member" }], ingressTeam: team },
    };
  }

  /** A user's memberships, cached for a few seconds (they change only through admin commands). */
  async membershipsOf(userId: string): Promise<ReadonlyArray<Membership>> {
    const now = this.now();
    const hit = this.membershipCache.get(userId);
    if (hit !== undefined && now - hit.at < 5_000) return hit.value;
    const value = await this.store.memberships(userId);
    this.membershipCache.set(userId, { at: now, value });
    if (this.membershipCache.size > 10_000) this.membershipCache.clear();
    return value;
  }

  // --- ws-tokens ---

  /** A single-use ticket for one WebSocket upgrade into `teamId`. */
  async issueWsToken(principal: Principal, teamId: string): Promise<{ token: string; expiresIn: number }> {
    const token = newSecret("skw");
    const now = this.now();
    await this.store.putCredential({
      id: tokenHash(token),
      kind: "ws_token",
      userId: principal.userId,
      teamId,
      sessionId: principal.sessionId,
      lookup: null,
      data: { generation: principal.generation, tokenId: principal.tokenId },
      createdAt: now,
      expiresAt: now + WS_TOKEN_SECONDS * 1000,
      consumedAt: null,
      revokedAt: null,
    });
    return { token, expiresIn: WS_TOKEN_SECONDS };
  }

  /** Consumes a ws-token presented at an upgrade; undefined when unknown, used or expired. */
  async consumeWsToken(token: string): Promise<{ teamId: string; userId: string | null; generation: ClientGeneration } | undefined> {
    const c = await this.store.consumeCredential("ws_token", tokenHash(token), this.now());
    if (c === undefined || c.teamId === null) return undefined;
    return { teamId: c.teamId, userId: c.userId, generation: c.data["generation"] === "legacy" ? "legacy" : "current" };
  }

  // --- OAuth device flow and authorization codes ---

  async startDeviceFlow(clientId: string): Promise<{ deviceCode: string; userCode: string; expiresIn: number; interval: number }> {
    const deviceCode = newSecret("skd");
    const userCode = newUserCode();
    const now = this.now();
    await this.store.putCredential({
      id: tokenHash(deviceCode),
      kind: "device_code",
      userId: null,
      teamId: null,
      sessionId: null,
      lookup: userCode,
      data: { clientId, state: "pending", lastPollAt: 0 },
      createdAt: now,
      expiresAt: now + DEVICE_CODE_SECONDS * 1000,
      consumedAt: null,
      revokedAt: null,
    });
    return { deviceCode, userCode, expiresIn: DEVICE_CODE_SECONDS, interval: DEVICE_POLL_SECONDS };
  }

  /** Approves or denies a pending device code on behalf of a signed-in user. */
  async decideDeviceCode(userCode: string, userId: string, approve: boolean): Promise<"done" | "unknown" | "expired"> {
    const c = await this.store.credentialByLookup("device_code", normaliseUserCode(userCode));
    if (c === undefined || c.consumedAt !== null || c.revokedAt !== null || c.data["state"] !== "pending") return "unknown";
    if (c.expiresAt !== null && c.expiresAt <= this.now()) return "expired";
    await this.store.updateCredentialData("device_code", c.id, { ...c.data, state: approve ? "approved" : "denied", userId });
    return "done";
  }

  /** One poll of the device flow (RFC 8628 §3.5). */
  async pollDeviceCode(deviceCode: string): Promise<{ ok: true; pair: IssuedPair } | { ok: false; error: "authorization_pending" | "slow_down" | "access_denied" | "expired_token" | "invalid_grant" }> {
    const id = tokenHash(deviceCode);
    const c = await this.store.credential("device_code", id);
    const now = this.now();
    if (c === undefined || c.revokedAt !== null || c.consumedAt !== null) return { ok: false, error: "invalid_grant" };
    if (c.expiresAt !== null && c.expiresAt <= now) return { ok: false, error: "expired_token" };
    const state = c.data["state"];
    if (state === "denied") return { ok: false, error: "access_denied" };
    if (state === "approved" && typeof c.data["userId"] === "string") {
      const taken = await this.store.consumeCredential("device_code", id, now);
      if (taken === undefined) return { ok: false, error: "invalid_grant" };
      return { ok: true, pair: await this.issuePair(c.data["userId"], "current") };
    }
    const last = typeof c.data["lastPollAt"] === "number" ? c.data["lastPollAt"] : 0;
    await this.store.updateCredentialData("device_code", id, { ...c.data, lastPollAt: now });
    // Polling faster than half the interval is answered with slow_down.
    if (now - last < (DEVICE_POLL_SECONDS * 1000) / 2) return { ok: false, error: "slow_down" };
    return { ok: false, error: "authorization_pending" };
  }

  async issueAuthCode(userId: string, input: { clientId: string; redirectUri: string; codeChallenge: string }): Promise<string> {
    const code = newSecret("skc");
    const now = this.now();
    await this.store.putCredential({
      id: tokenHash(code),
      kind: "auth_code",
      userId,
      teamId: null,
      sessionId: null,
      lookup: null,
      data: { ...input },
      createdAt: now,
      expiresAt: now + AUTH_CODE_SECONDS * 1000,
      consumedAt: null,
      revokedAt: null,
    });
    return code;
  }

  /** Exchanges an authorization code (PKCE S256) for a session. */
  async exchangeAuthCode(input: { code: string; redirectUri: string; clientId: string; codeVerifier: string }): Promise<IssuedPair | undefined> {
    const c = await this.store.consumeCredential("auth_code", tokenHash(input.code), this.now());
    if (c === undefined || c.userId === null) return undefined;
    if (c.data["redirectUri"] !== input.redirectUri || c.data["clientId"] !== input.clientId) return undefined;
    const challenge = createHash("sha256").update(input.codeVerifier).digest("base64url");
    if (challenge !== c.data["codeChallenge"]) return undefined;
    return this.issuePair(c.userId, "current");
  }
}

const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const newUserCode = (): string => {
  let s = "";
  for (let i = 0; i < 8; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
};

export const normaliseUserCode = (code: string): string => {
  const c = code.toUpperCase().replace(/[^A-Z]/g, "");
  return c.length === 8 ? `${c.slice(0, 4)}-${c.slice(4)}` : code.trim().toUpperCase();
};

const checkSlug = (slug: string): void => {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) {
    throw new StoreError("invalid", `team slug '${slug}' must be 1-63 lower-case letters, digits or '-', starting with a letter or digit`);
  }
  if (slug.startsWith("private-")) throw new StoreError("invalid", `team slug '${slug}': the 'private-' prefix is reserved for private teams`);
};
