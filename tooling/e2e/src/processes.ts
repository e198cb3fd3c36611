/**
 * The processes an end-to-end test runs: `spec-kitty-server` (serve on a loopback port, admin commands) and the
 * `spec-kitty` CLI, both from their sources with node, each with a deadline. Nothing here imports either app.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomUUID } from "node:crypto";
import { startFaultProxy, type FaultProxy } from "./fault-proxy.ts";

export const REPO = resolve(import.meta.dirname, "../../..");
export const CLI_BIN = join(REPO, "apps/cli/src/bin.ts");
export const SERVER_BIN = join(REPO, "apps/server/src/bin.ts");
export const SEED = join(REPO, "tooling/e2e/src/seed.ts");

export interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs a node script to completion within `timeoutMs` (SIGKILLed after it). Asynchronous, so servers and proxies
 * running in the test process keep answering while it runs.
 */
export const runNode = (
  script: string,
  args: ReadonlyArray<string>,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<Run> =>
  new Promise((resolveRun, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd ?? REPO, env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (status, signal) => {
      clearTimeout(timer);
      resolveRun({ status, signal, stdout, stderr, ms: Date.now() - started });
    });
  });

/** One machine: a runtime root (`SPEC_KITTY_HOME`) that CLI runs share. */
export class Machine {
  readonly home: string;
  constructor(home: string = mkdtempSync(join(tmpdir(), "sk-e2e-home-"))) {
    this.home = home;
  }

  get env(): NodeJS.ProcessEnv {
    return { SPEC_KITTY_HOME: this.home };
  }

