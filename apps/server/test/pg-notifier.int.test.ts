import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, assert, beforeAll, describe, inject, it } from "vitest";
import type { Notice } from "../src/realtime/notifier.ts";
import { PgNotifier } from "../src/realtime/pg-notifier.ts";
import { StoreError, type AppendItem } from "../src/store/port.ts";
import { openPostgresStore, type PostgresStore } from "../src/store/postgres/store.ts";
import { createDatabase, dropDatabase } from "./support/postgres.ts";

const adminUrl = inject("pgAdminUrl");
let url: string;
let store: PostgresStore;

beforeAll(async () => {
  url = await createDatabase(adminUrl);
  store = openPostgresStore({ url });
  await store.migrate();
});

afterAll(async () => {
  await store?.close();
  await dropDatabase(adminUrl, url);
});

/** Two notifiers on one database stand for two server processes: separate connections, separate origins. */
const pair = async (): Promise<readonly [PgNotifier, PgNotifier, Array<string>]> => {
  const logs: Array<string> = [];
  const a = await PgNotifier.open({ url, pool: store.pool, log: (l) => logs.push(`a: ${l}`) });
  const b = await PgNotifier.open({ url, pool: store.pool, log: (l) => logs.push(`b: ${l}`), maxBackoffMs: 200 });
  return [a, b, logs];
};

