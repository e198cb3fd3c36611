/**
 * A throwaway PostgreSQL cluster for tests and benchmarks (ADR-0015): `initdb` + `pg_ctl` under a temporary directory,
 * listening on a free loopback port, started once per test run (vitest globalSetup) and always stopped at the end.
 * No system service is used. The binaries come from `tooling/postgres/ensure.sh`, which installs Debian's
 * `postgresql` when it is missing and we are root, and fails with a clear message otherwise: a missing PostgreSQL
 * is a failure, never a skipped suite.
 *
 * Root cannot run `initdb`, so as root every server command runs as the `postgres` OS user through `runuser`.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";

export interface PgCluster {
  readonly binDir: string;
  readonly dataDir: string;
  readonly port: number;
  /** A superuser URL to the `postgres` database, for creating databases. */
  readonly adminUrl: string;
  readonly stop: () => Promise<void>;
  /** Stops the server but keeps its data, as a crash or a maintenance restart would (for outage tests). */
  readonly halt: () => Promise<void>;
  /** Starts a halted server again on the same port and data. */
  readonly resume: () => Promise<void>;
}

export interface StartOptions {
  /** Keep fsync, full-page writes and synchronous commit on (benchmarks); tests turn them off for speed. */
  readonly durable?: boolean;
  readonly startDeadlineMs?: number;
  readonly stopDeadlineMs?: number;
}

const REPO_ROOT = resolve(import.meta.dirname, "../../../..");
const ENSURE_SCRIPT = join(REPO_ROOT, "tooling/postgres/ensure.sh");
const DIR_PREFIX = "spec-kitty-pg-";
const OWNER_FILE = "owner.pid";
const SUPERUSER = "postgres";

/** The directory holding initdb, pg_ctl and postgres, installing PostgreSQL first when missing (root only). */
export const ensurePostgresBinaries = async (): Promise<string> => {
  const result = await run("bash", [ENSURE_SCRIPT], { deadlineMs: 900_000 });
  if (result.code !== 0) {
    throw new Error(
      `PostgreSQL is required by the server's storage tests and is not available: ${result.stderr.trim() || `tooling/postgres/ensure.sh exited with ${result.code}`}`,
    );
  }
  return result.stdout.trim().split("\n").at(-1) ?? "";
};

/** Starts a fresh cluster; the caller must `stop()` it (globalSetup's teardown does). */
export const startCluster = async (options: StartOptions = {}): Promise<PgCluster> => {
  const binDir = await ensurePostgresBinaries();
  reapAbandonedClusters(binDir);
  const asRoot = process.getuid?.() === 0;
  const dataDir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dataDir, OWNER_FILE), `${process.pid}\n`);
  const pgdata = join(dataDir, "data");
  if (asRoot) chownToPostgres(dataDir);
  const cmd = (bin: string, args: ReadonlyArray<string>) =>
    asRoot ? { file: "runuser", args: ["-u", "postgres", "--", join(binDir, bin), ...args] } : { file: join(binDir, bin), args };
  const exec = async (bin: string, args: ReadonlyArray<string>, deadlineMs: number) => {
    const c = cmd(bin, args);
    const result = await run(c.file, c.args, { deadlineMs });
    if (result.code !== 0) {
      throw new Error(`${bin} ${args.join(" ")} failed (${result.timedOut ? `no answer within ${deadlineMs} ms` : `exit ${result.code}`}): ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return result;
  };

  const cleanupDir = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    await exec("initdb", ["-D", pgdata, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"], 60_000);
  } catch (error) {
    cleanupDir();
    throw error;
  }
  const startDeadlineMs = options.startDeadlineMs ?? 30_000;
  const stopDeadlineMs = options.stopDeadlineMs ?? 20_000;
  const stopServer = makeStopServer(pgdata, stopDeadlineMs, (args, deadline) => exec("pg_ctl", args, deadline));
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= stopServer().finally(() => rmSync(dataDir, { recursive: true, force: true })));

  // A free port can be taken between our probe and the postmaster's bind: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freeLoopbackPort();
    const settings = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${dataDir}`,
      "-c max_connections=200",
      ...(options.durable ? [] : ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]),
    ].join(" ");
    const seconds = String(Math.ceil(startDeadlineMs / 1000));
    try {
      await exec("pg_ctl", ["start", "-D", pgdata, "-l", join(dataDir, "postgres.log"), "-w", "-t", seconds, "-o", settings], startDeadlineMs + 5_000);
      const adminUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
      await waitForQuery(adminUrl, startDeadlineMs);
      const start = () =>
        exec("pg_ctl", ["start", "-D", pgdata, "-l", join(dataDir, "postgres.log"), "-w", "-t", seconds, "-o", settings], startDeadlineMs + 5_000).then(
          () => waitForQuery(adminUrl, startDeadlineMs),
        );
      const cluster: PgCluster = { binDir, dataDir, port, adminUrl, stop, halt: stopServer, resume: start };
      registerExitStop(cluster, asRoot);
      return cluster;
    } catch (error) {
      lastError = error;
      await stopServer().catch(() => undefined);
    }
  }
  const log = readLog(dataDir);
  cleanupDir();
  throw new Error(`PostgreSQL did not start within ${startDeadlineMs} ms: ${String(lastError)}${log ? `\n--- postgres.log ---\n${log}` : ""}`);
};

