/**
 * The ingest path in one process, without sockets: gunzip and parse each 1000-event body (as `readBatchBody`
 * does), `Ingestor.ingest` (judge, one SQLite transaction), and the view refresh every `--views-every` batches
 * (the server's timed refresh folds a few batches at a time under load). Reports CPU time per event for each
 * phase. CPU time per event moves less with the machine's load than wall-clock rates do:
 *
 *   node bench/ingest-inproc.ts [--batches N] [--views-every K]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { InProcessNotifier, openSqliteStore, ViewMaintainer } from "../src/index.ts";
import { Ingestor } from "../src/ingest/ingest.ts";

const { values } = parseArgs({ options: { batches: { type: "string" }, "views-every": { type: "string" } } });
const BATCHES = Number(values.batches ?? 20);
const VIEWS_EVERY = Number(values["views-every"] ?? 2);

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
const LANES = ["planned", "claimed", "in_progress", "for_review", "in_review"];
/** The same events as bench/run.ts: 20 missions of 50 WPs walking their lanes. */
const body = (b: number): Buffer =>
  gzipSync(
    JSON.stringify({
      events: Array.from({ length: 1000 }, (_, i) => {
        const n = b * 1000 + i;
        const step = Math.floor(n / 1000) % (LANES.length - 1);
        const wp = `WP${String(Math.floor(i / 20)).padStart(2, "0")}`;
        return {
          event_id: ulidOf(n),
          event_type: "WPStatusChanged",
          aggregate_id: wp,
          aggregate_type: "WorkPackage",
          payload: { mission_slug: `m-${i % 20}`, wp_id: wp, from_lane: LANES[step], to_lane: LANES[step + 1], actor: "bench-agent", force: false, reason: null, execution_mode: "worktree", review_ref: null, evidence: null },
          timestamp: new Date(Date.UTC(2026, 2, 1) + n * 1000).toISOString(),
          build_id: "3f2b8a8e-6a4e-4c1b-9d6e-2c0a8f1b7d11",
          node_id: "a1b2c3d4e5f6",
          lamport_clock: n,
          causation_id: null,
          correlation_id: ulidOf(n),
          schema_version: "3.0.0",
          team_slug: null,
          project_uuid: "5f0c7a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f",
          project_slug: "bench",
          git_branch: "main",
          head_commit_sha: null,
          repo_slug: "org/bench",
        };
      }),
    }),
  );

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const dir = mkdtempSync(join(tmpdir(), "sks-inproc-"));
const store = openSqliteStore({ dataDir: dir });
await store.migrate();
const team = await store.createTeam({ id: "team-bench", slug: "bench", name: "bench", isPrivate: false, createdAt: 0 });
const views = new ViewMaintainer(store, { delayMs: 1e9 });
const ingestor = new Ingestor(store, new InProcessNotifier(), views);
const bodies = Array.from({ length: BATCHES }, (_, b) => body(b));

const ms = { parse: 0, ingest: 0, views: 0 };
const wall = performance.now();
for (let b = 0; b < BATCHES; b++) {
  let t = cpu();
  const events = (JSON.parse(gunzipSync(bodies[b]!).toString("utf8")) as { events: Array<unknown> }).events;
  ms.parse += cpu() - t;
  t = cpu();
  const out = await ingestor.ingest({ team, generation: "current", source: "http" }, events);
  ms.ingest += cpu() - t;
  if (out.kind !== "results" || out.stored !== 1000) throw new Error(`batch ${b}: ${out.kind}`);
  if ((b + 1) % VIEWS_EVERY === 0 || b === BATCHES - 1) {
    t = cpu();
    await views.flush();
    ms.views += cpu() - t;
  }
}
const wallMs = performance.now() - wall;
await views.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
const per = (x: number): number => Math.round((x * 1000) / (BATCHES * 1000) * 10) / 10;
process.stdout.write(
  `${JSON.stringify({ batches: BATCHES, views_every: VIEWS_EVERY, cpu_us_per_event: { parse: per(ms.parse), ingest: per(ms.ingest), views: per(ms.views), total: per(ms.parse + ms.ingest + ms.views) }, events_per_cpu_second: Math.round((BATCHES * 1000) / ((ms.parse + ms.ingest + ms.views) / 1000)), wall_ms: Math.round(wallMs) })}\n`,
);