const waitFor = async (condition: () => boolean, deadlineMs: number): Promise<void> => {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Collects what a listener receives; `until(n)` waits (with a deadline) for at least n notices. */
const collector = () => {
  const got: Array<Notice> = [];
  const until = async (n: number, deadlineMs = 10_000): Promise<Array<Notice>> => {
    const end = Date.now() + deadlineMs;
    while (got.length < n) {
      if (Date.now() > end) throw new Error(`received ${got.length} of ${n} notices within ${deadlineMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return got;
  };
  return { got, listener: (ns: ReadonlyArray<Notice>) => got.push(...ns), until };
};

const storeEvents = async (teamId: string, ids: ReadonlyArray<string>, envelopeBytes = 200): Promise<Array<Notice>> => {
  const items: Array<AppendItem> = ids.map((id) => ({
    eventId: id,
    rawEventId: id,
    eventType: "WPStatusChanged",
    projectUuid: `p-${teamId}`,
    missionKey: "m",
    lamportClock: 1,
    timestamp: null,
    raw: JSON.stringify({ event_id: id, pad: "x".repeat(envelopeBytes) }),
    canonical: null,
    verdict: "valid",
    violations: null,
    source: "http",
  }));
  const outcomes = await store.appendBatch({ teamId, receivedAt: 1, items });
  return outcomes.map((o, i) => {
    if (o.kind !== "stored") throw new Error(`event ${ids[i]} was not stored: ${o.kind}`);
    return {
      teamId,
      projectUuid: items[i]!.projectUuid,
      missionKey: items[i]!.missionKey,
      seq: o.seq,
      eventId: items[i]!.eventId,
      eventType: items[i]!.eventType,
      envelope: items[i]!.raw,
    };
  });
};

describe("PostgreSQL LISTEN/NOTIFY notifier", () => {
  it("a small publication reaches the other process inline, and the publisher's own subscribers once", async () => {
    const [a, b] = await pair();
    try {
      const onA = collector();
      const onB = collector();
      const otherTeam = collector();
      a.subscribe("team-1", onA.listener);
      b.subscribe("team-1", onB.listener);
      b.subscribe("team-2", otherTeam.listener);
      const notices = await storeEvents("team-1", ["S1", "S2"]);
      await a.publish("team-1", notices);
      assert.deepStrictEqual(await onB.until(2), notices);
      assert.deepStrictEqual(onA.got, notices, "delivered locally at once");
      await new Promise((r) => setTimeout(r, 200));
      assert.strictEqual(onA.got.length, 2, "the publisher ignores its own NOTIFY");
      assert.deepStrictEqual(otherTeam.got, [], "another team's subscribers get nothing");
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a 1000-event publication, far beyond the 8000-byte payload limit, arrives whole and in seq order", async () => {
    const [a, b] = await pair();
    try {
      const onB = collector();
      b.subscribe("team-big", onB.listener);
      const ids = Array.from({ length: 1000 }, (_, i) => `BIG-${String(i).padStart(4, "0")}`);
      const notices = await storeEvents("team-big", ids, 1_000);
      await a.publish("team-big", notices);
      const got = await onB.until(1000);
      assert.strictEqual(got.length, 1000);
      assert.deepStrictEqual(got, notices);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("opening against a database that cannot be reached fails as 'unavailable' within the connect deadline", async () => {
    const started = Date.now();
    const error = await PgNotifier.open({ url: "postgres://postgres@127.0.0.1:1/nothing", pool: store.pool, connectTimeoutMs: 2_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instanceOf(error, StoreError);
    assert.strictEqual((error as StoreError).code, "unavailable");
    assert.include((error as StoreError).message, "cannot LISTEN on PostgreSQL at postgres://postgres@127.0.0.1:1/nothing");
    assert.isBelow(Date.now() - started, 10_000);
  });

  it("a LISTEN connection that silently stops answering is found by the heartbeat's deadline and replaced", async () => {
    // A loopback TCP proxy in front of the cluster; freezing it stalls the established connections without closing them.
    const target = new URL(url);
    const live = new Set<Socket>();
    let frozen = false;
    const proxy = createServer((inbound) => {
      const outbound = connect(Number(target.port), target.hostname);
      for (const [from, to] of [[inbound, outbound], [outbound, inbound]] as const) {
        from.on("data", (chunk) => { if (!frozen) to.write(chunk); });
        from.on("error", () => to.destroy());
        from.on("close", () => to.destroy());
        live.add(from);
      }
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    const proxied = new URL(url);
    proxied.port = String((proxy.address() as AddressInfo).port);
    const logs: Array<string> = [];
    const b = await PgNotifier.open({ url: proxied.toString(), pool: store.pool, heartbeatMs: 200, queryTimeoutMs: 500, maxBackoffMs: 200, log: (l) => logs.push(l) });
    const a = await PgNotifier.open({ url, pool: store.pool, log: () => undefined });
    try {
      const onB = collector();
      b.subscribe("team-h", onB.listener);
      await a.publish("team-h", await storeEvents("team-h", ["H1"]));
      await onB.until(1);
      frozen = true;
      const stalled = [...live];
      await waitFor(() => logs.some((l) => l.includes("lost the PostgreSQL LISTEN connection")), 10_000);
      for (const s of stalled) s.destroy();
      frozen = false;
      await a.publish("team-h", await storeEvents("team-h", ["H2"]));
      const got = await onB.until(2);
      assert.deepStrictEqual([...new Set(got.map((n) => n.eventId))].sort(), ["H1", "H2"]);
    } finally {
      await a.close();
      await b.close();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it("after its LISTEN connection is killed, a process reconnects and delivers what it missed", async () => {
    const [a, b, logs] = await pair();
    try {
      const onB = collector();
      b.subscribe("team-r", onB.listener);
      await a.publish("team-r", await storeEvents("team-r", ["R1"]));
      await onB.until(1);
      const killed = await store.pool.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'spec-kitty-server listen' AND datname = current_database()",
      );
      assert.isAtLeast(killed.rowCount ?? 0, 1);
      // Published while b may be disconnected: b must still get both, through the NOTIFY or the catch-up read.
      const missed = await storeEvents("team-r", ["R2", "R3"]);
      await a.publish("team-r", missed);
      const got = await onB.until(3);
      assert.deepStrictEqual(
        [...new Set(got.map((n) => n.eventId))].sort(),
        ["R1", "R2", "R3"],
      );
      assert.isTrue(logs.some((l) => l.includes("lost the PostgreSQL LISTEN connection")), logs.join("\n"));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
