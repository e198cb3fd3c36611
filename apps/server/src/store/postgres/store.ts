/**
 * The PostgreSQL adapter of the storage port (ADR-0014, ADR-0015), selected by `--database-url postgres://…`.
 * Several server processes can share one database: migrations take an advisory lock, secrets are created once, and
 * every batch is one transaction that holds its team's append lock, so a team's `seq` values are assigned and
 * committed in the same order (a reader paging with `afterSeq` never misses a row that commits later).
 *
 * Text is compared and ordered with the "C" collation, byte order, as the SQLite adapter does, whatever the
 * database's default collation is.
 */
import type pg from "pg";
import {
  StoreError,
  type AppendBatch,
  type AppendItem,
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
} from "../port.ts";
import { migrate, schemaVersion } from "./migrations.ts";
import { connect, inTransaction, openPool, PgStoreError, redact, type PgPoolOptions } from "./pool.ts";
import { canonicalToColumn, str, toCredential, toEvent, toMission, toTeam, toUser, type Row } from "../rows.ts";

/** Hard cap on one page of events (the same as the SQLite adapter's). */
export const MAX_PAGE = 1000;

export interface PostgresStoreOptions extends PgPoolOptions {}

/** Opens a pool on the database; call `migrate()` before use (`openStore` does). */
export const openPostgresStore = (options: PostgresStoreOptions): PostgresStore => new PostgresStore(openPool(options), options.url);


export class PostgresStore implements Store {
  readonly kind = "postgres";
  readonly pool: pg.Pool;
  private readonly url: string;
  private closed = false;

  constructor(pool: pg.Pool, url: string) {
    this.pool = pool;
    this.url = url;
  }

  async migrate(): Promise<MigrationReport> {
    return this.guard(() => migrate(this.pool));
  }

  async schemaVersion(): Promise<number> {
    return this.guard(() => schemaVersion(this.pool));
  }

