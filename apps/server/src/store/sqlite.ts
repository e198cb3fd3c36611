import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync as DatabaseSyncType, StatementSync } from "node:sqlite";
import {
  StoreError,
  type AppendBatch,
  type AppendOutcome,
  type Credential,
  type CredentialKind,
  type EventQuery,
  type EventVerdict,
  type Membership,
  type MigrationReport,
  type MissionSummary,
  type Project,
  type Role,
  type Store,
  type StoredEvent,
  type Team,
  type User,
  type ViewRow,
} from "./port.ts";
import { canonicalToColumn, toCredential, toEvent, toMission, toTeam, toUser, type Row } from "./rows.ts";

// Loaded as a builtin at run time: bundlers that do not know `node:sqlite` would rewrite its import to a package.
const { DatabaseSync } = process.getBuiltinModule("node:sqlite") as typeof import("node:sqlite");
type DatabaseSync = DatabaseSyncType;

/** The SQLite adapter (ADR-0014): one `node:sqlite` database in WAL mode, `server.db` under the data folder. */
export const SQLITE_FILENAME = "server.db";

/** Hard cap on one page of events. */
export const MAX_PAGE = 1000;

/**
 * Versioned migrations, applied in order inside one transaction each. Never edit a released entry: add one.
 */
const MIGRATIONS: ReadonlyArray<{ readonly version: number; readonly sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE teams (
  id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  is_private INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE users (
  id TEXT PRIMARY KEY, email TEXT NOT NULL, email_key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  password_hash TEXT, created_at INTEGER NOT NULL);
CREATE TABLE memberships (
  team_id TEXT NOT NULL REFERENCES teams(id), user_id TEXT NOT NULL REFERENCES users(id), role TEXT NOT NULL,
  PRIMARY KEY (team_id, user_id));
CREATE INDEX memberships_user ON memberships(user_id);
CREATE TABLE credentials (
  kind TEXT NOT NULL, id TEXT NOT NULL, user_id TEXT, team_id TEXT, session_id TEXT, lookup TEXT,
  data TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER, consumed_at INTEGER, revoked_at INTEGER,
  PRIMARY KEY (kind, id));
CREATE INDEX credentials_lookup ON credentials(kind, lookup);
CREATE INDEX credentials_session ON credentials(session_id);
CREATE TABLE projects (
  project_uuid TEXT PRIMARY KEY, team_id TEXT NOT NULL, project_slug TEXT, first_seen_at INTEGER NOT NULL);
CREATE INDEX projects_team ON projects(team_id);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  team_id TEXT NOT NULL, event_id TEXT NOT NULL, raw_event_id TEXT NOT NULL, event_type TEXT NOT NULL,
  project_uuid TEXT, mission_key TEXT, lamport_clock INTEGER, timestamp TEXT, received_at INTEGER NOT NULL,
  raw TEXT NOT NULL, canonical TEXT, verdict TEXT NOT NULL, violations TEXT, source TEXT NOT NULL,
  UNIQUE (team_id, event_id));
CREATE INDEX events_project ON events(team_id, project_uuid, seq);
CREATE INDEX events_mission ON events(team_id, project_uuid, mission_key, seq);
CREATE INDEX events_verdict ON events(team_id, verdict, seq);
CREATE TABLE views (
  team_id TEXT NOT NULL, project_uuid TEXT NOT NULL, mission_key TEXT NOT NULL, kind TEXT NOT NULL,
  last_seq INTEGER NOT NULL, body TEXT NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (team_id, project_uuid, mission_key, kind));
`,
  },
];

export interface SqliteStoreOptions {
  /** Folder holding `server.db` (created when missing), or `":memory:"`. */
  readonly dataDir: string;
  /** How long a writer waits for another process's lock, in ms. */
  readonly busyTimeoutMs?: number;
}

/** Opens (and creates) the SQLite store. Call `migrate()` before use. */
export const openSqliteStore = (options: SqliteStoreOptions): Store => {
  let path = ":memory:";
  if (options.dataDir !== ":memory:") {
    mkdirSync(options.dataDir, { recursive: true });
    path = join(options.dataDir, SQLITE_FILENAME);
  }
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
  // NORMAL in WAL mode: a commit survives a crash of the process (it is in the WAL); only power loss
  // can lose the last transactions.
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  return new SqliteStore(db);
};


class SqliteStore implements Store {
  readonly kind = "sqlite";
  private readonly db: DatabaseSync;
  private readonly stmts = new Map<string, StatementSync>();
  private closed = false;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  private q(sql: string): StatementSync {
    if (this.closed) throw new StoreError("unavailable", "the store is closed");
    let s = this.stmts.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private tx<A>(f: () => A): A {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const a = f();
      this.db.exec("COMMIT");
      return a;
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  async migrate(): Promise<MigrationReport> {
    this.db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
    const from = await this.schemaVersion();
    const applied: Array<number> = [];
    for (const m of MIGRATIONS) {
      this.tx(() => {
        const done = this.q("SELECT 1 FROM schema_migrations WHERE version = ?").get(m.version);
        if (done !== undefined) return;
        this.db.exec(m.sql);
        this.q("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)").run(m.version, Date.now());
        applied.push(m.version);
      });
    }
    return { from, to: await this.schemaVersion(), applied };
  }

  async schemaVersion(): Promise<number> {
    const exists = this.q("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (exists === undefined) return 0;
    const r = this.q("SELECT MAX(version) AS v FROM schema_migrations").get() as Row | undefined;
    return Number(r?.["v"] ?? 0);
  }

  async ping(): Promise<void> {
    this.q("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stmts.clear();
    this.db.close();
  }

  async secret(name: string, generate: () => string): Promise<string> {
    return this.tx(() => {
      const r = this.q("SELECT value FROM secrets WHERE name = ?").get(name) as Row | undefined;
      if (r !== undefined) return String(r["value"]);
      const value = generate();
      this.q("INSERT INTO secrets (name, value) VALUES (?, ?)").run(name, value);
      return value;
    });
  }

  async createTeam(team: Team): Promise<Team> {
    try {
      this.q("INSERT INTO teams (id, slug, name, is_private, created_at) VALUES (?, ?, ?, ?, ?)").run(
        team.id,
        team.slug,
        team.name,
        team.isPrivate ? 1 : 0,
        team.createdAt,
      );
    } catch (e) {
      throw uniqueOr(e, `team '${team.slug}' already exists`);
    }
    return team;
  }

  async teamById(id: string): Promise<Team | undefined> {
    return toTeam(this.q("SELECT * FROM teams WHERE id = ?").get(id) as Row | undefined);
  }

  async teamBySlug(slug: string): Promise<Team | undefined> {
    return toTeam(this.q("SELECT * FROM teams WHERE slug = ?").get(slug) as Row | undefined);
  }

  async createUser(user: User): Promise<User> {
    try {
      this.q("INSERT INTO users (id, email, email_key, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
        user.id,
        user.email,
        user.email.toLowerCase(),
        user.name,
        user.passwordHash,
        user.createdAt,
      );
    } catch (e) {
      throw uniqueOr(e, `user '${user.email}' already exists`);
    }
    return user;
  }

  async userById(id: string): Promise<User | undefined> {
    return toUser(this.q("SELECT * FROM users WHERE id = ?").get(id) as Row | undefined);
  }

  async userByEmail(email: string): Promise<User | undefined> {
    return toUser(this.q("SELECT * FROM users WHERE email_key = ?").get(email.toLowerCase()) as Row | undefined);
  }

  async putMembership(teamId: string, userId: string, role: Role): Promise<void> {
    try {
      this.q(
        "INSERT INTO memberships (team_id, user_id, role) VALUES (?, ?, ?) ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role",
      ).run(teamId, userId, role);
    } catch (e) {
      throw new StoreError("not_found", `team '${teamId}' or user '${userId}' does not exist`, { cause: e });
    }
  }

  async memberships(userId: string): Promise<ReadonlyArray<Membership>> {
    const rows = this.q(
      "SELECT t.*, m.role AS role FROM memberships m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ? ORDER BY t.is_private DESC, t.slug",
    ).all(userId) as Array<Row>;
    return rows.map((r) => ({ team: toTeam(r)!, role: String(r["role"]) as Role }));
  }

  async putCredential(c: Credential): Promise<void> {
    try {
      this.q(
        `INSERT INTO credentials (kind, id, user_id, team_id, session_id, lookup, data, created_at, expires_at, consumed_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        c.kind,
        c.id,
        c.userId,
        c.teamId,
        c.sessionId,
        c.lookup,
        JSON.stringify(c.data),
        c.createdAt,
        c.expiresAt,
        c.consumedAt,
        c.revokedAt,
      );
    } catch (e) {
      throw uniqueOr(e, `credential already exists`);
    }
  }

  async credential(kind: CredentialKind, id: string): Promise<Credential | undefined> {
    return toCredential(this.q("SELECT * FROM credentials WHERE kind = ? AND id = ?").get(kind, id) as Row | undefined);
  }

  async credentialByLookup(kind: CredentialKind, lookup: string): Promise<Credential | undefined> {
    return toCredential(
      this.q("SELECT * FROM credentials WHERE kind = ? AND lookup = ? ORDER BY created_at DESC LIMIT 1").get(kind, lookup) as
        | Row
        | undefined,
    );
  }

  async consumeCredential(kind: CredentialKind, id: string, now: number): Promise<Credential | undefined> {
    return this.tx(() => {
      const c = toCredential(this.q("SELECT * FROM credentials WHERE kind = ? AND id = ?").get(kind, id) as Row | undefined);
      if (c === undefined || c.consumedAt !== null || c.revokedAt !== null) return undefined;
      if (c.expiresAt !== null && c.expiresAt <= now) return undefined;
      this.q("UPDATE credentials SET consumed_at = ? WHERE kind = ? AND id = ?").run(now, kind, id);
      return c;
    });
  }

  async updateCredentialData(kind: CredentialKind, id: string, data: Readonly<Record<string, unknown>>): Promise<boolean> {
    const r = this.q("UPDATE credentials SET data = ? WHERE kind = ? AND id = ?").run(JSON.stringify(data), kind, id);
    return Number(r.changes) > 0;
  }

  async revokeCredential(kind: CredentialKind, id: string, now: number): Promise<number> {
    const r = this.q("UPDATE credentials SET revoked_at = ? WHERE kind = ? AND id = ? AND revoked_at IS NULL").run(now, kind, id);
    return Number(r.changes);
  }

  async revokeSession(sessionId: string, now: number): Promise<number> {
    const r = this.q("UPDATE credentials SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL").run(now, sessionId);
    return Number(r.changes);
  }

  async appendBatch(batch: AppendBatch): Promise<ReadonlyArray<AppendOutcome>> {
    return this.tx(() => {
      const owners = new Map<string, string>();
      const claim = this.q("INSERT OR IGNORE INTO projects (project_uuid, team_id, project_slug, first_seen_at) VALUES (?, ?, ?, ?)");
      const owner = this.q("SELECT team_id FROM projects WHERE project_uuid = ?");
      const insert = this.q(
        `INSERT INTO events (team_id, event_id, raw_event_id, event_type, project_uuid, mission_key, lamport_clock,
           timestamp, received_at, raw, canonical, verdict, violations, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (team_id, event_id) DO NOTHING`,
      );
      const existing = this.q("SELECT seq, verdict FROM events WHERE team_id = ? AND event_id = ?");
      const out: Array<AppendOutcome> = [];
      for (const item of batch.items) {
        if (item.projectUuid !== null) {
          let o = owners.get(item.projectUuid);
          if (o === undefined) {
            claim.run(item.projectUuid, batch.teamId, projectSlugOf(item.raw), batch.receivedAt);
            o = String((owner.get(item.projectUuid) as Row)["team_id"]);
            owners.set(item.projectUuid, o);
          }
          if (o !== batch.teamId) {
            out.push({ kind: "project_refused" });
            continue;
          }
        }
        // `seq` is the rowid: read it from the statement's result. (`RETURNING seq` made each insert about six
        // times as expensive with the table's four indexes; docs/benchmarks.md.)
        const r = insert.run(
          batch.teamId,
          item.eventId,
          item.rawEventId,
          item.eventType,
          item.projectUuid,
          item.missionKey,
          item.lamportClock,
          item.timestamp,
          batch.receivedAt,
          item.raw,
          canonicalToColumn(item.raw, item.canonical),
          item.verdict,
          item.violations,
          item.source,
        );
        if (Number(r.changes) === 1) {
          out.push({ kind: "stored", seq: Number(r.lastInsertRowid), verdict: item.verdict });
        } else {
          const e = existing.get(batch.teamId, item.eventId) as Row;
          out.push({ kind: "duplicate", seq: Number(e["seq"]), verdict: String(e["verdict"]) as EventVerdict });
        }
      }
      return out;
    });
  }

  async eventById(teamId: string, eventId: string): Promise<StoredEvent | undefined> {
    return toEvent(this.q("SELECT * FROM events WHERE team_id = ? AND event_id = ?").get(teamId, eventId) as Row | undefined);
  }

  async readEvents(query: EventQuery): Promise<ReadonlyArray<StoredEvent>> {
    const where: Array<string> = ["team_id = ?", "seq > ?"];
    const args: Array<string | number> = [query.teamId, query.afterSeq ?? 0];
    if (query.projectUuid !== undefined) {
      where.push("project_uuid = ?");
      args.push(query.projectUuid);
    }
    if (query.missionKey !== undefined) {
      where.push("mission_key = ?");
      args.push(query.missionKey);
    }
    if (query.verdict !== undefined) {
      where.push("verdict = ?");
      args.push(query.verdict);
    }
    args.push(Math.max(0, Math.min(MAX_PAGE, Math.trunc(query.limit))));
    const rows = this.q(`SELECT * FROM events WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ?`).all(...args) as Array<Row>;
    return rows.map((r) => toEvent(r)!);
  }

  async projectOwner(projectUuid: string): Promise<string | undefined> {
    const r = this.q("SELECT team_id FROM projects WHERE project_uuid = ?").get(projectUuid) as Row | undefined;
    return r === undefined ? undefined : String(r["team_id"]);
  }

  async projects(teamId: string): Promise<ReadonlyArray<Project>> {
    const rows = this.q(
      `SELECT p.project_uuid, p.team_id, p.project_slug, p.first_seen_at,
              (SELECT COUNT(*) FROM events e WHERE e.team_id = p.team_id AND e.project_uuid = p.project_uuid) AS n,
              (SELECT COALESCE(MAX(seq), 0) FROM events e WHERE e.team_id = p.team_id AND e.project_uuid = p.project_uuid) AS last
       FROM projects p WHERE p.team_id = ? ORDER BY p.first_seen_at, p.project_uuid`,
    ).all(teamId) as Array<Row>;
    return rows.map((r) => ({
      teamId: String(r["team_id"]),
      projectUuid: String(r["project_uuid"]),
      projectSlug: r["project_slug"] === null ? null : String(r["project_slug"]),
      firstSeenAt: Number(r["first_seen_at"]),
      eventCount: Number(r["n"]),
      lastSeq: Number(r["last"]),
    }));
  }

  async missions(teamId: string, projectUuid: string): Promise<ReadonlyArray<MissionSummary>> {
    const rows = this.q(
      `SELECT team_id, project_uuid, mission_key, COUNT(*) AS n, MAX(seq) AS last FROM events
       WHERE team_id = ? AND project_uuid = ? AND verdict = 'valid' AND mission_key IS NOT NULL
       GROUP BY mission_key ORDER BY mission_key`,
    ).all(teamId, projectUuid) as Array<Row>;
    return rows.map(toMission);
  }

  async allMissions(): Promise<ReadonlyArray<MissionSummary>> {
    const rows = this.q(
      `SELECT team_id, project_uuid, mission_key, COUNT(*) AS n, MAX(seq) AS last FROM events
       WHERE verdict = 'valid' AND mission_key IS NOT NULL AND project_uuid IS NOT NULL
       GROUP BY team_id, project_uuid, mission_key ORDER BY team_id, project_uuid, mission_key`,
    ).all() as Array<Row>;
    return rows.map(toMission);
  }

  async putViews(rows: ReadonlyArray<ViewRow>): Promise<void> {
    if (rows.length === 0) return;
    this.tx(() => {
      const put = this.q(
        `INSERT INTO views (team_id, project_uuid, mission_key, kind, last_seq, body, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (team_id, project_uuid, mission_key, kind)
         DO UPDATE SET last_seq = excluded.last_seq, body = excluded.body, updated_at = excluded.updated_at`,
      );
      for (const v of rows) put.run(v.teamId, v.projectUuid, v.missionKey, v.kind, v.lastSeq, v.body, v.updatedAt);
    });
  }

  async views(teamId: string, projectUuid: string, missionKey: string): Promise<ReadonlyArray<ViewRow>> {
    const rows = this.q(
      "SELECT * FROM views WHERE team_id = ? AND project_uuid = ? AND mission_key = ? ORDER BY kind",
    ).all(teamId, projectUuid, missionKey) as Array<Row>;
    return rows.map((r) => ({
      teamId: String(r["team_id"]),
      projectUuid: String(r["project_uuid"]),
      missionKey: String(r["mission_key"]),
      kind: String(r["kind"]),
      lastSeq: Number(r["last_seq"]),
      body: String(r["body"]),
      updatedAt: Number(r["updated_at"]),
    }));
  }

  async clearViews(): Promise<void> {
    this.q("DELETE FROM views").run();
  }
}

const uniqueOr = (e: unknown, message: string): StoreError =>
  e instanceof Error && /UNIQUE constraint failed/.test(e.message)
    ? new StoreError("conflict", message, { cause: e })
    : new StoreError("invalid", e instanceof Error ? e.message : String(e), { cause: e });

const projectSlugOf = (raw: string): string | null => {
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    return typeof o["project_slug"] === "string" ? o["project_slug"] : null;
  } catch {
    return null;
  }
};
