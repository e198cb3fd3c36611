/**
 * The events table's insert in isolation (the schema of src/store/sqlite.ts, WAL, synchronous=NORMAL): 1000-row
 * transactions of a ~800-byte `WPStatusChanged` envelope, median milliseconds per transaction for the insert loop
 * and the COMMIT. Variants, run alternately so the machine's load hits them alike:
 *   returning  `ON CONFLICT DO NOTHING RETURNING seq` (the statement before 2026-12-04)
 *   run        the same without RETURNING, seq from the statement's rowid (the statement now)
 *   double     `run`, with canonical stored as a second copy of raw (the row before 2026-12-04)
 *
 *   node bench/sqlite-insert.ts [batches]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

const BATCHES = Number(process.argv[2] ?? 30);
const SCHEMA = `
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  team_id TEXT NOT NULL, event_id TEXT NOT NULL, raw_event_id TEXT NOT NULL, event_type TEXT NOT NULL,
  project_uuid TEXT, mission_key TEXT, lamport_clock INTEGER, timestamp TEXT, received_at INTEGER NOT NULL,
  raw TEXT NOT NULL, canonical TEXT, verdict TEXT NOT NULL, violations TEXT, source TEXT NOT NULL,
  UNIQUE (team_id, event_id));
CREATE INDEX events_project ON events(team_id, project_uuid, seq);
CREATE INDEX events_mission ON events(team_id, project_uuid, mission_key, seq);
CREATE INDEX events_verdict ON events(team_id, verdict, seq);`;
const INSERT = `INSERT INTO events (team_id, event_id, raw_event_id, event_type, project_uuid, mission_key, lamport_clock,
  timestamp, received_at, raw, canonical, verdict, violations, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (team_id, event_id) DO NOTHING`;
const raw = JSON.stringify({
  event_id: "01K00000000000000000000000",
  event_type: "WPStatusChanged",
  aggregate_id: "WP01",
  aggregate_type: "WorkPackage",
  payload: { mission_slug: "m-1", wp_id: "WP01", from_lane: "planned", to_lane: "claimed", actor: "bench-agent", force: false, reason: null, execution_mode: "worktree", review_ref: null, evidence: null },
  timestamp: "2026-03-01T00:00:00.000Z",
  build_id: "3f2b8a8e-6a4e-4c1b-9d6e-2c0a8f1b7d11",
  node_id: "a1b2c3d4e5f6",
  lamport_clock: 5,
  causation_id: null,
  correlation_id: "01K00000000000000000000000",
  schema_version: "3.0.0",
  team_slug: null,
  project_uuid: "5f0c7a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f",
  project_slug: "bench",
  git_branch: "main",
  head_commit_sha: null,
  repo_slug: "org/bench",
});

type Variant = "returning" | "run" | "double";
const open = (variant: Variant) => {
  const dir = mkdtempSync(join(tmpdir(), `sks-insert-${variant}-`));
  const db = new DatabaseSync(join(dir, "server.db"));
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec(SCHEMA);
  const stmt = db.prepare(variant === "returning" ? `${INSERT} RETURNING seq` : INSERT);
  return { dir, db, stmt, n: 0, insert: [] as Array<number>, commit: [] as Array<number> };
};

const variants: ReadonlyArray<Variant> = ["returning", "run", "double"];
const dbs = variants.map(open);
for (let b = 0; b < BATCHES; b++) {
  variants.forEach((variant, v) => {
    const d = dbs[v]!;
    const t0 = performance.now();
    d.db.exec("BEGIN IMMEDIATE");
    for (let i = 0; i < 1000; i++) {
      const id = `01K${String(d.n++).padStart(23, "0")}`;
      const args = ["team", id, id, "WPStatusChanged", "5f0c7a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f", `m-${i % 20}`, d.n, "2026-03-01T00:00:00.000Z", 0, raw, variant === "double" ? raw : "\u0001", "valid", null, "http"] as const;
      if (variant === "returning") d.stmt.get(...args);
      else d.stmt.run(...args);
    }
    const t1 = performance.now();
    d.db.exec("COMMIT");
    d.insert.push(t1 - t0);
    d.commit.push(performance.now() - t1);
  });
}
const median = (xs: Array<number>): number => Math.round(xs.sort((a, b) => a - b)[xs.length >> 1]! * 10) / 10;
const out: Record<string, unknown> = { batches: BATCHES, load_average: (await import("node:os")).loadavg()[0] };
variants.forEach((variant, v) => {
  const d = dbs[v]!;
  out[variant] = { insert_ms_per_1000: median(d.insert), commit_ms: median(d.commit) };
  d.db.close();
  rmSync(d.dir, { recursive: true, force: true });
});
process.stdout.write(`${JSON.stringify(out)}\n`);