  async ping(): Promise<void> {
    await this.query("SELECT 1");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  async secret(name: string, generate: () => string): Promise<string> {
    const found = await this.query("SELECT value FROM secrets WHERE name = $1", [name]);
    if (found[0] !== undefined) return String(found[0]["value"]);
    // Two processes may both miss it: the first insert wins and both read the winner back.
    await this.query("INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [name, generate()]);
    const rows = await this.query("SELECT value FROM secrets WHERE name = $1", [name]);
    return String(rows[0]?.["value"]);
  }

  // --- teams, users, memberships ---

  async createTeam(team: Team): Promise<Team> {
    await this.query(
      "INSERT INTO teams (id, slug, name, is_private, created_at) VALUES ($1, $2, $3, $4, $5)",
      [team.id, team.slug, team.name, team.isPrivate, team.createdAt],
      { conflict: `team '${team.slug}' already exists` },
    );
    return team;
  }

  async teamById(id: string): Promise<Team | undefined> {
    return toTeam((await this.query("SELECT * FROM teams WHERE id = $1", [id]))[0]);
  }

  async teamBySlug(slug: string): Promise<Team | undefined> {
    return toTeam((await this.query("SELECT * FROM teams WHERE slug = $1", [slug]))[0]);
  }

  async createUser(user: User): Promise<User> {
    await this.query(
      "INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
      [user.id, user.email, user.name, user.passwordHash, user.createdAt],
      { conflict: `user '${user.email}' already exists` },
    );
    return user;
  }

  async userById(id: string): Promise<User | undefined> {
    return toUser((await this.query("SELECT * FROM users WHERE id = $1", [id]))[0]);
  }

  async userByEmail(email: string): Promise<User | undefined> {
    return toUser((await this.query("SELECT * FROM users WHERE lower(email) = lower($1)", [email]))[0]);
  }

  async putMembership(teamId: string, userId: string, role: Role): Promise<void> {
    await this.query(
      `INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role`,
      [teamId, userId, role],
      { missing: `team '${teamId}' or user '${userId}' does not exist` },
    );
  }

  async memberships(userId: string): Promise<ReadonlyArray<Membership>> {
    const rows = await this.query(
      `SELECT t.*, m.role AS role FROM memberships m JOIN teams t ON t.id = m.team_id
       WHERE m.user_id = $1 ORDER BY t.is_private DESC, t.slug COLLATE "C"`,
      [userId],
    );
    return rows.map((r) => ({ team: toTeam(r)!, role: String(r["role"]) as Role }));
  }

  // --- credentials ---

  async putCredential(c: Credential): Promise<void> {
    await this.query(
      `INSERT INTO credentials (kind, id, user_id, team_id, session_id, lookup, data, created_at, expires_at, consumed_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [c.kind, c.id, c.userId, c.teamId, c.sessionId, c.lookup, JSON.stringify(c.data), c.createdAt, c.expiresAt, c.consumedAt, c.revokedAt],
      { conflict: "credential already exists" },
    );
  }

  async credential(kind: CredentialKind, id: string): Promise<Credential | undefined> {
    return toCredential((await this.query("SELECT * FROM credentials WHERE kind = $1 AND id = $2", [kind, id]))[0]);
  }

  async credentialByLookup(kind: CredentialKind, lookup: string): Promise<Credential | undefined> {
    const rows = await this.query(
      "SELECT * FROM credentials WHERE kind = $1 AND lookup = $2 ORDER BY created_at DESC LIMIT 1",
      [kind, lookup],
    );
    return toCredential(rows[0]);
  }

  async consumeCredential(kind: CredentialKind, id: string, now: number): Promise<Credential | undefined> {
    // One conditional UPDATE: the row lock makes exactly one concurrent caller (in any process) see its row.
    const rows = await this.query(
      `UPDATE credentials SET consumed_at = $3
       WHERE kind = $1 AND id = $2 AND consumed_at IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)
       RETURNING *`,
      [kind, id, now],
    );
    const consumed = toCredential(rows[0]);
    return consumed === undefined ? undefined : { ...consumed, consumedAt: null };
  }

  async updateCredentialData(kind: CredentialKind, id: string, data: Readonly<Record<string, unknown>>): Promise<boolean> {
    const result = await this.exec("UPDATE credentials SET data = $3 WHERE kind = $1 AND id = $2", [kind, id, JSON.stringify(data)]);
    return result > 0;
  }

  async revokeCredential(kind: CredentialKind, id: string, now: number): Promise<number> {
    return this.exec("UPDATE credentials SET revoked_at = $3 WHERE kind = $1 AND id = $2 AND revoked_at IS NULL", [kind, id, now]);
  }

  async revokeSession(sessionId: string, now: number): Promise<number> {
    return this.exec("UPDATE credentials SET revoked_at = $2 WHERE session_id = $1 AND revoked_at IS NULL", [sessionId, now]);
  }

  // --- events ---

  async appendBatch(batch: AppendBatch): Promise<ReadonlyArray<AppendOutcome>> {
    batch.items.forEach(checkStorable);
    return this.guard(() => inTransaction(this.pool, (client) => appendInTransaction(client, batch)));
  }

  async eventById(teamId: string, eventId: string): Promise<StoredEvent | undefined> {
    return toEvent((await this.query("SELECT * FROM events WHERE team_id = $1 AND event_id = $2", [teamId, eventId]))[0]);
  }

  async readEvents(query: EventQuery): Promise<ReadonlyArray<StoredEvent>> {
    const where = ["team_id = $1", "seq > $2"];
    const args: Array<string | number> = [query.teamId, query.afterSeq ?? 0];
    if (query.projectUuid !== undefined) {
      args.push(query.projectUuid);
      where.push(`project_uuid = $${args.length}`);
    }
    if (query.missionKey !== undefined) {
      args.push(query.missionKey);
      where.push(`mission_key = $${args.length}`);
    }
    if (query.verdict !== undefined) {
      args.push(query.verdict);
      where.push(`verdict = $${args.length}`);
    }
    args.push(Math.max(0, Math.min(MAX_PAGE, Math.trunc(query.limit))));
    const rows = await this.query(`SELECT * FROM events WHERE ${where.join(" AND ")} ORDER BY seq LIMIT $${args.length}`, args);
    return rows.map((r) => toEvent(r)!);
  }

  async projectOwner(projectUuid: string): Promise<string | undefined> {
    const rows = await this.query("SELECT team_id FROM projects WHERE project_uuid = $1", [projectUuid]);
    return rows[0] === undefined ? undefined : String(rows[0]["team_id"]);
  }

  async projects(teamId: string): Promise<ReadonlyArray<Project>> {
    const rows = await this.query(
      `SELECT * FROM projects WHERE team_id = $1 ORDER BY first_seen_at, project_uuid COLLATE "C"`,
      [teamId],
    );
    return rows.map((r) => ({
      teamId: String(r["team_id"]),
      projectUuid: String(r["project_uuid"]),
      projectSlug: str(r["project_slug"]),
      firstSeenAt: Number(r["first_seen_at"]),
      eventCount: Number(r["event_count"]),
      lastSeq: Number(r["last_seq"]),
    }));
  }

  async missions(teamId: string, projectUuid: string): Promise<ReadonlyArray<MissionSummary>> {
    const rows = await this.query(
      `SELECT team_id, project_uuid, mission_key, count(*) AS n, max(seq) AS last FROM events
       WHERE team_id = $1 AND project_uuid = $2 AND verdict = 'valid' AND mission_key IS NOT NULL
       GROUP BY team_id, project_uuid, mission_key ORDER BY mission_key COLLATE "C"`,
      [teamId, projectUuid],
    );
    return rows.map(toMission);
  }

  async allMissions(): Promise<ReadonlyArray<MissionSummary>> {
    const rows = await this.query(
      `SELECT team_id, project_uuid, mission_key, count(*) AS n, max(seq) AS last FROM events
       WHERE verdict = 'valid' AND mission_key IS NOT NULL AND project_uuid IS NOT NULL
       GROUP BY team_id, project_uuid, mission_key
       ORDER BY team_id COLLATE "C", project_uuid COLLATE "C", mission_key COLLATE "C"`,
    );
    return rows.map(toMission);
  }

  // --- views ---

  async putViews(rows: ReadonlyArray<ViewRow>): Promise<void> {
    if (rows.length === 0) return;
    // Later rows for the same key win, as they would with one upsert per row.
    const latest = new Map<string, ViewRow>();
    for (const v of rows) latest.set(JSON.stringify([v.teamId, v.projectUuid, v.missionKey, v.kind]), v);
    const vs = [...latest.values()];
    await this.query(
      `INSERT INTO views (team_id, project_uuid, mission_key, kind, last_seq, body, updated_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[])
       ON CONFLICT (team_id, project_uuid, mission_key, kind)
       DO UPDATE SET last_seq = excluded.last_seq, body = excluded.body, updated_at = excluded.updated_at`,
      [
        vs.map((v) => v.teamId),
        vs.map((v) => v.projectUuid),
        vs.map((v) => v.missionKey),
        vs.map((v) => v.kind),
        vs.map((v) => v.lastSeq),
        vs.map((v) => v.body),
        vs.map((v) => v.updatedAt),
      ],
    );
  }

  async views(teamId: string, projectUuid: string, missionKey: string): Promise<ReadonlyArray<ViewRow>> {
    const rows = await this.query(
      `SELECT * FROM views WHERE team_id = $1 AND project_uuid = $2 AND mission_key = $3 ORDER BY kind COLLATE "C"`,
      [teamId, projectUuid, missionKey],
    );
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
    await this.exec("DELETE FROM views", []);
  }

  // --- plumbing ---

  private async query(sql: string, args: ReadonlyArray<unknown> = [], messages: ErrorMessages = {}): Promise<Array<Row>> {
    return this.guard(async () => {
      const client = await connect(this.pool);
      try {
        return (await client.query<Row>(sql, args as Array<unknown>)).rows;
      } finally {
        client.release();
      }
    }, messages);
  }

  private async exec(sql: string, args: ReadonlyArray<unknown>): Promise<number> {
    return this.guard(async () => (await this.pool.query(sql, args as Array<unknown>)).rowCount ?? 0);
  }

  /** Runs a database call, turning driver and server errors into `StoreError`s with the port's codes. */
  private async guard<A>(body: () => Promise<A>, messages: ErrorMessages = {}): Promise<A> {
    if (this.closed) throw new StoreError("unavailable", "the store is closed");
    try {
      return await body();
    } catch (error) {
      throw toStoreError(error, messages, this.url);
    }
  }
}

interface ErrorMessages {
  readonly conflict?: string;
  readonly missing?: string;
}

/**
 * One batch, inside its transaction. The team's append lock serialises this team's batches across every process:
 * seq values are then handed out and committed in one order per team, and duplicates inside concurrent batches of
 * one team resolve to the first committed copy. Projects are claimed in sorted order so two teams claiming the same
 * projects cannot deadlock.
 */
const appendInTransaction = async (client: pg.PoolClient, batch: AppendBatch): Promise<ReadonlyArray<AppendOutcome>> => {
  const team = batch.teamId;
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`spec-kitty-server:append:${team}`]);

  const slugs = new Map<string, string | null>();
  for (const item of batch.items) {
    if (item.projectUuid !== null && !slugs.has(item.projectUuid)) slugs.set(item.projectUuid, projectSlugOf(item.raw));
  }
  const owners = new Map<string, string>();
  if (slugs.size > 0) {
    const uuids = [...slugs.keys()].sort();
    await client.query(
      `INSERT INTO projects (project_uuid, team_id, project_slug, first_seen_at)
       SELECT u.project_uuid, $1, u.project_slug, $2 FROM unnest($3::text[], $4::text[]) AS u(project_uuid, project_slug)
       ON CONFLICT (project_uuid) DO NOTHING`,
      [team, batch.receivedAt, uuids, uuids.map((u) => slugs.get(u) ?? null)],
    );
    const rows = await client.query<{ project_uuid: string; team_id: string }>(
      "SELECT project_uuid, team_id FROM projects WHERE project_uuid = ANY($1::text[])",
      [uuids],
    );
    for (const r of rows.rows) owners.set(r.project_uuid, r.team_id);
  }

  // Per item: refused, a candidate for insertion, or a repeat of an earlier candidate of this batch.
  const plan: Array<{ readonly kind: "refused" } | { readonly kind: "candidate" | "repeat"; readonly eventId: string }> = [];
  const candidates: Array<AppendItem> = [];
  const seen = new Set<string>();
  for (const item of batch.items) {
    if (item.projectUuid !== null && owners.get(item.projectUuid) !== team) {
      plan.push({ kind: "refused" });
    } else if (seen.has(item.eventId)) {
      plan.push({ kind: "repeat", eventId: item.eventId });
    } else {
      seen.add(item.eventId);
      candidates.push(item);
      plan.push({ kind: "candidate", eventId: item.eventId });
    }
  }

  const stored = new Map<string, { seq: number; verdict: EventVerdict }>();
  const earlier = new Map<string, { seq: number; verdict: EventVerdict }>();
  if (candidates.length > 0) {
    // `canonical` as stored: a mark when it equals `raw` (rows.ts).
    const columns = candidates.map((c) => ({ ...c, canonical: canonicalToColumn(c.raw, c.canonical) }));
    const col = <K extends keyof AppendItem>(key: K) => columns.map((c) => c[key]);
    const joined = packJsonColumns(columns);
    const jsonColumn = (n: number) => (joined === undefined ? `$${n}::text[]` : `string_to_array($${n}::text, E'\\x1e', E'\\x1f')`);
    const inserted = await client.query<{ event_id: string; seq: number; verdict: EventVerdict }>(
      `INSERT INTO events (team_id, event_id, raw_event_id, event_type, project_uuid, mission_key, lamport_clock,
                          "timestamp", received_at, raw, canonical, verdict, violations, source)
       SELECT $1, u.event_id, u.raw_event_id, u.event_type, u.project_uuid, u.mission_key, u.lamport_clock,
              u.ts, $2, u.raw, u.canonical, u.verdict, u.violations, u.source
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], ${jsonColumn(10)},
                   ${jsonColumn(11)}, $12::text[], ${jsonColumn(13)}, $14::text[])
            WITH ORDINALITY AS u(event_id, raw_event_id, event_type, project_uuid, mission_key, lamport_clock, ts, raw,
                                 canonical, verdict, violations, source, ord)
       ORDER BY u.ord
       ON CONFLICT (team_id, event_id) DO NOTHING
       RETURNING event_id, seq, verdict`,
      [
        team,
        batch.receivedAt,
        col("eventId"),
        col("rawEventId"),
        col("eventType"),
        col("projectUuid"),
        col("missionKey"),
        col("lamportClock"),
        col("timestamp"),
        joined?.raw ?? col("raw"),
        joined?.canonical ?? col("canonical"),
        col("verdict"),
        joined?.violations ?? col("violations"),
        col("source"),
      ],
    );
    for (const r of inserted.rows) stored.set(r.event_id, { seq: r.seq, verdict: r.verdict });
    const missing = candidates.filter((c) => !stored.has(c.eventId)).map((c) => c.eventId);
    if (missing.length > 0) {
      const rows = await client.query<{ event_id: string; seq: number; verdict: EventVerdict }>(
        "SELECT event_id, seq, verdict FROM events WHERE team_id = $1 AND event_id = ANY($2::text[])",
        [team, missing],
      );
      for (const r of rows.rows) earlier.set(r.event_id, { seq: r.seq, verdict: r.verdict });
    }
  }

  // Running totals of the team's projects.
  const totals = new Map<string, { n: number; last: number }>();
  for (const item of candidates) {
    const s = stored.get(item.eventId);
    if (s === undefined || item.projectUuid === null) continue;
    const t = totals.get(item.projectUuid) ?? { n: 0, last: 0 };
    totals.set(item.projectUuid, { n: t.n + 1, last: Math.max(t.last, s.seq) });
  }
  if (totals.size > 0) {
    const uuids = [...totals.keys()].sort();
    await client.query(
      `UPDATE projects p SET event_count = p.event_count + u.n, last_seq = greatest(p.last_seq, u.last)
       FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(project_uuid, n, last)
       WHERE p.project_uuid = u.project_uuid`,
      [uuids, uuids.map((u) => totals.get(u)!.n), uuids.map((u) => totals.get(u)!.last)],
    );
  }

  return plan.map((p): AppendOutcome => {
    if (p.kind === "refused") return { kind: "project_refused" };
    const s = stored.get(p.eventId);
    if (p.kind === "candidate" && s !== undefined) return { kind: "stored", seq: s.seq, verdict: s.verdict };
    const first = s ?? earlier.get(p.eventId);
    if (first === undefined) {
      throw new StoreError("invalid", `event '${p.eventId}' was neither stored nor found: the events table changed under the batch`);
    }
    return { kind: "duplicate", seq: first.seq, verdict: first.verdict };
  });
};

/** Separates the values of a packed JSON column; valid JSON text never holds an unescaped control character. */
const RECORD_SEPARATOR = "\u001e";
/** Stands for NULL in a packed JSON column. */
const NULL_MARK = "\u001f";

/**
 * The big columns (raw, canonical, violations: JSON text, about a kilobyte per event) packed into one string each,
 * split again by the server with `string_to_array`. This spares the driver escaping every quote of every envelope
 * into an array literal, and the server parsing it back, which is most of the client's work on a batch. Falls back
 * to plain arrays (undefined) when a value is empty or holds one of the two control characters used here.
 */
const packJsonColumns = (
  items: ReadonlyArray<AppendItem>,
): { readonly raw: string; readonly canonical: string; readonly violations: string } | undefined => {
  const packable = (v: string | null): boolean => v === null || (v !== "" && !v.includes(RECORD_SEPARATOR) && !v.includes(NULL_MARK));
  for (const item of items) {
    if (!packable(item.raw) || !packable(item.canonical) || !packable(item.violations)) return undefined;
  }
  const pack = (values: ReadonlyArray<string | null>): string => values.map((v) => v ?? NULL_MARK).join(RECORD_SEPARATOR);
  return {
    raw: pack(items.map((i) => i.raw)),
    canonical: pack(items.map((i) => i.canonical)),
    violations: pack(items.map((i) => i.violations)),
  };
};

/** PostgreSQL text cannot hold U+0000; say which event and field instead of failing the batch with a driver error. */
const checkStorable = (item: AppendItem): void => {
  const fields: ReadonlyArray<keyof AppendItem> = [
    "eventId",
    "rawEventId",
    "eventType",
    "projectUuid",
    "missionKey",
    "timestamp",
    "raw",
    "canonical",
    "violations",
  ];
  for (const field of fields) {
    const value = item[field];
    if (typeof value === "string" && value.includes("\u0000")) {
      throw new StoreError("invalid", `event '${item.rawEventId.replaceAll("\u0000", "\\u0000")}': ${field} contains U+0000, which PostgreSQL text cannot store`);
    }
  }
};

/** SQLSTATE classes and driver errors that mean "the database is not reachable now", answered with 503. */
const isUnavailable = (error: unknown): boolean => {
  if (error instanceof PgStoreError) return error.code === "PG_CONNECT";
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  if (/^(08|53|57P)/.test(code) || code === "57014") return true;
  if (/^E(CONNREFUSED|CONNRESET|HOSTUNREACH|NETUNREACH|PIPE|TIMEDOUT|AI_AGAIN)$|^ENOTFOUND$/.test(code)) return true;
  const message = typeof e.message === "string" ? e.message : "";
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    message,
  );
};

const toStoreError = (error: unknown, messages: ErrorMessages, url: string): StoreError => {
  if (error instanceof StoreError) return error;
  const e = error as { code?: unknown; message?: unknown; detail?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  const message = typeof e.message === "string" ? e.message : String(error);
  if (code === "23505") return new StoreError("conflict", messages.conflict ?? message, { cause: error });
  if (code === "23503") return new StoreError("not_found", messages.missing ?? message, { cause: error });
  if (isUnavailable(error)) return new StoreError("unavailable", `PostgreSQL at ${redact(url)} is unavailable: ${message}`, { cause: error });
  return new StoreError("invalid", message, { cause: error });
};

const projectSlugOf = (raw: string): string | null => {
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    return typeof o["project_slug"] === "string" ? o["project_slug"] : null;
  } catch {
    return null;
  }
};