/** Creates an empty database on the cluster and returns its URL; each suite gets its own. */
export const createDatabase = async (adminUrl: string, prefix = "sk_test"): Promise<string> => {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/**
 * Creates an empty schema in a database and returns a URL whose connections use it (`search_path`): a fresh store
 * for one test costs one statement instead of a database.
 */
export const createSchema = async (databaseUrl: string, prefix = "sk"): Promise<string> => {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(databaseUrl);
  url.searchParams.set("options", `-c search_path=${name}`);
  return url.toString();
};

/** Drops a schema created by `createSchema`, with everything in it. */
export const dropSchema = async (schemaUrl: string): Promise<void> => {
  const name = /search_path=(\w+)/.exec(new URL(schemaUrl).searchParams.get("options") ?? "")?.[1];
  if (name === undefined) throw new Error(`not a URL made by createSchema: ${schemaUrl}`);
  const url = new URL(schemaUrl);
  url.searchParams.delete("options");
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA "${name}" CASCADE`);
  } finally {
    await client.end();
  }
};

/** Drops a database created by `createDatabase`, ending any connection still open to it. */
export const dropDatabase = async (adminUrl: string, databaseUrl: string): Promise<void> => {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
};

// --- helpers ---

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

const run = (file: string, args: ReadonlyArray<string>, opts: { deadlineMs: number }): Promise<RunResult> =>
  new Promise((resolvePromise) => {
    // pg_ctl start leaves a postmaster behind that may hold inherited pipes: settle on 'exit', not on 'close'.
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.deadlineMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolvePromise({ code: 127, stdout, stderr: `${stderr}${error.message}`, timedOut });
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      // Give the pipes a moment to drain what the command printed before it exited.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr, timedOut });
      }, 20);
    });
  });

const makeStopServer = (
  pgdata: string,
  deadlineMs: number,
  pgCtl: (args: ReadonlyArray<string>, deadlineMs: number) => Promise<RunResult>,
): (() => Promise<void>) =>
  async () => {
    try {
      if (existsSync(join(pgdata, "postmaster.pid"))) {
        const seconds = String(Math.ceil(deadlineMs / 1000));
        await pgCtl(["stop", "-D", pgdata, "-m", "fast", "-w", "-t", seconds], deadlineMs + 5_000);
      }
    } finally {
      killPostmaster(pgdata);
    }
  };

/** Last resort when pg_ctl cannot stop the server in time: SIGKILL the postmaster named in postmaster.pid. */
const killPostmaster = (pgdata: string): void => {
  const pid = postmasterPid(pgdata);
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
};

const postmasterPid = (pgdata: string): number | undefined => {
  try {
    const pid = Number(readFileSync(join(pgdata, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** A test run that was killed cannot stop its cluster: the next run stops clusters whose owner process is gone. */
const reapAbandonedClusters = (binDir: string): void => {
  let entries: Array<string>;
  try {
    entries = readdirSync(tmpdir()).filter((name) => name.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, OWNER_FILE), "utf8").trim());
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    const pgdata = join(dir, "data");
    const pid = postmasterPid(pgdata);
    if (pid !== undefined && isAlive(pid)) {
      const asRoot = process.getuid?.() === 0;
      const args = ["stop", "-D", pgdata, "-m", "immediate", "-w", "-t", "10"];
      spawnSync(asRoot ? "runuser" : join(binDir, "pg_ctl"), asRoot ? ["-u", "postgres", "--", join(binDir, "pg_ctl"), ...args] : args, {
        stdio: "ignore",
        timeout: 15_000,
      });
      killPostmaster(pgdata);
    }
    rmSync(dir, { recursive: true, force: true });
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** If the test process exits without its teardown (an uncaught error, a signal), stop the cluster synchronously. */
const registerExitStop = (cluster: PgCluster, asRoot: boolean): void => {
  const pgdata = join(cluster.dataDir, "data");
  const onExit = () => {
    if (!existsSync(join(pgdata, "postmaster.pid"))) return;
    const pgCtl = join(cluster.binDir, "pg_ctl");
    const args = ["stop", "-D", pgdata, "-m", "immediate", "-w", "-t", "10"];
    spawnSync(asRoot ? "runuser" : pgCtl, asRoot ? ["-u", "postgres", "--", pgCtl, ...args] : args, { stdio: "ignore", timeout: 15_000 });
    killPostmaster(pgdata);
    rmSync(cluster.dataDir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
};

const chownToPostgres = (dir: string): void => {
  const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8", timeout: 5_000 });
  const gids = spawnSync("id", ["-g", "postgres"], { encoding: "utf8", timeout: 5_000 });
  const uid = Number(ids.stdout.trim());
  const gid = Number(gids.stdout.trim());
  if (ids.status !== 0 || !Number.isInteger(uid)) {
    throw new Error("running as root, but there is no 'postgres' OS user to run initdb as (install Debian's postgresql package)");
  }
  chownSync(dir, uid, gid);
};

export const freeLoopbackPort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });

const waitForQuery = async (url: string, deadlineMs: number): Promise<void> => {
  const until = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < until) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000, query_timeout: 5_000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no answer to SELECT 1 within ${deadlineMs} ms: ${String(lastError)}`);
};

const readLog = (dataDir: string): string => {
  try {
    return readFileSync(join(dataDir, "postgres.log"), "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "";
  }
};
