/**
 * Versioned migrations of the PostgreSQL store (ADR-0015). Each migration runs once, in order, inside one
 * transaction that holds a transaction-scoped advisory lock, so several server processes starting together on one
 * database migrate it exactly once: the first applies, the others wait for the lock and then find nothing to do.
 * Migrations are append-only: a released migration is never edited, a change is a new version.
 */
import type pg from "pg";
import type { MigrationReport } from "../port.ts";
import { inTransaction, PgStoreError } from "./pool.ts";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Key of the advisory lock that serialises migrations (any constant the application keeps to itself). */
const MIGRATION_LOCK = 0x5_3b_1d_00_15;

export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "teams, users, credentials, events, projects, views",
    sql: `
CREATE TABLE secrets (
  name  text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE teams (
  id         text PRIMARY KEY,
  slug       text NOT NULL UNIQUE,
  name       text NOT NULL,
  is_private boolean NOT NULL,
  created_at bigint NOT NULL
);

CREATE TABLE users (
  id            text PRIMARY KEY,
  email         text NOT NULL,
  name          text NOT NULL,
  password_hash text,
  created_at    bigint NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
  team_id text NOT NULL REFERENCES teams (id),
  user_id text NOT NULL REFERENCES users (id),
  role    text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE credentials (
  kind        text NOT NULL,
  id          text NOT NULL,
  user_id     text,
  team_id     text,
  session_id  text,
  lookup      text,
  data        text NOT NULL,
  created_at  bigint NOT NULL,
  expires_at  bigint,
  consumed_at bigint,
  revoked_at  bigint,
  PRIMARY KEY (kind, id)
);
CREATE INDEX credentials_lookup ON credentials (kind, lookup) WHERE lookup IS NOT NULL;
CREATE INDEX credentials_session ON credentials (session_id) WHERE session_id IS NOT NULL;

-- The append-only event log: one row per (team, normalised event id), the first copy wins.
CREATE TABLE events (
  seq           bigint GENERATED ALWAYS AS IDENTITY,
  team_id       text NOT NULL,
  event_id      text NOT NULL,
  raw_event_id  text NOT NULL,
  event_type    text NOT NULL,
  project_uuid  text,
  mission_key   text,
  lamport_clock bigint,
  "timestamp"   text,
  received_at   bigint NOT NULL,
  raw           text NOT NULL,
  canonical     text,
  verdict       text NOT NULL CHECK (verdict IN ('valid', 'quarantined')),
  violations    text,
  source        text NOT NULL,
  -- Every read names its team: the key leads with it, and no separate index on seq alone is kept up.
  CONSTRAINT events_pkey PRIMARY KEY (team_id, seq),
  CONSTRAINT events_team_event UNIQUE (team_id, event_id)
);
CREATE INDEX events_team_mission ON events (team_id, project_uuid, mission_key, seq) WHERE verdict = 'valid';

-- Which team owns a project (the first team to send one of its events), with running totals kept by each append.
CREATE TABLE projects (
  project_uuid  text PRIMARY KEY,
  team_id       text NOT NULL,
  project_slug  text,
  first_seen_at bigint NOT NULL,
  event_count   bigint NOT NULL DEFAULT 0,
  last_seq      bigint NOT NULL DEFAULT 0
);
CREATE INDEX projects_team ON projects (team_id, first_seen_at);

CREATE TABLE views (
  team_id      text NOT NULL,
  project_uuid text NOT NULL,
  mission_key  text NOT NULL,
  kind         text NOT NULL,
  last_seq     bigint NOT NULL,
  body         text NOT NULL,
  updated_at   bigint NOT NULL,
  PRIMARY KEY (team_id, project_uuid, mission_key, kind)
);

-- Append-only means append-only: the event log refuses UPDATE and DELETE.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events is append-only: % refused', TG_OP;
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_append_only();
`,
  },
];

/** Applies the migrations not applied yet, in order, under the migration lock. */
export const migrate = (pool: pg.Pool, migrations: ReadonlyArray<Migration> = MIGRATIONS): Promise<MigrationReport> =>
  inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version    integer PRIMARY KEY,
         name       text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const from = await currentVersion(client);
    const known = migrations.at(-1)?.version ?? 0;
    if (from > known) {
      throw new PgStoreError(
        "PG_SCHEMA",
        `the database is at schema version ${from}, newer than this server knows (${known}): upgrade spec-kitty-server`,
      );
    }
    const applied: Array<number> = [];
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new PgStoreError("PG_SCHEMA", `migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return { from, to: applied.at(-1) ?? from, applied };
  });

/** The highest applied migration, 0 for an empty database. */
export const schemaVersion = async (queryable: pg.Pool | pg.PoolClient): Promise<number> => {
  const exists = await queryable.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return 0;
  return currentVersion(queryable);
};

const currentVersion = async (queryable: pg.Pool | pg.PoolClient): Promise<number> => {
  const result = await queryable.query<{ version: number | null }>("SELECT max(version) AS version FROM schema_migrations");
  return result.rows[0]?.version ?? 0;
};