  /** Runs `spec-kitty ARGS` in `cwd`. */
  cli(args: ReadonlyArray<string>, options: { cwd: string; input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<Run> {
    return runNode(CLI_BIN, args, { cwd: options.cwd, env: { ...this.env, ...options.env }, ...(options.input === undefined ? {} : { input: options.input }), timeoutMs: options.timeoutMs ?? 60_000 });
  }

  /** Starts `spec-kitty ARGS` without waiting (for SIGKILL tests and the agent). */
  spawnCli(args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
    return spawn(process.execPath, [CLI_BIN, ...args], { cwd, env: { ...process.env, ...this.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  }

  /** Captures `count` WPStatusChanged events for the project in `repo` through the emission funnel (a child process). */
  async seed(repo: string, count: number, timeoutMs = 120_000): Promise<Run> {
    const run = await runNode(SEED, [String(count)], { cwd: repo, env: this.env, timeoutMs });
    if (run.status !== 0) throw new Error(`seeding ${count} events failed (${run.status}): ${run.stderr}`);
    return run;
  }
}

/** A git repository with a spec-kitty project identity (`.kittify/config.yaml`). */
export const makeProject = (name: string, options: { autoStart?: boolean } = {}): { readonly dir: string; readonly uuid: string } => {
  const dir = join(mkdtempSync(join(tmpdir(), "sk-e2e-repo-")), name);
  mkdirSync(join(dir, ".kittify"), { recursive: true });
  const git = spawnSync("git", ["init", "-q", dir], { encoding: "utf8" });
  if (git.status !== 0) throw new Error(`git init failed: ${git.stderr}`);
  const uuid = randomUUID();
  const sync = options.autoStart === false ? "sync:\n  auto_start: false\n" : "";
  writeFileSync(join(dir, ".kittify", "config.yaml"), `project:\n  uuid: ${uuid}\n  slug: ${name}\n  node_id: 0123456789ab\n${sync}`);
  return { dir, uuid };
};

export interface ServerProcess {
  readonly url: string;
  readonly data: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `spec-kitty-server serve --data DIR --port 0 --json` and waits (≤ 20 s) for its address. */
export const startServer = async (options: { data?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ServerProcess> => {
  const data = options.data ?? mkdtempSync(join(tmpdir(), "sk-e2e-server-"));
  const child = spawn(process.execPath, [SERVER_BIN, "serve", "--data", data, "--port", "0", "--host", "127.0.0.1", "--json", "--log-level", "warn"], {
    env: { ...process.env, SPEC_KITTY_SERVER_RATE_BURST: "100000", SPEC_KITTY_SERVER_RATE_PER_SECOND: "100000", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the server did not start within 20 s: ${stderr}`)), 20_000);
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      for (const line of out.split("\n")) {
        try {
          const event = JSON.parse(line) as { event?: string; url?: string };
          if (event.event === "listening" && typeof event.url === "string") {
            clearTimeout(timer);
            resolveUrl(event.url.replace(/\/+$/, ""));
          }
        } catch {
          // not a JSON line yet
        }
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening: ${stderr}`));
    });
  });
  return {
    url,
    data,
    child,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(kill);
          done();
        });
        child.kill("SIGTERM");
      }),
  };
};

/** Runs a `spec-kitty-server` admin command on the server's data directory. */
export const serverAdmin = async (data: string, args: ReadonlyArray<string>, input?: string): Promise<Run> => {
  const run = await runNode(SERVER_BIN, [...args, "--data", data, "--json"], { ...(input === undefined ? {} : { input }), timeoutMs: 30_000 });
  if (run.status !== 0) throw new Error(`spec-kitty-server ${args.join(" ")} failed (${run.status}): ${run.stderr}`);
  return run;
};

/** Creates a team and a user in it; returns the login. */
export const createAccount = async (data: string, team: string, email: string, password = "correct horse battery"): Promise<{ team: string; email: string; password: string }> => {
  await serverAdmin(data, ["team", "create", team]);
  await serverAdmin(data, ["user", "create", email, "--team", team, "--password-stdin"], `${password}\n`);
  return { team, email, password };
};

/** Every event the server holds for a project (its read API), following pages; ids in arrival order. */
export const serverEvents = async (url: string, token: string, projectUuid: string): Promise<Array<string>> => {
  const ids: Array<string> = [];
  let after: string | number | null = null;
  for (let page = 0; page < 10_000; page += 1) {
    const query = new URLSearchParams({ project_uuid: projectUuid, limit: "1000" });
    if (after !== null) query.set("after", String(after));
    const response = await fetch(`${url}/api/v1/events/?${query}`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
    if (response.status === 404) return ids;
    if (response.status !== 200) throw new Error(`GET /api/v1/events/: HTTP ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { events?: Array<{ event_id?: string }>; next_after?: string | number | null; has_more?: boolean };
    const events = body.events ?? [];
    for (const e of events) ids.push(e.event_id ?? "");
    const next = body.next_after ?? null;
    if (events.length === 0 || next === null || body.has_more === false) return ids;
    after = next;
  }
  return ids;
};

/** The `source` (http or ws) of every event the server holds for a project. */
export const serverSources = async (url: string, token: string, projectUuid: string): Promise<Map<string, string>> => {
  const response = await fetch(`${url}/api/v1/events/?project_uuid=${projectUuid}&limit=1000`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  const body = (await response.json()) as { events?: Array<{ event_id: string; source: string }> };
  return new Map((body.events ?? []).map((e) => [e.event_id, e.source]));
};

/** A token for reading the server: the legacy password grant. */
export const readToken = async (url: string, email: string, password: string): Promise<string> => {
  const response = await fetch(`${url}/api/v1/token/`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: email, password }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { access?: string };
  if (response.status !== 200 || body.access === undefined) throw new Error(`login for reading failed: HTTP ${response.status}`);
  return body.access;
};

/** A running server with one team and user, a reader token, and a fault proxy in front of it (what most e2e files need). */
export interface TeamServer {
  readonly server: ServerProcess;
  readonly account: { team: string; email: string; password: string };
  readonly token: string;
  readonly proxy: FaultProxy;
  readonly stop: () => Promise<void>;
}

export const startTeamServer = async (email: string, team = "acme"): Promise<TeamServer> => {
  const server = await startServer();
  try {
    const account = await createAccount(server.data, team, email);
    const token = await readToken(server.url, account.email, account.password);
    const proxy = await startFaultProxy(server.url);
    return {
      server,
      account,
      token,
      proxy,
      stop: async () => {
        await proxy.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
};
