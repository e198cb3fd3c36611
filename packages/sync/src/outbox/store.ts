import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { outboxPath, rescuePath } from "../paths.ts";
import { classifySqliteError, OutboxError } from "./errors.ts";
import type {
  BatchLimits,
  CaptureInput,
  CaptureReceipt,
  DeliveryOutcome,
  GcReceipt,
  OutboxEvent,
  OutboxStats,
  ParkedEvent,
  ProjectCounters,
  RecordReceipt,
  TargetCounters,
} from "./types.ts";

/** Version of the outbox schema written in `meta.schema_version`. A newer version is refused, not guessed. */
export const OUTBOX_SCHEMA_VERSION = 1;

/** Default batch limits: the reference's 1000 events and its 256 KiB decompressed budget with 0.9 safety. */
export const DEFAULT_MAX_EVENTS = 1000;
export const DEFAULT_MAX_BYTES = Math.floor(262_144 * 0.9);

/** `sync status` warns when this many events wait to leave the machine (nothing is ever dropped). */
export const UNDELIVERED_WARNING_THRESHOLD = 10_000;

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** The key of a delivery target: the server URL without trailing slashes, `|`, the team slug. */
export const targetKey = (serverUrl: string, teamSlug: string): string => `${serverUrl.replace(/\/+$/, "")}|${teamSlug}`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clock (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL CHECK (value >= 0));
INSERT OR IGNORE INTO clock (id, value) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  project_uuid TEXT,
  repo_root TEXT,
  event_type TEXT NOT NULL,
  lamport INTEGER NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('capture', 'legacy-queue')),
  envelope TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  captured_at INTEGER NOT NULL,
  blocked_reason TEXT,
  parked_reason TEXT,
  violations TEXT,
  unvalidated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_unvalidated ON events (seq) WHERE unvalidated = 1;
