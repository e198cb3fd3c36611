/**
 * Per-project consent to deliver: `sync enable` records the server and team a project's events go to, in the
 * runtime root (never in the repository); `sync disable` removes it. No record means "capture, never send".
 * Also the small delivery state file `sync status` reads (last success, consecutive failures, connection).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Consent {
  readonly projectUuid: string;
  readonly serverUrl: string;
  readonly teamSlug: string;
  readonly enabledAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const dir = (root: string): string => join(root, "delivery");
const file = (root: string, projectUuid: string, suffix: string): string => {
  if (!UUID.test(projectUuid)) throw new Error(`not a project uuid: '${projectUuid}'`);
  return join(dir(root), `${projectUuid.toLowerCase()}${suffix}`);
};

const writeJson = (path: string, value: unknown): void => {
  mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
};

const readJson = (path: string): Record<string, unknown> | null => {
  if (!existsSync(path)) return null;
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

/** The project's consent, or null (not enabled; an unreadable record also counts as not enabled: fail closed). */
export const readConsent = (root: string, projectUuid: string): Consent | null => {
  const json = readJson(file(root, projectUuid, ".consent.json"));
  if (json === null) return null;
  const { project_uuid, server_url, team_slug, enabled_at } = json;
  if (typeof server_url !== "string" || typeof team_slug !== "string" || team_slug === "" || project_uuid !== projectUuid.toLowerCase()) return null;
  return { projectUuid: projectUuid.toLowerCase(), serverUrl: server_url, teamSlug: team_slug, enabledAt: typeof enabled_at === "string" ? enabled_at : "" };
};

export const writeConsent = (root: string, consent: Omit<Consent, "enabledAt">): Consent => {
  const record: Consent = { ...consent, projectUuid: consent.projectUuid.toLowerCase(), enabledAt: new Date().toISOString() };
  writeJson(file(root, consent.projectUuid, ".consent.json"), {
    project_uuid: record.projectUuid,
    server_url: record.serverUrl,
    team_slug: record.teamSlug,
    enabled_at: record.enabledAt,
  });
  return record;
};

export const removeConsent = (root: string, projectUuid: string): boolean => {
  const path = file(root, projectUuid, ".consent.json");
  const had = existsSync(path);
  rmSync(path, { force: true });
  return had;
};

/** Where delivery stands for a project, as the last drain or agent left it. */
export interface DeliveryHealth {
  /** ISO time of the last pass that delivered or confirmed everything it sent; never stamped by a failed pass. */
  readonly lastSuccessAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastError: string | null;
  readonly consecutiveFailures: number;
  /** Connected | Reconnecting | Offline | OfflineBatchMode (written by the agent). */
  readonly connection: string;
}

export const EMPTY_HEALTH: DeliveryHealth = { lastSuccessAt: null, lastAttemptAt: null, lastError: null, consecutiveFailures: 0, connection: "Offline" };

export const readDeliveryHealth = (root: string, projectUuid: string): DeliveryHealth => {
  const json = readJson(file(root, projectUuid, ".state.json"));
  if (json === null) return EMPTY_HEALTH;
  const s = (key: string): string | null => (typeof json[key] === "string" ? (json[key] as string) : null);
  return {
    lastSuccessAt: s("last_success_at"),
    lastAttemptAt: s("last_attempt_at"),
    lastError: s("last_error"),
    consecutiveFailures: typeof json["consecutive_failures"] === "number" ? json["consecutive_failures"] : 0,
    connection: s("connection") ?? "Offline",
  };
};

export const writeDeliveryHealth = (root: string, projectUuid: string, state: DeliveryHealth): void => {
  try {
    writeJson(file(root, projectUuid, ".state.json"), {
      last_success_at: state.lastSuccessAt,
      last_attempt_at: state.lastAttemptAt,
      last_error: state.lastError,
      consecutive_failures: state.consecutiveFailures,
      connection: state.connection,
    });
  } catch {
    // The state file is a report; failing to write it never changes delivery.
  }
};

/** Records one pass: success resets the failure count and stamps the time; failure counts and keeps the old stamp. */
export const recordPass = (root: string, projectUuid: string, ok: boolean, error: string | null, connection?: string): DeliveryHealth => {
  const before = readDeliveryHealth(root, projectUuid);
  const now = new Date().toISOString();
  const after: DeliveryHealth = ok
    ? { lastSuccessAt: now, lastAttemptAt: now, lastError: null, consecutiveFailures: 0, connection: connection ?? before.connection }
    : { ...before, lastAttemptAt: now, lastError: error, consecutiveFailures: before.consecutiveFailures + 1, connection: connection ?? before.connection };
  writeDeliveryHealth(root, projectUuid, after);
  return after;
};
