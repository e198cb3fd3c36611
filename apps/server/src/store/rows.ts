/**
 * Rows of the store tables as both adapters read them (SQLite and PostgreSQL return the same column names; a
 * boolean column is 0/1 in SQLite and true/false in PostgreSQL, which `Number(...) === 1` reads alike).
 */
import type { Credential, CredentialKind, EventVerdict, MissionSummary, StoredEvent, Team, User } from "./port.ts";

export type Row = Record<string, unknown>;

export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export const toTeam = (r: Row | undefined): Team | undefined =>
  r === undefined
    ? undefined
    : {
        id: String(r["id"]),
        slug: String(r["slug"]),
        name: String(r["name"]),
        isPrivate: Number(r["is_private"]) === 1,
        createdAt: Number(r["created_at"]),
      };

export const toUser = (r: Row | undefined): User | undefined =>
  r === undefined
    ? undefined
    : {
        id: String(r["id"]),
        email: String(r["email"]),
        name: String(r["name"]),
        passwordHash: str(r["password_hash"]),
        createdAt: Number(r["created_at"]),
      };

export const toCredential = (r: Row | undefined): Credential | undefined =>
  r === undefined
    ? undefined
    : {
        id: String(r["id"]),
        kind: String(r["kind"]) as CredentialKind,
        userId: str(r["user_id"]),
        teamId: str(r["team_id"]),
        sessionId: str(r["session_id"]),
        lookup: str(r["lookup"]),
        data: JSON.parse(String(r["data"])) as Record<string, unknown>,
        createdAt: Number(r["created_at"]),
        expiresAt: num(r["expires_at"]),
        consumedAt: num(r["consumed_at"]),
        revokedAt: num(r["revoked_at"]),
      };

export const toEvent = (r: Row | undefined): StoredEvent | undefined =>
  r === undefined
    ? undefined
    : {
        seq: Number(r["seq"]),
        teamId: String(r["team_id"]),
        eventId: String(r["event_id"]),
        rawEventId: String(r["raw_event_id"]),
        eventType: String(r["event_type"]),
        projectUuid: str(r["project_uuid"]),
        missionKey: str(r["mission_key"]),
        lamportClock: num(r["lamport_clock"]),
        timestamp: str(r["timestamp"]),
        receivedAt: Number(r["received_at"]),
        raw: String(r["raw"]),
        canonical: canonicalFromColumn(String(r["raw"]), str(r["canonical"])),
        verdict: String(r["verdict"]) as EventVerdict,
        violations: str(r["violations"]),
        source: String(r["source"]) as StoredEvent["source"],
      };

export const toMission = (r: Row): MissionSummary => ({
  teamId: String(r["team_id"]),
  projectUuid: String(r["project_uuid"]),
  missionKey: String(r["mission_key"]),
  eventCount: Number(r["n"]),
  lastSeq: Number(r["last"]),
});

/**
 * The `canonical` column holds the normalised envelope only when it differs from `raw`. For most events (every
 * current-client envelope without transport keys) the two are the same text, and storing it twice doubled the
 * bytes of each insert. Column values: NULL (no canonical form), `SAME_AS_RAW` (equal to `raw`), `SAME_AS_RAW`
 * followed by the value (a value that itself starts with that character, kept exact), anything else verbatim.
 * Rows written before this encoding hold the value verbatim and read back unchanged. One character, not the empty
 * string, so the PostgreSQL adapter can still pack the column (its packing refuses empty values).
 */
export const SAME_AS_RAW = "\u0001";

export const canonicalToColumn = (raw: string, canonical: string | null): string | null => {
  if (canonical === null) return null;
  if (canonical === raw) return SAME_AS_RAW;
  return canonical.startsWith(SAME_AS_RAW) ? SAME_AS_RAW + canonical : canonical;
};

export const canonicalFromColumn = (raw: string, column: string | null): string | null => {
  if (column === null) return null;
  if (column === SAME_AS_RAW) return raw;
  return column.startsWith(SAME_AS_RAW) ? column.slice(1) : column;
};

/** The same decoding in PostgreSQL SQL, for queries that read the envelope without the row reader (`coalesce(canonical, raw)`). */
export const PG_SQL_ENVELOPE = `CASE WHEN canonical IS NULL OR canonical = E'\\x01' THEN raw WHEN left(canonical, 1) = E'\\x01' THEN substr(canonical, 2) ELSE canonical END`;