CREATE UNIQUE INDEX IF NOT EXISTS events_capture_lamport ON events (lamport) WHERE origin = 'capture';
CREATE INDEX IF NOT EXISTS events_project ON events (project_uuid, seq);
CREATE INDEX IF NOT EXISTS events_unidentified ON events (repo_root) WHERE project_uuid IS NULL;
CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
  target TEXT NOT NULL,
  project_uuid TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('retry', 'delivered', 'duplicate', 'parked')),
  attempts INTEGER NOT NULL,
  reason TEXT,
  first_attempt_at INTEGER NOT NULL,
  last_attempt_at INTEGER NOT NULL,
  next_attempt_at INTEGER,
  settled_at INTEGER,
  PRIMARY KEY (seq, target)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_target ON deliveries (project_uuid, target, state);
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
  target TEXT NOT NULL,
  at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT
);
CREATE INDEX IF NOT EXISTS attempts_seq ON attempts (seq);
CREATE TABLE IF NOT EXISTS targets (
  project_uuid TEXT NOT NULL,
  target TEXT NOT NULL,
  last_attempt_at INTEGER,
  last_success_at INTEGER,
  last_error TEXT,
  last_error_at INTEGER,
  PRIMARY KEY (project_uuid, target)
) WITHOUT ROWID;
`;

export interface OpenOptions {
  /** How long a statement waits for another process's write lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** The clock for `captured_at` and ledger times (default Date.now). */
  readonly now?: () => number;
}

type Row = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const strOrNull = (v: unknown): string | null => (typeof v === "string" ? v : null);

/**
 * The durable outbox: one SQLite database (WAL) under the runtime root holding every captured event, the
 * Lamport clock and the per-target delivery ledger. Synchronous by design: `capture` is durable when it returns.
 * Delivery reaches a project's events only through `project(uuid)`, whose every statement is scoped to it.
 */
export class OutboxStore {
  readonly path: string;
  readonly root: string;
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #stmts = new Map<string, StatementSync>();

  private constructor(root: string, path: string, db: DatabaseSync, now: () => number) {
    this.root = root;
    this.path = path;
    this.#db = db;
    this.#now = now;
  }

  /** Opens (creating when missing) the outbox of a runtime root. Throws an `OutboxError`. */
  static open(root: string, options: OpenOptions = {}): OutboxStore {
    const path = outboxPath(root);
    let db: DatabaseSync;
    try {
      mkdirSync(dirname(path), { recursive: true });
      db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    } catch (error) {
      throw classifySqliteError(path, error, "opening it");
    }
    try {
      const mode = db.prepare("PRAGMA journal_mode = WAL").get() as Row | undefined;
      if (mode?.["journal_mode"] !== "wal") {
        throw new OutboxError("OUTBOX_UNAVAILABLE", path, `the outbox ${path} cannot use write-ahead logging (journal mode ${String(mode?.["journal_mode"])})`);
      }
      db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
      const store = new OutboxStore(root, path, db, options.now ?? Date.now);
      store.#migrate();
      store.#ingestRescue();
      return store;
    } catch (error) {
      try {
        db.close();
      } catch {
        // already failing; the first error is the one to report
      }
      throw classifySqliteError(path, error, "opening it");
    }
  }

  close(): void {
    try {
      this.#db.close();
    } catch {
      // closing twice is harmless
    }
  }

  #stmt(sql: string): StatementSync {
    let s = this.#stmts.get(sql);
    if (s === undefined) {
      s = this.#db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  #migrate(): void {
    const hasMeta = this.#db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    if (hasMeta !== undefined) {
      const v = this.#db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as Row | undefined;
      const version = Number(v?.["value"]);
      if (version === OUTBOX_SCHEMA_VERSION) return;
      if (version > OUTBOX_SCHEMA_VERSION) {
        throw new OutboxError(
          "OUTBOX_CORRUPT",
          this.path,
          `the outbox ${this.path} has schema version ${version}, newer than this spec-kitty understands (${OUTBOX_SCHEMA_VERSION}); upgrade spec-kitty`,
        );
      }
    }
    this.#tx(() => {
      this.#db.exec(SCHEMA);
      this.#db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(String(OUTBOX_SCHEMA_VERSION));
    });
  }

  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction (the write lock is taken up front, so no upgrade deadlock). */
  #tx<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.#db.exec("COMMIT");
      return out;
    } catch (error) {
      try {
        this.#db.exec("ROLLBACK");
      } catch {
        // the transaction may already be gone
      }
      throw error;
    }
  }

  #guard<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw classifySqliteError(this.path, error, doing);
    }
  }

  // ---------------------------------------------------------------- capture and clock

  /**
   * Captures one event in one transaction: allocates the next Lamport value, stamps it into the envelope and
   * inserts the row. Durable when it returns. An `event_id` already present is not inserted again (the receipt
   * then carries the stored row's values). Throws an `OutboxError`.
   */
  capture(input: CaptureInput): CaptureReceipt {
    return this.#guard(`capturing event ${input.eventId}`, () =>
      this.#tx(() => {
        const existing = this.#stmt("SELECT seq, lamport FROM events WHERE event_id = ?").get(input.eventId) as Row | undefined;
        if (existing !== undefined) return { seq: num(existing["seq"]), eventId: input.eventId, lamport: num(existing["lamport"]) };
        const tick = this.#stmt("UPDATE clock SET value = value + 1 WHERE id = 1 RETURNING value").get() as Row;
        const lamport = num(tick["value"]);
        const envelope = { ...input.envelope, lamport_clock: lamport };
        const json = JSON.stringify(envelope);
        const r = this.#stmt(
          `INSERT INTO events (event_id, project_uuid, repo_root, event_type, lamport, origin, envelope, bytes, captured_at,
             blocked_reason, parked_reason, violations, unvalidated) VALUES (?, ?, ?, ?, ?, 'capture', ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          input.eventId,
          input.projectUuid,
          input.repoRoot,
          input.eventType,
          lamport,
          json,
          Buffer.byteLength(json),
          this.#now(),
          input.blockedReason ?? null,
          input.parkedReason ?? null,
          input.violations ? JSON.stringify(input.violations) : null,
          input.unvalidated === true ? 1 : 0,
        );
        return { seq: num(r.lastInsertRowid), eventId: input.eventId, lamport };
      }),
    );
  }

  /** Inserts an event captured elsewhere (the Python CLI's queue) keeping its own Lamport value; the local
   * clock advances past it. Returns false when the `event_id` is already present. */
  importEvent(input: CaptureInput & { readonly lamport: number; readonly capturedAt: number }): boolean {
    return this.#guard(`importing event ${input.eventId}`, () =>
      this.#tx(() => {
        const json = JSON.stringify(input.envelope);
        const r = this.#stmt(
          `INSERT INTO events (event_id, project_uuid, repo_root, event_type, lamport, origin, envelope, bytes, captured_at,
             blocked_reason, parked_reason, violations) VALUES (?, ?, ?, ?, ?, 'legacy-queue', ?, ?, ?, ?, ?, ?)
           ON CONFLICT (event_id) DO NOTHING`,
        ).run(
          input.eventId,
          input.projectUuid,
          input.repoRoot,
          input.eventType,
          input.lamport,
          json,
          Buffer.byteLength(json),
          input.capturedAt,
          input.blockedReason ?? null,
          input.parkedReason ?? null,
          input.violations ? JSON.stringify(input.violations) : null,
        );
        if (num(r.changes) === 0) return false;
        this.#stmt("UPDATE clock SET value = max(value, ?) WHERE id = 1").run(input.lamport);
        return true;
      }),
    );
  }

  /** The current Lamport value (the last one allocated or received). */
  lamport(): number {
    return this.#guard("reading the clock", () => num((this.#stmt("SELECT value FROM clock WHERE id = 1").get() as Row)["value"]));
  }

  /**
   * Lamport receive: a clock value seen from elsewhere (a server ack or snapshot). The local clock becomes
   * max(local, remote), so the next captured event is stamped above it. Returns the clock after the update.
   */
  receive(remote: number): number {
    if (!Number.isSafeInteger(remote) || remote < 0) return this.lamport();
    return this.#guard("advancing the clock", () =>
      num((this.#stmt("UPDATE clock SET value = max(value, ?) WHERE id = 1 RETURNING value").get(remote) as Row)["value"]),
    );
  }

  // ---------------------------------------------------------------- identity adoption

  /**
   * Gives the events captured in `repoRoot` without a persisted identity their project: sets `project_uuid`,
   * `project_slug` and `build_id` in each envelope and clears `missing_identity`. One transaction; returns the
   * number of events adopted.
   */
  adoptUnidentified(repoRoot: string, identity: { readonly projectUuid: string; readonly projectSlug: string; readonly buildId: string }): number {
    return this.#guard(`adopting the events of ${repoRoot}`, () =>
      this.#tx(() => {
        const r = this.#stmt(
          `UPDATE events SET project_uuid = ?1,
             envelope = json_set(envelope, '$.project_uuid', ?1, '$.project_slug', ?2, '$.build_id', ?3),
             blocked_reason = CASE WHEN blocked_reason = 'missing_identity' THEN NULL ELSE blocked_reason END
           WHERE project_uuid IS NULL AND repo_root = ?4`,
        ).run(identity.projectUuid, identity.projectSlug, identity.buildId, repoRoot);
        this.#stmt("UPDATE events SET bytes = length(CAST(envelope AS BLOB)) WHERE project_uuid = ? AND repo_root = ?").run(identity.projectUuid, repoRoot);
        return num(r.changes);
      }),
    );
  }

  // ---------------------------------------------------------------- deferred validation

  /** Events captured before their validation (oldest first), at most `limit`. */
  unvalidated(limit = 1000): ReadonlyArray<{ readonly eventId: string; readonly projectUuid: string | null; readonly json: string }> {
    return this.#guard("reading events awaiting validation", () =>
      (this.#stmt("SELECT event_id, project_uuid, envelope FROM events WHERE unvalidated = 1 ORDER BY seq LIMIT ?").all(limit) as Row[]).map((r) => ({
        eventId: String(r["event_id"]),
        projectUuid: strOrNull(r["project_uuid"]),
        json: String(r["envelope"]),
      })),
    );
  }

  /** Records verdicts of deferred validation in one transaction: valid events become selectable, invalid ones
   * are parked with their violations. Returns how many were settled. */
  settleValidation(verdicts: ReadonlyArray<{ readonly eventId: string; readonly violations: ReadonlyArray<unknown> }>): number {
    return this.#guard("recording validation verdicts", () =>
      this.#tx(() => {
        const ok = this.#stmt("UPDATE events SET unvalidated = 0 WHERE event_id = ? AND unvalidated = 1");
        const bad = this.#stmt("UPDATE events SET unvalidated = 0, parked_reason = 'invalid_envelope', violations = ? WHERE event_id = ? AND unvalidated = 1");
        let n = 0;
        for (const v of verdicts) {
          const r = v.violations.length === 0 ? ok.run(v.eventId) : bad.run(JSON.stringify(v.violations), v.eventId);
          n += num(r.changes);
        }
        return n;
      }),
    );
  }

  // ---------------------------------------------------------------- delivery side

  /** Projects that have events not yet delivered (or duplicate, or parked) to any target, oldest first. */
  projectsWithUndelivered(): ReadonlyArray<string> {
    return this.#guard("listing projects", () =>
      (
        this.#stmt(
          `SELECT e.project_uuid AS p, min(e.seq) AS first FROM events e
           WHERE e.project_uuid IS NOT NULL AND e.blocked_reason IS NULL AND e.parked_reason IS NULL AND e.unvalidated = 0
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.seq = e.seq AND d.state IN ('delivered', 'duplicate', 'parked'))
           GROUP BY e.project_uuid ORDER BY first`,
        ).all() as Row[]
      ).map((r) => String(r["p"])),
    );
  }

  /** The delivery view of one project: every statement it runs is scoped to `projectUuid`. */
  project(projectUuid: string): ProjectOutbox {
    return new ProjectOutbox(this, projectUuid);
  }

  /** @internal the statements of ProjectOutbox */
  _selectBatch(projectUuid: string, target: string, limits: BatchLimits): OutboxEvent[] {
    const maxEvents = Math.max(1, Math.floor(limits.maxEvents ?? DEFAULT_MAX_EVENTS));
    const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
    const now = limits.now ?? this.#now();
    return this.#guard(`selecting a batch of ${projectUuid}`, () => {
      const rows = this.#stmt(
        `SELECT e.seq, e.event_id, e.event_type, e.project_uuid, e.lamport, e.envelope, e.bytes, coalesce(d.attempts, 0) AS attempts
         FROM events e LEFT JOIN deliveries d ON d.seq = e.seq AND d.target = ?2
         WHERE e.project_uuid = ?1 AND e.seq > ?5 AND e.blocked_reason IS NULL AND e.parked_reason IS NULL AND e.unvalidated = 0
           AND (d.state IS NULL OR (d.state = 'retry' AND coalesce(d.next_attempt_at, 0) <= ?3))
         ORDER BY e.seq LIMIT ?4`,
      ).all(projectUuid, target, now, maxEvents, limits.afterSeq ?? 0) as Row[];
      const out: OutboxEvent[] = [];
      let size = 14;
      for (const r of rows) {
        const bytes = num(r["bytes"]);
        if (out.length > 0 && size + bytes + 2 > maxBytes) break;
        size += bytes + 2;
        out.push({
          seq: num(r["seq"]),
          eventId: String(r["event_id"]),
          eventType: String(r["event_type"]),
          projectUuid: String(r["project_uuid"]),
          lamport: num(r["lamport"]),
          json: String(r["envelope"]),
          bytes,
          attempts: num(r["attempts"]),
        });
        if (size > maxBytes) break;
      }
      return out;
    });
  }

  /** @internal */
  _record(projectUuid: string, target: string, outcomes: ReadonlyArray<DeliveryOutcome>, at?: number): RecordReceipt {
    const now = at ?? this.#now();
    const counts = { recorded: 0, delivered: 0, duplicate: 0, retry: 0, parked: 0 };
    return this.#guard(`recording delivery outcomes of ${projectUuid}`, () =>
      this.#tx(() => {
        const find = this.#stmt("SELECT seq FROM events WHERE event_id = ? AND project_uuid = ?");
        const upsert = this.#stmt(
          `INSERT INTO deliveries (seq, target, project_uuid, state, attempts, reason, first_attempt_at, last_attempt_at, next_attempt_at, settled_at)
           VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?6, ?7, ?8)
           ON CONFLICT (seq, target) DO UPDATE SET state = ?4, attempts = attempts + 1, reason = ?5, last_attempt_at = ?6,
             next_attempt_at = ?7, settled_at = ?8
           WHERE deliveries.state NOT IN ('delivered', 'duplicate')`,
        );
        const log = this.#stmt("INSERT INTO attempts (seq, target, at, outcome, reason) VALUES (?, ?, ?, ?, ?)");
        let lastError: string | null = null;
        for (const o of outcomes) {
          const row = find.get(o.eventId, projectUuid) as Row | undefined;
          if (row === undefined) {
            throw new OutboxError("OUTBOX_MISUSE", this.path, `event ${o.eventId} is not an event of project ${projectUuid}; no outcome was recorded`);
          }
          const seq = num(row["seq"]);
          const reason = o.outcome === "retry" || o.outcome === "parked" ? o.reason : null;
          const next = o.outcome === "retry" ? o.nextAttemptAt : null;
          const settled = o.outcome === "retry" ? null : now;
          const kind: string = o.outcome;
          if (kind !== "delivered" && kind !== "duplicate" && kind !== "retry" && kind !== "parked") {
            throw new OutboxError("OUTBOX_MISUSE", this.path, `unknown delivery outcome '${kind}' for event ${o.eventId}`);
          }
          upsert.run(seq, target, projectUuid, o.outcome, reason, now, next, settled);
          log.run(seq, target, now, o.outcome, reason);
          counts.recorded++;
          counts[o.outcome]++;
          if (reason !== null) lastError = `${o.eventId}: ${reason}`;
        }
        const success = counts.delivered + counts.duplicate > 0;
        this.#stmt(
          `INSERT INTO targets (project_uuid, target, last_attempt_at, last_success_at, last_error, last_error_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
           ON CONFLICT (project_uuid, target) DO UPDATE SET last_attempt_at = ?3,
             last_success_at = coalesce(?4, last_success_at), last_error = coalesce(?5, last_error), last_error_at = coalesce(?6, last_error_at)`,
        ).run(projectUuid, target, now, success ? now : null, lastError, lastError === null ? null : now);
        return counts;
      }),
    );
  }

  /** @internal */
  _recordFailure(projectUuid: string, target: string, reason: string, at?: number): void {
    const now = at ?? this.#now();
    this.#guard(`recording a failed attempt of ${projectUuid}`, () => {
      this.#stmt(
        `INSERT INTO targets (project_uuid, target, last_attempt_at, last_success_at, last_error, last_error_at) VALUES (?1, ?2, ?3, NULL, ?4, ?3)
         ON CONFLICT (project_uuid, target) DO UPDATE SET last_attempt_at = ?3, last_error = ?4, last_error_at = ?3`,
      ).run(projectUuid, target, now, reason);
    });
  }

  /** @internal */
  _targetCounters(projectUuid: string, target: string): TargetCounters {
    return this.#guard(`reading the counters of ${projectUuid}`, () => this.#targetCounters(projectUuid, target));
  }

  #targetCounters(projectUuid: string, target: string): TargetCounters {
    const states = this.#stmt(
      "SELECT state, count(*) AS n FROM deliveries WHERE project_uuid = ? AND target = ? GROUP BY state",
    ).all(projectUuid, target) as Row[];
    const by: Record<string, number> = {};
    for (const s of states) by[String(s["state"])] = num(s["n"]);
    const pending = num(
      (
        this.#stmt(
          `SELECT count(*) AS n FROM events e WHERE e.project_uuid = ? AND e.blocked_reason IS NULL AND e.parked_reason IS NULL
           AND e.unvalidated = 0 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.seq = e.seq AND d.target = ?)`,
        ).get(projectUuid, target) as Row
      )["n"],
    );
    const t = this.#stmt("SELECT * FROM targets WHERE project_uuid = ? AND target = ?").get(projectUuid, target) as Row | undefined;
    return {
      target,
      pending,
      retry: by["retry"] ?? 0,
      delivered: by["delivered"] ?? 0,
      duplicate: by["duplicate"] ?? 0,
      parked: by["parked"] ?? 0,
      lastAttemptAt: numOrNull(t?.["last_attempt_at"]),
      lastSuccessAt: numOrNull(t?.["last_success_at"]),
      lastError: strOrNull(t?.["last_error"]),
      lastErrorAt: numOrNull(t?.["last_error_at"]),
    };
  }

  // ---------------------------------------------------------------- status and gc

  /** Everything `sync status` shows, read from the same tables delivery uses. */
  stats(options: { readonly parkedLimit?: number } = {}): OutboxStats {
    return this.#guard("reading the status", () => {
      const projects: ProjectCounters[] = [];
      const groups = this.#stmt(
        `SELECT project_uuid, CASE WHEN project_uuid IS NULL THEN repo_root END AS repo, count(*) AS n, max(captured_at) AS last,
           max(json_extract(envelope, '$.project_slug')) AS slug
         FROM events GROUP BY project_uuid, repo ORDER BY project_uuid IS NULL, project_uuid, repo`,
      ).all() as Row[];
      let total = 0;
      let undeliveredAll = 0;
      for (const g of groups) {
        const uuid = strOrNull(g["project_uuid"]);
        const repo = strOrNull(g["repo"]);
        const where = uuid !== null ? "e.project_uuid = ?1" : "e.project_uuid IS NULL AND e.repo_root IS ?1";
        const key = uuid ?? repo;
        const blocked: Record<string, number> = {};
        for (const r of this.#db
          .prepare(`SELECT blocked_reason AS r, count(*) AS n FROM events e WHERE ${where} AND blocked_reason IS NOT NULL GROUP BY r`)
          .all(key) as Row[]) {
          blocked[String(r["r"])] = num(r["n"]);
        }
        const parked: Record<string, number> = {};
        for (const r of this.#db
          .prepare(`SELECT parked_reason AS r, count(*) AS n FROM events e WHERE ${where} AND parked_reason IS NOT NULL GROUP BY r`)
          .all(key) as Row[]) {
          parked[String(r["r"])] = num(r["n"]);
        }
        const unvalidated = num(
          (this.#db.prepare(`SELECT count(*) AS n FROM events e WHERE ${where} AND e.unvalidated = 1`).get(key) as Row)["n"],
        );
        const und = this.#db
          .prepare(
            `SELECT count(*) AS n, min(captured_at) AS oldest FROM events e WHERE ${where} AND e.parked_reason IS NULL
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.seq = e.seq AND d.state IN ('delivered', 'duplicate', 'parked'))`,
          )
          .get(key) as Row;
        const targets: TargetCounters[] = [];
        if (uuid !== null) {
          const names = this.#stmt(
            "SELECT target FROM targets WHERE project_uuid = ?1 UNION SELECT DISTINCT target FROM deliveries WHERE project_uuid = ?1 ORDER BY target",
          ).all(uuid) as Row[];
          for (const n of names) targets.push(this.#targetCounters(uuid, String(n["target"])));
        }
        const captured = num(g["n"]);
        total += captured;
        undeliveredAll += num(und["n"]);
        projects.push({
          projectUuid: uuid,
          repoRoot: repo,
          projectSlug: strOrNull(g["slug"]),
          captured,
          undelivered: num(und["n"]),
          blocked,
          parked,
          unvalidated,
          oldestUndeliveredAt: numOrNull(und["oldest"]),
          lastCapturedAt: numOrNull(g["last"]),
          targets,
        });
      }
      const limit = options.parkedLimit ?? 20;
      const parkedEvents: ParkedEvent[] = (
        this.#stmt(
          `SELECT * FROM (
             SELECT event_id, event_type, project_uuid, NULL AS target, parked_reason AS reason, violations, captured_at AS at, seq
             FROM events WHERE parked_reason IS NOT NULL
             UNION ALL
             SELECT e.event_id, e.event_type, e.project_uuid, d.target, d.reason, NULL, d.last_attempt_at, e.seq
             FROM deliveries d JOIN events e ON e.seq = d.seq WHERE d.state = 'parked')
           ORDER BY seq LIMIT ?`,
        ).all(limit) as Row[]
      ).map((r) => ({
        eventId: String(r["event_id"]),
        eventType: String(r["event_type"]),
        projectUuid: strOrNull(r["project_uuid"]),
        target: strOrNull(r["target"]),
        reason: String(r["reason"] ?? "unknown"),
        violations: typeof r["violations"] === "string" ? (JSON.parse(r["violations"]) as unknown[]) : null,
        at: num(r["at"]),
      }));
      return { path: this.path, lamport: this.lamport(), totalEvents: total, undelivered: undeliveredAll, projects, parkedEvents };
    });
  }

  /** Removes events delivered (or duplicate) to a target before `now - olderThanMs` with no retry outstanding.
   * The clock is kept: values are never reused. */
  gc(olderThanMs: number): GcReceipt {
    const cutoff = this.#now() - olderThanMs;
    return this.#guard("collecting delivered events", () =>
      this.#tx(() => {
        const r = this.#stmt(
          `DELETE FROM events WHERE seq IN (
             SELECT d.seq FROM deliveries d WHERE d.state IN ('delivered', 'duplicate') GROUP BY d.seq HAVING max(d.settled_at) < ?1)
           AND NOT EXISTS (SELECT 1 FROM deliveries r WHERE r.seq = events.seq AND r.state = 'retry')`,
        ).run(cutoff);
        return { removed: num(r.changes), cutoff };
      }),
    );
  }

  /** The envelope of one event (JSON text), or undefined. */
  envelope(eventId: string): string | undefined {
    return this.#guard(`reading event ${eventId}`, () => {
      const r = this.#stmt("SELECT envelope FROM events WHERE event_id = ?").get(eventId) as Row | undefined;
      return r === undefined ? undefined : String(r["envelope"]);
    });
  }

  /** All events in capture order (tests and diagnostics; not for delivery). */
  allEvents(): ReadonlyArray<{ seq: number; eventId: string; lamport: number; projectUuid: string | null; blockedReason: string | null; parkedReason: string | null; origin: string; json: string }> {
    return this.#guard("reading events", () =>
      (this.#stmt("SELECT * FROM events ORDER BY seq").all() as Row[]).map((r) => ({
        seq: num(r["seq"]),
        eventId: String(r["event_id"]),
        lamport: num(r["lamport"]),
        projectUuid: strOrNull(r["project_uuid"]),
        blockedReason: strOrNull(r["blocked_reason"]),
        parkedReason: strOrNull(r["parked_reason"]),
        origin: String(r["origin"]),
        json: String(r["envelope"]),
      })),
    );
  }

  // ---------------------------------------------------------------- rescue spool

  /** Re-imports envelopes spooled while the outbox was unusable; the spool is removed once they are in. */
  #ingestRescue(): void {
    const spool = rescuePath(this.root);
    try {
      if (statSync(spool).size === 0) return;
    } catch {
      return;
    }
    const claimed = `${spool}.${process.pid}.ingest`;
    try {
      renameSync(spool, claimed);
    } catch {
      return; // another process claimed it
    }
    const text = readFileSync(claimed, "utf8");
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let entry: { input: CaptureInput } | undefined;
      try {
        entry = JSON.parse(line) as { input: CaptureInput };
      } catch {
        continue; // a torn last line from a crash mid-append: the rest still counts
      }
      if (entry?.input?.eventId) this.capture(entry.input);
    }
    rmSync(claimed, { force: true });
  }
}

