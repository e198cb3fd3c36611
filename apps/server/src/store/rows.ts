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
        canonical: str(r["canonical"]),
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
