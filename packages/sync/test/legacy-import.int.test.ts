import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveBuildId, importLegacyQueue, LegacyQueueError, OutboxStore } from "../src/index.ts";
import { tempDir } from "./support/repo.ts";

/** A queue.db exactly as the Python CLI creates it (028/032 era, §4.1 of the digest). */
const makePythonQueue = (rows: ReadonlyArray<{ eventId: string; type: string; data: string; ts: number }>): string => {
  const path = join(tempDir(), "queue.db");
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT UNIQUE NOT NULL,
    event_type TEXT NOT NULL,
    data TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    retry_count INTEGER DEFAULT 0);
  CREATE INDEX IF NOT EXISTS idx_timestamp ON queue(timestamp);
  CREATE INDEX IF NOT EXISTS idx_retry ON queue(retry_count);`);
  const ins = db.prepare("INSERT INTO queue (event_id, event_type, data, timestamp) VALUES (?, ?, ?, ?)");
  for (const r of rows) ins.run(r.eventId, r.type, r.data, r.ts);
  db.close();
  return path;
};

const PROJECT = "550e8400-e29b-41d4-a716-446655440000";
const baseEnvelope = (id: string, lamport: number, extra: Record<string, unknown> = {}) => ({
  event_id: id,
  event_type: "WPStatusChanged",
  aggregate_id: "WP01",
  aggregate_type: "WorkPackage",
  payload: { mission_slug: "m-1", wp_id: "WP01", from_lane: "planned", to_lane: "claimed", actor: "claude", force: false, reason: null, execution_mode: "worktree", review_ref: null, evidence: null },
  node_id: "a1b2c3d4e5f6",
  lamport_clock: lamport,
  causation_id: null,
  timestamp: "2026-02-07T12:00:00.123456+00:00",
  team_slug: "local",
  project_uuid: PROJECT,
  project_slug: "spec-kitty",
  git_branch: "main",
  head_commit_sha: "0cf3f906f4f979a000cf04c78688a397d69b6a37",
  repo_slug: "owner/repo",
  ...extra,
});

describe("importing the Python CLI's offline queue", () => {
  it("imports in queue order, fills the 3.0.0 fields, parks what breaks the contract, blocks what has no project, and deduplicates", async () => {
    const A = "01JMBY7K8N3QRVX2DPFG5HWT4A";
    const B = "01JMBY7K8N3QRVX2DPFG5HWT4B";
    const C = "01JMBY7K8N3QRVX2DPFG5HWT4C";
    const D = "01JMBY7K8N3QRVX2DPFG5HWT4D";
    const E = "01JMBY7K8N3QRVX2DPFG5HWT4E";
    const old028 = { ...baseEnvelope(C, 3), payload: { wp_id: "WP01", previous_status: "planned", new_status: "doing", changed_by: "user", feature_slug: "028-x" } };
    const preV3 = { ...baseEnvelope(D, 4, { build_id: "build-7" }) } as Record<string, unknown>;
    delete preV3["project_uuid"];
    const path = makePythonQueue([
      { eventId: B, type: "WPStatusChanged", data: JSON.stringify(baseEnvelope(B, 2)), ts: 1_770_000_002 },
      { eventId: A, type: "WPStatusChanged", data: JSON.stringify(baseEnvelope(A, 900)), ts: 1_770_000_001 },
      { eventId: C, type: "WPStatusChanged", data: JSON.stringify(old028), ts: 1_770_000_003 },
      { eventId: D, type: "WPStatusChanged", data: JSON.stringify(preV3), ts: 1_770_000_004 },
      { eventId: E, type: "WPStatusChanged", data: "{not json", ts: 1_770_000_005 },
    ]);
    const store = OutboxStore.open(tempDir());
    const r = await importLegacyQueue(store, path);
    expect(r).toMatchObject({ rows: 5, imported: 4, duplicates: 0, parked: 1, blocked: 0, normalized: { pre_3_0_envelope: 1 } });
    expect(r.unreadable).toEqual([{ rowId: 5, eventId: E, reason: expect.stringContaining("not JSON") }]);
    const all = store.allEvents();
    expect(all.map((e) => e.eventId)).toEqual([A, B, C, D]);
    expect(all.every((e) => e.origin === "legacy-queue")).toBe(true);
    const a = JSON.parse(all[0]!.json);
    expect(a).toMatchObject({ lamport_clock: 900, build_id: deriveBuildId(PROJECT, "a1b2c3d4e5f6"), correlation_id: A, schema_version: "3.0.0", project_uuid: PROJECT });
    expect(all[2]!.parkedReason).toBe("invalid_envelope");
    // the pre-3.0 envelope got its project from the normaliser (uuid5 of node/build)
    expect(all[3]!.projectUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(all[3]!.projectUuid).not.toBe(PROJECT);
    // the local clock moved past the imported values
    expect(store.lamport()).toBe(900);
    expect(store.project(PROJECT).selectBatch("t|x").map((e) => e.eventId)).toEqual([A, B]);
    const again = await importLegacyQueue(store, path);
    expect(again).toMatchObject({ imported: 0, duplicates: 4 });
    store.close();
  });

  it("names a file that is not a queue database", async () => {
    const path = join(tempDir(), "other.db");
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE x (a)");
    db.close();
    const store = OutboxStore.open(tempDir());
    await expect(importLegacyQueue(store, path)).rejects.toThrow(LegacyQueueError);
    await expect(importLegacyQueue(store, path)).rejects.toThrow(/no table 'queue'/);
    store.close();
  });
});
