/**
 * The PostgreSQL connection pool behind the PostgreSQL store (ADR-0015): the pure-JS `pg` driver, with a deadline on
 * every connect, query and transaction, so a database that stops answering turns into an error instead of a hang.
 */
import pg from "pg";

export interface PgPoolOptions {
  /** `postgres://user:password@host:port/database`, as given to `--database-url`. */
  readonly url: string;
  /** Connections this process keeps at most (default 10). */
  readonly max?: number;
  /** Deadline for opening a connection, including waiting for a free one in the pool (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Deadline for one statement, enforced by the server (`statement_timeout`) and the client (default 30 s). */
  readonly queryTimeoutMs?: number;
  /** `application_name`, shown in `pg_stat_activity`. */
  readonly applicationName?: string;
}

/** A database failure with a stable code and the message a user needs to act. */
export class PgStoreError extends Error {
  readonly code: "PG_CONNECT" | "PG_QUERY" | "PG_SCHEMA" | "PG_URL";
  constructor(code: PgStoreError["code"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PgStoreError";
    this.code = code;
  }
}

export const DEFAULT_POOL = { max: 10, connectTimeoutMs: 10_000, queryTimeoutMs: 30_000 } as const;

/** Checks a `--database-url` before anything connects, naming what is wrong with it. */
export const parseDatabaseUrl = (url: string): URL => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PgStoreError("PG_URL", `--database-url: not a URL: ${redact(url)} (expected postgres://user@host:port/database)`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new PgStoreError("PG_URL", `--database-url: scheme ${parsed.protocol} is not postgres: or postgresql: (${redact(url)})`);
  }
  if (parsed.pathname.length <= 1) {
    throw new PgStoreError("PG_URL", `--database-url: no database name in ${redact(url)} (expected postgres://user@host:port/database)`);
  }
  return parsed;
};

/** The URL with its password replaced, for messages and logs. */
export const redact = (url: string): string => url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");

/** bigint columns (sequence numbers) as JS numbers: exact below 2^53, far beyond any event count. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export const openPool = (options: PgPoolOptions): pg.Pool => {
  parseDatabaseUrl(options.url);
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_POOL.queryTimeoutMs;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? DEFAULT_POOL.max,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_POOL.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // The server gives up on a statement a little before the client does, so the client sees the server's reason.
    statement_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs + 1_000,
    idle_in_transaction_session_timeout: queryTimeoutMs * 2,
    application_name: options.applicationName ?? "spec-kitty-server",
    keepAlive: true,
    types,
  });
  // An idle connection that breaks (server restart, network) must not crash the process; the pool replaces it.
  pool.on("error", (error) => {
    process.stderr.write(`spec-kitty-server: PostgreSQL connection lost (${error.message}); reconnecting on next use\n`);
  });
  return pool;
};

/** A fresh client outside the pool (LISTEN needs one connection of its own), with the same deadlines and types. */
export const openClient = (options: PgPoolOptions): pg.Client => {
  parseDatabaseUrl(options.url);
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_POOL.queryTimeoutMs;
  return new pg.Client({
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_POOL.connectTimeoutMs,
    statement_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs + 1_000,
    application_name: options.applicationName ?? "spec-kitty-server",
    keepAlive: true,
    types,
  });
};

/**
 * Runs `body` in one transaction on one pooled connection: COMMIT when it resolves, ROLLBACK when it throws. A
 * connection whose rollback fails is discarded rather than returned to the pool.
 */
export const inTransaction = async <A>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<A>): Promise<A> => {
  const client = await connect(pool);
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await body(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
};

/** Checks out a pooled connection, turning the driver's connect failures into a `PgStoreError`. */
export const connect = async (pool: pg.Pool): Promise<pg.PoolClient> => {
  try {
    return await pool.connect();
  } catch (error) {
    throw new PgStoreError("PG_CONNECT", `cannot connect to PostgreSQL: ${(error as Error).message}`, { cause: error });
  }
};
