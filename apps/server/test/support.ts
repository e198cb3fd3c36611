/** Test support: an in-process app on a fresh SQLite store, and the real server as a child process. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { App } from "../src/http/app.ts";
import type { HttpResponse } from "../src/http/types.ts";
import { InProcessNotifier } from "../src/realtime/notifier.ts";
import { openSqliteStore } from "../src/store/sqlite.ts";
import type { Store } from "../src/store/port.ts";
import { silentLogger } from "../src/util/log.ts";
import type { IngressLimits } from "../src/http/batch.ts";

export const PKG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_DIR = resolve(PKG_DIR, "../..");
export const SHARED_DIR = resolve(REPO_DIR, "../shared");
export const FIXTURE_DIR = join(SHARED_DIR, "fixtures/sync-contract");
export const BIN = join(PKG_DIR, "src/bin.ts");

export const tempDir = (prefix = "sks-"): string => mkdtempSync(join(tmpdir(), prefix));

export interface Harness {
  readonly app: App;
  readonly store: Store;
  readonly notifier: InProcessNotifier;
  readonly dir: string;
  readonly request: (method: string, url: string, init?: RequestInit) => Promise<Answer>;
  readonly batch: (token: string | undefined, events: unknown, init?: { headers?: Record<string, string>; gzip?: boolean }) => Promise<Answer>;
  readonly close: () => Promise<void>;
}

export interface RequestInit {
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly json: any;
}

let counter = 0;

export const answer = (r: HttpResponse): Answer => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.body);
  } catch {
    parsed = undefined;
  }
  return { status: r.status, headers: r.headers, text: r.body, json: parsed };
};

/** An App over a fresh SQLite folder, driven in-process. */
export const harness = async (o: { limits?: Partial<IngressLimits>; rate?: { burst?: number; perSecond?: number } } = {}): Promise<Harness> => {
  const dir = tempDir();
  const store = openSqliteStore({ dataDir: dir });
  await store.migrate();
  const notifier = new InProcessNotifier();
  const app = new App({ store, notifier, log: silentLogger, publicUrl: "http://127.0.0.1:9", viewDelayMs: 1, ...(o.limits === undefined ? {} : { limits: o.limits }), rate: { burst: o.rate?.burst ?? 1_000_000, perSecond: o.rate?.perSecond ?? 1_000_000 } });
  const request = async (method: string, url: string, init: RequestInit = {}): Promise<Answer> => {
    const body = init.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
    headers["content-length"] ??= String(body.length);
    const r = await app.handle({
      method,
      url,
      headers,
      requestId: `t${++counter}`,
      readBody: async (max) => (body.length > max ? "too_large" : body),
    });
    return answer(r);
  };
  const batch = (token: string | undefined, events: unknown, init: { headers?: Record<string, string>; gzip?: boolean } = {}) => {
    const text = typeof events === "string" ? events : JSON.stringify(Array.isArray(events) ? { events } : events);
    const gz = init.gzip ?? true;
    return request("POST", "/api/v1/events/batch/", {
      headers: {
        "content-type": "application/json",
        ...(gz ? { "content-encoding": "gzip" } : {}),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...init.headers,
      },
      body: gz ? gzipSync(text) : text,
    });
  };
  return {
    app,
    store,
    notifier,
    dir,
    request,
    batch,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** A team with an API token, and a user (member of it) with a password. */
export const seedTeam = async (h: Pick<Harness, "app">, slug: string, email = `${slug}@example.com`) => {
  const team = await h.app.auth.createTeam(slug);
  const user = await h.app.auth.createUser({ email, password: "correct horse", teamSlug: slug });
  const api = await h.app.auth.createApiToken(slug);
  return { team, user: user.user, privateTeam: user.privateTeam, apiToken: api.token, email, password: "correct horse" };
};

export const fixture = (name: string): { request: { events: Array<Record<string, unknown>> }; expected_response: { status_code: number; body: unknown } } =>
  JSON.parse(readFileSync(join(FIXTURE_DIR, name), "utf8")) as never;

/** True when every key of `expected` is in `actual` with an equal value (arrays: same length, element-wise). */
export const contains = (actual: unknown, expected: unknown): boolean => {
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => contains(actual[i], e));
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
  }
  return Object.is(actual, expected);
};

