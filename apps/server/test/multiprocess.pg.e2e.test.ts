/**
 * Two `spec-kitty-server serve --database-url` processes on one PostgreSQL database (ADR-0015): events ingested over
 * HTTP by one reach a WebSocket subscriber connected to the other, through LISTEN/NOTIFY. The last test stops the
 * database under them and starts it again, so this file runs on a cluster of its own.
 */
import { gzipSync } from "node:zlib";
import { afterAll, assert, beforeAll, describe, it } from "vitest";
import WebSocket from "ws";
import { makeBatches } from "../bench/load.ts";
import { AuthService } from "../src/auth/service.ts";
import { openPostgresStore } from "../src/store/postgres/store.ts";
import { createDatabase, startCluster, type PgCluster } from "./support/postgres.ts";
import { startServer, type ServerProcess } from "./support/server-process.ts";

let cluster: PgCluster | undefined;
let databaseUrl: string;
let a: ServerProcess | undefined;
let b: ServerProcess | undefined;
let token: string;
let teamId: string;

beforeAll(async () => {
  cluster = await startCluster();
  databaseUrl = await createDatabase(cluster.adminUrl);
  // The team and its token are made in-process (the admin commands have their own tests); the servers are real.
  const store = openPostgresStore({ url: databaseUrl });
  try {
    await store.migrate();
    const auth = new AuthService(store);
    teamId = (await auth.createTeam("fanout")).id;
    token = (await auth.createApiToken("fanout")).token;
  } finally {
    await store.close();
  }
  [a, b] = await Promise.all([startServer(["--database-url", databaseUrl]), startServer(["--database-url", databaseUrl])]);
}, 90_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await cluster?.stop();
});

interface Frame {
  readonly type: string;
  readonly event_id?: string;
  readonly seq?: number;
  readonly envelope?: { readonly event_id: string };
}

/** A WebSocket subscriber of the team on `server`, connected the way a current CLI connects. */
const subscribe = async (server: ServerProcess): Promise<{ frames: Array<Frame>; until: (n: number, ms?: number) => Promise<Array<Frame>>; close: () => void }> => {
  const res = await fetch(`${server.baseUrl}/api/v1/ws-token`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ team_id: teamId }),
    signal: AbortSignal.timeout(10_000),
  });
  assert.strictEqual(res.status, 200, await res.clone().text());
  const { ws_token, ws_url } = (await res.json()) as { ws_token: string; ws_url: string };
  assert.strictEqual(new URL(ws_url).port, String(server.port), "the ws_url points at the process that issued it");
  const ws = new WebSocket(ws_url, { headers: { authorization: `Bearer ${ws_token}`, "x-spec-kitty-sync-protocol": "2.0" }, handshakeTimeout: 10_000 });
  const frames: Array<Frame> = [];
  ws.on("message", (data) => frames.push(JSON.parse(String(data)) as Frame));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const until = async (n: number, ms = 15_000): Promise<Array<Frame>> => {
    const end = Date.now() + ms;
    while (frames.length < n) {
      if (Date.now() > end) throw new Error(`the subscriber received ${frames.length} of ${n} frames within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return frames;
  };
  return { frames, until, close: () => ws.close() };
};

const post = async (server: ServerProcess, events: ReadonlyArray<unknown>): Promise<{ status: number; body: string }> => {
  const res = await fetch(`${server.baseUrl}/api/v1/events/batch/`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-encoding": "gzip" },
    body: gzipSync(JSON.stringify({ events })),
    signal: AbortSignal.timeout(45_000),
  });
  return { status: res.status, body: await res.text() };
};

const postBatch = async (server: ServerProcess, events: ReadonlyArray<unknown>): Promise<Array<{ event_id: string; status: string }>> => {
  const { status, body } = await post(server, events);
  assert.strictEqual(status, 200, body);
  return (JSON.parse(body) as { results: Array<{ event_id: string; status: string }> }).results;
};

const project = { uuid: "7d0c7d26-54c1-4c55-8a3c-0f1a4a5b8c9d", slug: "fanout" };

describe("two server processes on one PostgreSQL database", () => {
  it("an event ingested through one reaches a WebSocket subscriber of the other", async () => {
    const sub = await subscribe(b!);
    try {
      await sub.until(1);
      assert.strictEqual(sub.frames[0]?.type, "snapshot", "the snapshot comes first");
      const [events] = makeBatches(1, 1, project);
      const results = await postBatch(a!, events!);
      assert.deepStrictEqual(results, [{ event_id: events![0]!.event_id, status: "success" }]);
      const frames = await sub.until(2);
      assert.strictEqual(frames[1]?.type, "event");
      assert.strictEqual(frames[1]?.event_id, events![0]!.event_id);
      assert.strictEqual(frames[1]?.envelope?.event_id, events![0]!.event_id);
    } finally {
      sub.close();
    }
  });

  it("a 1000-event batch ingested through one arrives whole, in order, at the other's subscriber", async () => {
    const sub = await subscribe(b!);
    try {
      await sub.until(1);
      const [events] = makeBatches(1, 1000, project);
      const results = await postBatch(a!, events!);
      assert.strictEqual(results.filter((r) => r.status === "success").length, 1000);
      const frames = (await sub.until(1001, 30_000)).slice(1);
      assert.deepStrictEqual(
        frames.map((f) => f.event_id),
        events!.map((e) => e.event_id),
      );
      const seqs = frames.map((f) => f.seq!);
      assert.deepStrictEqual(seqs, [...seqs].sort((x, y) => x - y));
    } finally {
      sub.close();
    }
  });

  it("the publishing process's own subscriber also gets the event exactly once", async () => {
    const own = await subscribe(a!);
    try {
      await own.until(1);
      const [events] = makeBatches(1, 3, project);
      await postBatch(a!, events!);
      await own.until(4);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepStrictEqual(
        own.frames.slice(1).map((f) => f.event_id),
        events!.map((e) => e.event_id),
      );
    } finally {
      own.close();
    }
  });

  it("PostgreSQL goes down and comes back: 503 meanwhile, then ingest and cross-process fan-out resume", async () => {
    const sub = await subscribe(b!);
    try {
      await sub.until(1);
      const [before, during, after] = makeBatches(3, 2, project);
      await postBatch(a!, before!);
      await sub.until(3);

      await cluster!.halt();
      const down = await post(a!, during!);
      assert.strictEqual(down.status, 503, down.body);
      const ready = await fetch(`${a!.baseUrl}/readyz`, { signal: AbortSignal.timeout(20_000) });
      assert.strictEqual(ready.status, 503, "not ready while the database is down");

      await cluster!.resume();
      const end = Date.now() + 30_000;
      let up = await post(a!, after!);
      while (up.status !== 200 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 250));
        up = await post(a!, after!);
      }
      assert.strictEqual(up.status, 200, up.body);

      // b's subscriber gets what a ingested after the outage: b's LISTEN connection came back (or caught up by seq).
      const frames = await sub.until(5, 30_000);
      assert.deepStrictEqual(
        frames.slice(1).map((f) => f.event_id),
        [...before!, ...after!].map((e) => e.event_id),
      );
    } finally {
      sub.close();
    }
  });
});
