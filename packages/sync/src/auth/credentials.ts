/**
 * The stored login, in the reference CLI's format so both CLIs share one login: TOML at `<runtime root>/credentials`
 * (directory 0700, file 0600, written atomically), guarded by `credentials.lock` with a deadline.
 *
 *   [tokens] access, refresh, access_expires_at, refresh_expires_at   (naive UTC ISO times)
 *   [user]   username, team_slug
 *   [server] url
 *   [auth]   method ("password" | "device"), session_id             (ours; the reference ignores unknown tables)
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "smol-toml";
import { acquireLock, LockTimeout } from "./lock.ts";

export const CREDENTIALS_LOCK_DEADLINE_MS = 10_000;

export type AuthMethod = "password" | "device";

export interface Credentials {
  readonly serverUrl: string;
  readonly username: string;
  /** The team every event of this login is delivered under. Never guessed: absent means "cannot deliver". */
  readonly teamSlug: string | null;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds. */
  readonly accessExpiresAt: number;
  readonly refreshExpiresAt: number | null;
  readonly method: AuthMethod;
  readonly sessionId: string | null;
}

export class CredentialsError extends Error {
  readonly code = "credentials_unreadable";
}

export const credentialsPath = (root: string): string => join(root, "credentials");
const lockPath = (root: string): string => join(root, "credentials.lock");

/** A naive UTC ISO time as Python's `datetime.isoformat()` writes it (no offset, no fraction when zero). */
const naiveUtc = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

const parseTime = (value: unknown): number | null => {
  if (typeof value !== "string" || value.trim() === "") return null;
  const text = value.trim();
  const hasZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(text);
  const ms = Date.parse(hasZone ? text : `${text}Z`);
  return Number.isFinite(ms) ? ms : null;
};

const table = (doc: Record<string, unknown>, key: string): Record<string, unknown> => {
  const value = doc[key];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
};

const text = (record: Record<string, unknown>, key: string): string | null => {
  const value = record[key];
  return typeof value === "string" && value !== "" ? value : null;
};

/** Parses a credentials file's text; null when it holds no usable login. */
export const parseCredentials = (source: string, path: string): Credentials | null => {
  let doc: Record<string, unknown>;
  try {
    doc = parse(source) as Record<string, unknown>;
  } catch (error) {
    throw new CredentialsError(`${path}: not valid TOML (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
  }
  const tokens = table(doc, "tokens");
  const user = table(doc, "user");
  const server = table(doc, "server");
  const auth = table(doc, "auth");
  const access = text(tokens, "access");
  const refresh = text(tokens, "refresh");
  const url = text(server, "url");
  if (access === null || refresh === null || url === null) return null;
  return {
    serverUrl: url,
    username: text(user, "username") ?? "",
    teamSlug: text(user, "team_slug"),
    accessToken: access,
    refreshToken: refresh,
    accessExpiresAt: parseTime(tokens["access_expires_at"]) ?? 0,
    refreshExpiresAt: parseTime(tokens["refresh_expires_at"]),
    method: text(auth, "method") === "device" ? "device" : "password",
    sessionId: text(auth, "session_id"),
  };
};

export const renderCredentials = (c: Credentials): string => {
  const doc: Record<string, Record<string, string>> = {
    tokens: {
      access: c.accessToken,
      refresh: c.refreshToken,
      access_expires_at: naiveUtc(c.accessExpiresAt),
      ...(c.refreshExpiresAt === null ? {} : { refresh_expires_at: naiveUtc(c.refreshExpiresAt) }),
    },
    user: { username: c.username, ...(c.teamSlug === null ? {} : { team_slug: c.teamSlug }) },
    server: { url: c.serverUrl },
    auth: { method: c.method, ...(c.sessionId === null ? {} : { session_id: c.sessionId }) },
  };
  return `${stringify(doc)}\n`;
};

/** Reads the stored login without locking (a read sees either the old or the new file: writes are renames). */
export const readCredentials = (root: string): Credentials | null => {
  const path = credentialsPath(root);
  if (!existsSync(path)) return null;
  return parseCredentials(readFileSync(path, "utf8"), path);
};

const writeUnlocked = (root: string, credentials: Credentials): void => {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const path = credentialsPath(root);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, renderCredentials(credentials), { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
};

/** Runs `body` under the credentials lock (deadline 10 s; LockTimeout after it). */
export const withCredentialsLock = async <A>(root: string, body: () => A | Promise<A>, deadlineMs = CREDENTIALS_LOCK_DEADLINE_MS): Promise<A> => {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const lock = await acquireLock(lockPath(root), deadlineMs);
  try {
    return await body();
  } finally {
    lock.release();
  }
};

export const saveCredentials = (root: string, credentials: Credentials): Promise<void> =>
  withCredentialsLock(root, () => writeUnlocked(root, credentials));

/** Writes under a lock the caller already holds. */
export const saveCredentialsLocked = writeUnlocked;

export const clearCredentialsLocked = (root: string): void => rmSync(credentialsPath(root), { force: true });

export const clearCredentials = (root: string): Promise<void> => withCredentialsLock(root, () => clearCredentialsLocked(root));

export { LockTimeout };
