import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { OutboxStore, targetKey } from "@spec-kitty/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Machine, createAccount, makeProject, readToken, serverEvents, startServer, type ServerProcess } from "../src/processes.ts";

let server: ServerProcess;
let account: { team: string; email: string; password: string };
let token: string;

beforeAll(async () => {
  server = await startServer();
  account = await createAccount(server.data, "crash", "kim@example.com");
  token = await readToken(server.url, account.email, account.password);
});
afterAll(async () => {
  await server?.stop();
});

const login = async (machine: Machine, cwd: string): Promise<string> => {
  const run = await machine.cli(["auth", "login", "--server", server.url, "--username", account.email, "--password-stdin", "--json"], { cwd, input: `${account.password}\n` });
  expect(run.status, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { team: string }).team;
};

describe("crash during delivery", () => {
  it("SIGKILL at random points of `sync now` over 10,000 events: after a rerun the server holds each once and the ledger agrees", async () => {
    const machine = new Machine();
    const project = makeProject("crashy");
    const team = await login(machine, project.dir);
    expect((await machine.cli(["sync", "enable"], { cwd: project.dir })).status).toBe(0);
    const seeded = (await machine.seed(project.dir, 10_000, 180_000)).stdout.trim().split("\n");
    expect(seeded).toHaveLength(10_000);
    // Kill while batches are in flight, at random points: once the client's ledger shows a random number of
    // delivered events (the server may then hold a batch whose outcomes were never recorded).
    const target = targetKey(server.url, team);
    const delivered = (): number => {
      const store = OutboxStore.open(machine.home);
      try {
        const c = store.project(project.uuid).counters(target);
        return c.delivered + c.duplicate;
      } finally {
        store.close();
      }
    };
    const thresholds = [1, 2, 3].map(() => 1 + Math.floor(Math.random() * 9000)).sort((a, b) => a - b);
    let midway = 0;
    for (const threshold of thresholds) {
      const child = machine.spawnCli(["sync", "now"], project.dir);
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const deadline = Date.now() + 60_000;
      while (child.exitCode === null && Date.now() < deadline) {
        if (delivered() >= threshold) {
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
          child.kill("SIGKILL");
          if (delivered() < 10_000) midway += 1;
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      await exited;
    }
    expect(midway).toBeGreaterThanOrEqual(1);
    const final = await machine.cli(["sync", "now", "--json"], { cwd: project.dir, timeoutMs: 120_000 });
    expect(final.status, final.stderr).toBe(0);
    expect(JSON.parse(final.stdout).summary.remaining).toBe(0);
    const received = await serverEvents(server.url, token, project.uuid);
    expect(received).toHaveLength(10_000);
    expect(new Set(received)).toEqual(new Set(seeded));
    // The client ledger: every event delivered (or confirmed duplicate) to this target, none pending or parked.
    const store = OutboxStore.open(machine.home);
    try {
      const c = store.project(project.uuid).counters(target);
      expect(c.delivered + c.duplicate).toBe(10_000);
      expect({ pending: c.pending, retry: c.retry, parked: c.parked }).toEqual({ pending: 0, retry: 0, parked: 0 });
    } finally {
      store.close();
    }
  });
});

describe("interop with the Python CLI's queue", () => {
  it("a queue.db in the Python schema is imported by `sync import-legacy-queue` and delivered", async () => {
    const machine = new Machine();
    const project = makeProject("legacy");
    await login(machine, project.dir);
    expect((await machine.cli(["sync", "enable"], { cwd: project.dir })).status).toBe(0);
    const path = join(machine.home, "queue.db");
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
    const ids: Array<string> = [];
    const insert = db.prepare("INSERT INTO queue (event_id, event_type, data, timestamp, retry_count) VALUES (?, ?, ?, ?, ?)");
    for (let i = 0; i < 25; i += 1) {
      const id = `01JMBY7K8N3QRVX2DPFG5H${String(i).padStart(4, "0")}`.replace(/[ILOU]/g, "0");
      ids.push(id);
      const envelope = {
        event_id: id,
        event_type: "WPStatusChanged",
        aggregate_id: "WP01",
        aggregate_type: "WorkPackage",
        payload: { mission_slug: "001-legacy", wp_id: "WP01", from_lane: "planned", to_lane: "claimed", actor: "py", force: false, reason: null, execution_mode: "worktree", review_ref: null, evidence: null },
        node_id: "a1b2c3d4e5f6",
        lamport_clock: i + 1,
        causation_id: null,
        timestamp: "2026-02-07T12:00:00.123456+00:00",
        team_slug: "local",
        project_uuid: project.uuid,
        project_slug: "legacy",
        git_branch: "main",
        head_commit_sha: null,
        repo_slug: null,
        schema_version: "3.0.0",
        build_id: "b",
        correlation_id: id,
      };
      insert.run(id, "WPStatusChanged", JSON.stringify(envelope), 1_770_000_000 + i, i % 3);
    }
    db.close();
    const imported = await machine.cli(["sync", "import-legacy-queue", path, "--json"], { cwd: project.dir });
    expect(imported.status, imported.stderr).toBe(0);
    const now = await machine.cli(["sync", "now", "--json"], { cwd: project.dir });
    expect(now.status, now.stderr).toBe(0);
    const received = await serverEvents(server.url, token, project.uuid);
    expect(new Set(received)).toEqual(new Set(ids));
    expect(received).toHaveLength(ids.length);
  });
});
