/**
 * spec-kitty-server benchmarks. Each figure measures the server as shipped: the bundle
 * (`dist/spec-kitty-server.mjs`, built by `pnpm build`) when present, else `src/bin.ts`, started as
 * `serve --data DIR --port 0` in its own process on loopback. Prints one JSON object; figures go to
 * docs/benchmarks.md.
 *
 *   node bench/run.ts [--batches N] [--subscribers N] [--quick] [--ingest-only] [--server-flags="--cpu-prof ..."]
 *
 * `--server-flags` are Node options for the server process (a profile of the server alone); with them the server is
 * started as `node FLAGS ENTRY` even when the bundle is measured, so its shebang flags are not applied.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import WebSocket from "ws";

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BUNDLE = join(PKG, "dist/spec-kitty-server.mjs");
const ENTRY = existsSync(BUNDLE) ? BUNDLE : join(PKG, "src/bin.ts");

const { values } = parseArgs({
  options: {
    batches: { type: "string" },
    subscribers: { type: "string" },
    quick: { type: "boolean", default: false },
    "ingest-only": { type: "boolean", default: false },
    "server-flags": { type: "string" },
  },
});
const SERVER_FLAGS = (values["server-flags"] ?? "").split(" ").filter((f) => f !== "");
const BATCHES = Number(values.batches ?? (values.quick ? 12 : 60));
const SUBSCRIBERS = Number(values.subscribers ?? 200);

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ulidOf = (n: number): string => {
  let s = "";
  let x = n;
  for (let i = 0; i < 23; i++) {
    s = CROCKFORD[x % 32]! + s;
    x = Math.floor(x / 32);
  }
  return `01K${s}`;
};

const event = (n: number, o: { project: string; mission: string; wp: string; from: string | null; to: string; lamport: number }) => ({
  event_id: ulidOf(n),
  event_type: "WPStatusChanged",
  aggregate_id: o.wp,
  aggregate_type: "WorkPackage",
  payload: { mission_slug: o.mission, wp_id: o.wp, from_lane: o.from, to_lane: o.to, actor: "bench-agent", force: false, reason: null, execution_mode: "worktree", review_ref: null, evidence: null },
  timestamp: new Date(Date.UTC(2026, 2, 1) + n * 1000).toISOString(),
  build_id: "3f2b8a8e-6a4e-4c1b-9d6e-2c0a8f1b7d11",
  node_id: "a1b2c3d4e5f6",
  lamport_clock: o.lamport,
  causation_id: null,
  correlation_id: ulidOf(n),
  schema_version: "3.0.0",
  team_slug: null,
  project_uuid: o.project,
  project_slug: "bench",
  git_branch: "main",
  head_commit_sha: null,
  repo_slug: "org/bench",
});

const run = (args: ReadonlyArray<string>, input = ""): Promise<string> =>
  new Promise((res, rej) => {
    const p = spawn(process.execPath, [ENTRY, ...args], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (c: Buffer) => (out += c.toString()));
    p.on("exit", (code) => (code === 0 ? res(out) : rej(new Error(`${args.join(" ")} exited ${code}`))));
    p.stdin.end(input);
  });

const serve = (dir: string): Promise<{ url: string; proc: ChildProcess }> =>
  new Promise((res, rej) => {
    // The bundle runs from its shebang (with its Node flags), as an installed server would.
    const shebang = ENTRY === BUNDLE && SERVER_FLAGS.length === 0;
    const proc = spawn(shebang ? BUNDLE : process.execPath, [...(shebang ? [] : [...SERVER_FLAGS, ENTRY]), "serve", "--data", dir, "--port", "0", "--json", "--log-level", "warn"], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, SPEC_KITTY_SERVER_RATE_BURST: "100000", SPEC_KITTY_SERVER_RATE_PER_SECOND: "100000" },
    });
    let out = "";
    proc.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) res({ url: (JSON.parse(out.split("\n")[0]!) as { url: string }).url, proc });
    });
    proc.on("exit", (c) => rej(new Error(`server exited ${c}`)));
  });

const peakRssMb = (pid: number): number => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m === null ? Number.NaN : Math.round(Number(m[1]) / 1024);
};

const pct = (xs: ReadonlyArray<number>, p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
};

const post = async (url: string, token: string, body: Buffer): Promise<number> => {
  const t = performance.now();
  const r = await fetch(`${url}/api/v1/events/batch/`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-encoding": "gzip" }, body });
  const j = (await r.json()) as { results?: Array<{ status: string }> };
  if (r.status !== 200 || j.results?.some((x) => x.status !== "success")) throw new Error(`batch answered ${r.status}: ${JSON.stringify(j).slice(0, 300)}`);
  return performance.now() - t;
};

const main = async (): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), "sks-bench-"));
  await run(["team", "create", "bench", "--data", dir]);
  const token = (JSON.parse(await run(["token", "create", "--team", "bench", "--data", dir, "--json"])) as { token: string }).token;
  const { url, proc } = await serve(dir);
  const result: Record<string, unknown> = { entry: ENTRY.replace(`${PKG}/`, ""), node: process.version };
  try {
    // 1. Ingest: 1000-event gzip batches over 4 connections; 20 missions of 50 WPs walking their lanes.
    const LANES = ["planned", "claimed", "in_progress", "for_review", "in_review"];
    const bodies: Array<Buffer> = [];
    let bytes = 0;
    for (let b = 0; b < BATCHES; b++) {
      const events = Array.from({ length: 1000 }, (_, i) => {
        const n = b * 1000 + i;
        const step = Math.floor(n / 1000) % (LANES.length - 1);
        return event(n, { project: "5f0c7a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f", mission: `m-${i % 20}`, wp: `WP${String(Math.floor(i / 20)).padStart(2, "0")}`, from: LANES[step]!, to: LANES[step + 1]!, lamport: n });
      });
      const raw = JSON.stringify({ events });
      bytes += raw.length;
      bodies.push(gzipSync(raw));
    }
    const latencies: Array<number> = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < bodies.length) latencies.push(await post(url, token, bodies[next++]!));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    result["ingest"] = {
      events: BATCHES * 1000,
      batch_events: 1000,
      connections: 4,
      mean_batch_kib: Math.round(bytes / BATCHES / 1024),
      events_per_second: Math.round((BATCHES * 1000) / seconds),
      batch_ms_p50: pct(latencies, 50),
      batch_ms_p99: pct(latencies, 99),
      server_peak_rss_mb: peakRssMb(proc.pid!),
    };
    if (values["ingest-only"]) return;

    // 2. View of a 100-WP mission: every WP through five lanes (500 events), then the read API.
    const viewProject = "6a1d8b4f-2e3c-4d5e-9f0a-1b2c3d4e5f60";
    const walk = [];
    let n = 10_000_000;
    for (let wp = 0; wp < 100; wp++) {
      walk.push(event(n++, { project: viewProject, mission: "big", wp: `WP${String(wp).padStart(3, "0")}`, from: null, to: "planned", lamport: n }));
      for (let s = 0; s < LANES.length - 1; s++) walk.push(event(n++, { project: viewProject, mission: "big", wp: `WP${String(wp).padStart(3, "0")}`, from: LANES[s]!, to: LANES[s + 1]!, lamport: n }));
    }
    await post(url, token, gzipSync(JSON.stringify({ events: walk })));
    const viewUrl = `${url}/api/v1/teams/bench/projects/${viewProject}/missions/big/`;
    const first = performance.now();
    const firstRes = await fetch(viewUrl, { headers: { authorization: `Bearer ${token}` } });
    const firstMs = performance.now() - first;
    const body = (await firstRes.json()) as { views: { board: { work_packages: Array<unknown> } } };
    if (body.views.board.work_packages.length !== 100) throw new Error("the view does not show 100 WPs");
    const reads: Array<number> = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await (await fetch(viewUrl, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
      reads.push(performance.now() - t);
    }
    // One more transition, then the read that has to fold it in.
    const t0 = performance.now();
    await post(url, token, gzipSync(JSON.stringify({ events: [event(n++, { project: viewProject, mission: "big", wp: "WP000", from: "in_review", to: "blocked", lamport: n })] })));
    const t1 = performance.now();
    await (await fetch(viewUrl, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
    result["mission_view_100_wps"] = { events: walk.length + 1, first_read_ms: Math.round(firstMs * 10) / 10, read_ms_p50: pct(reads, 50), read_ms_p99: pct(reads, 99), read_after_write_ms: Math.round((performance.now() - t1) * 10) / 10, write_ms: Math.round((t1 - t0) * 10) / 10 };

    // 3. Fan-out: SUBSCRIBERS WebSocket subscribers, 50 single-event batches, time from POST to each delivery.
    const subs: Array<WebSocket> = [];
    const sentAt = new Map<string, number>();
    const delays: Array<number> = [];
    await Promise.all(
      Array.from({ length: SUBSCRIBERS }, () =>
        new Promise<void>((res, rej) => {
          const ws = new WebSocket(`${url.replace("http", "ws")}/ws/v1/events/`, { headers: { authorization: `Bearer ${token}` } });
          ws.on("message", (d) => {
            const now = performance.now();
            const f = JSON.parse(String(d)) as { type: string; event_id?: string };
            if (f.type === "snapshot") res();
            else if (f.type === "event" && f.event_id !== undefined && sentAt.has(f.event_id)) delays.push(now - sentAt.get(f.event_id)!);
          });
          ws.on("error", rej);
          subs.push(ws);
        }),
      ),
    );
    const fanProject = "7b2e9c5a-3f4d-4e6f-8a1b-2c3d4e5f6071";
    for (let i = 0; i < 50; i++) {
      const e = event(20_000_000 + i, { project: fanProject, mission: "fan", wp: "WP01", from: null, to: "planned", lamport: i });
      sentAt.set(e.event_id, performance.now());
      await post(url, token, gzipSync(JSON.stringify({ events: [e] })));
      await new Promise((r) => setTimeout(r, 20));
    }
    const deadline = Date.now() + 10_000;
    while (delays.length < 50 * SUBSCRIBERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of subs) ws.close();
    result["fanout"] = { subscribers: SUBSCRIBERS, events: 50, deliveries: delays.length, expected: 50 * SUBSCRIBERS, delivery_ms_p50: pct(delays, 50), delivery_ms_p99: pct(delays, 99), delivery_ms_max: pct(delays, 100) };
    result["server_peak_rss_mb"] = peakRssMb(proc.pid!);
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
};

await main();