// --- the real server as a child process ---

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly proc: ChildProcess;
  readonly stderr: () => string;
  /** SIGTERM and wait for exit (deadline 8 s); resolves to the exit code. */
  readonly stop: () => Promise<number | null>;
}

export const runCli = (args: ReadonlyArray<string>, input = "", env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolvePromise, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    p.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`spec-kitty-server ${args.join(" ")} did not exit within 30 s`));
    }, 30_000);
    p.on("exit", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    p.stdin.end(input);
  });

export const startServerProcess = (dataDir: string, extra: ReadonlyArray<string> = [], env: Record<string, string> = {}): Promise<ServerProcess> =>
  new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [BIN, "serve", "--data", dataDir, "--port", "0", "--json", ...extra], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`server did not report its address within 20 s: ${err.slice(-2000)}`));
    }, 20_000);
    proc.stderr.on("data", (c: Buffer) => (err += c.toString()));
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${code}): ${err.slice(-2000)}`));
    });
    proc.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl === -1) return;
      clearTimeout(timer);
      proc.removeAllListeners("exit");
      const line = JSON.parse(out.slice(0, nl)) as { url: string; port: number };
      resolvePromise({
        url: line.url,
        port: line.port,
        proc,
        stderr: () => err,
        stop: () =>
          new Promise((res) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return res(proc.exitCode);
            const kill = setTimeout(() => proc.kill("SIGKILL"), 8000);
            proc.once("exit", (code) => {
              clearTimeout(kill);
              res(code);
            });
            proc.kill("SIGTERM");
          }),
      });
    });
  });

/** Seeds a data folder through the admin commands; returns an API token for `slug`. */
export const seedWithCli = async (dataDir: string, slug: string): Promise<string> => {
  const t = await runCli(["team", "create", slug, "--data", dataDir]);
  if (t.code !== 0) throw new Error(t.stderr);
  const k = await runCli(["token", "create", "--team", slug, "--data", dataDir, "--json"]);
  if (k.code !== 0) throw new Error(k.stderr);
  return (JSON.parse(k.stdout) as { token: string }).token;
};

/** POSTs a gzip batch over real HTTP. */
export const postBatch = async (url: string, token: string, events: ReadonlyArray<unknown>, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> => {
  const r = await fetch(`${url}/api/v1/events/batch/`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-encoding": "gzip", ...headers },
    body: gzipSync(JSON.stringify({ events })),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, json };
};

// --- envelopes ---

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** A valid 26-character ULID from a number (deterministic). */
export const ulidOf = (n: number, prefix = "01J"): string => {
  let s = "";
  let x = n;
  for (let i = 0; i < 23; i++) {
    s = CROCKFORD[x % 32]! + s;
    x = Math.floor(x / 32);
  }
  return prefix + s;
};

export const PROJECT = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

/** A canonical 3.0.0 WPStatusChanged envelope (the current client's shape). */
export const statusEvent = (n: number, o: { wp?: string; from?: string | null; to?: string; mission?: string; project?: string; lamport?: number } = {}): Record<string, unknown> => ({
  event_id: ulidOf(n),
  event_type: "WPStatusChanged",
  aggregate_id: o.wp ?? "WP01",
  aggregate_type: "WorkPackage",
  payload: {
    mission_slug: o.mission ?? "001-demo",
    wp_id: o.wp ?? "WP01",
    from_lane: o.from === undefined ? "planned" : o.from,
    to_lane: o.to ?? "claimed",
    actor: "agent-1",
    force: false,
    reason: null,
    execution_mode: "worktree",
    review_ref: null,
    evidence: null,
  },
  timestamp: `2026-03-01T10:00:${String(n % 60).padStart(2, "0")}+00:00`,
  build_id: "3f2b8a8e-6a4e-4c1b-9d6e-2c0a8f1b7d11",
  node_id: "a1b2c3d4e5f6",
  lamport_clock: o.lamport ?? n,
  causation_id: null,
  correlation_id: ulidOf(n),
  schema_version: "3.0.0",
  team_slug: null,
  project_uuid: o.project ?? PROJECT,
  project_slug: "demo",
  git_branch: "main",
  head_commit_sha: null,
  repo_slug: "org/demo",
});