/**
 * Appends a capture that the outbox refused to the rescue spool; the next successful open captures it.
 * Returns false when even the spool cannot be written.
 */
export const spoolUncaptured = (root: string, input: CaptureInput): boolean => {
  try {
    const spool = rescuePath(root);
    mkdirSync(dirname(spool), { recursive: true });
    appendFileSync(spool, `${JSON.stringify({ input })}\n`);
    return true;
  } catch {
    return false;
  }
};

/** One project's view of the outbox, for delivery. Nothing here can see another project's events. */
export class ProjectOutbox {
  readonly #store: OutboxStore;
  readonly projectUuid: string;
  constructor(store: OutboxStore, projectUuid: string) {
    this.#store = store;
    this.projectUuid = projectUuid;
  }
  /** The next batch for `target` in capture order: events not delivered, duplicate or parked for it, and not
   * waiting for a later retry time; within `limits`. */
  selectBatch(target: string, limits: BatchLimits = {}): ReadonlyArray<OutboxEvent> {
    return this.#store._selectBatch(this.projectUuid, target, limits);
  }
  /** Records per-event outcomes of one attempt in one transaction (and the attempt log). A terminal state
   * (delivered, duplicate) is never overwritten. Throws OUTBOX_MISUSE for an event of another project. */
  record(target: string, outcomes: ReadonlyArray<DeliveryOutcome>, at?: number): RecordReceipt {
    return this.#store._record(this.projectUuid, target, outcomes, at);
  }
  /** Records a batch-level failure (auth, network, 5xx, 429): stamps the attempt and error, touches no event. */
  recordFailure(target: string, reason: string, at?: number): void {
    this.#store._recordFailure(this.projectUuid, target, reason, at);
  }
  counters(target: string): TargetCounters {
    return this.#store._targetCounters(this.projectUuid, target);
  }
}
