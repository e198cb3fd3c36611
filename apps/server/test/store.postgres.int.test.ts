import { afterAll, assert, describe, inject, it } from "vitest";
import { openStore } from "../src/store/open.ts";
import { StoreError, type AppendItem } from "../src/store/port.ts";
import "../src/store/postgres/register.ts";
import { openPostgresStore } from "../src/store/postgres/store.ts";
import { describeStore } from "./store-suite.ts";
import { createDatabase, createSchema, dropDatabase, dropSchema } from "./support/postgres.ts";

const adminUrl = inject("pgAdminUrl");

// One database for this file; every test gets a schema of its own in it (a fresh, empty store).
let database: string | undefined;
const freshStoreUrl = async (): Promise<string> => createSchema((database ??= await createDatabase(adminUrl)));

afterAll(async () => {
  if (database !== undefined) await dropDatabase(adminUrl, database);
});

describeStore("postgres", async () => {
  const url = await freshStoreUrl();
  const store = await openStore({ kind: "postgres", databaseUrl: url });
  const others: Array<{ close: () => Promise<void> }> = [];
  return {
    store,
    reopen: async () => {
      const s = await openStore({ kind: "postgres", databaseUrl: url });
      others.push(s);
      return s;
    },
    dispose: async () => {
      await store.close();
      for (const s of others) await s.close();
      await dropSchema(url);
    },
  };
});

const event = (eventId: string): AppendItem => ({
  eventId,
  rawEventId: eventId,
  eventType: "WPCreated",
  projectUuid: "p",
  missionKey: "m",
  lamportClock: 1,
  timestamp: null,
  raw: JSON.stringify({ event_id: eventId }),
  canonical: null,
  verdict: "valid",
  violations: null,
  source: "http",
});

describe("PostgreSQL store specifics", () => {
  it("several processes migrating one empty database at once apply each migration exactly once", async () => {
    const url = await freshStoreUrl();
    const stores = Array.from({ length: 4 }, () => openPostgresStore({ url }));
    try {
      const reports = await Promise.all(stores.map((s) => s.migrate()));
      const applied = reports.flatMap((r) => r.applied);
      const version = await stores[0]!.schemaVersion();
      assert.isAtLeast(version, 1);
      assert.deepStrictEqual(applied, Array.from({ length: version }, (_, i) => i + 1), "each version applied once, by one of them");
    } finally {
      for (const s of stores) await s.close();
      await dropSchema(url);
    }
  });

  it("a reader tailing by seq cursor misses nothing while two processes append one team's batches concurrently", async () => {
    const url = await freshStoreUrl();
    const writers = [openPostgresStore({ url }), openPostgresStore({ url })];
    const reader = openPostgresStore({ url });
    try {
      await writers[0]!.migrate();
      const batches = Array.from({ length: 24 }, (_, b) =>
        Array.from({ length: 50 }, (_, i) => event(`T${String(b).padStart(2, "0")}-${String(i).padStart(3, "0")}`)),
      );
      const seen: Array<string> = [];
      let done = false;
      const tail = (async () => {
        let after = 0;
        for (;;) {
          const finished = done;
          const page = await reader.readEvents({ teamId: "t", afterSeq: after, limit: 1000 });
          for (const e of page) {
            seen.push(e.eventId);
            after = e.seq;
          }
          if (finished && page.length === 0) return;
        }
      })();
      await Promise.all(batches.map((items, b) => writers[b % 2]!.appendBatch({ teamId: "t", receivedAt: b, items })));
      done = true;
      await tail;
      assert.strictEqual(seen.length, 24 * 50, "every event read exactly once");
      assert.strictEqual(new Set(seen).size, 24 * 50);
    } finally {
      for (const s of [...writers, reader]) await s.close();
      await dropSchema(url);
    }
  });

  it("raw, canonical and violations come back exactly, whether a batch's JSON columns are packed or not", async () => {
    const url = await freshStoreUrl();
    const store = openPostgresStore({ url });
    try {
      await store.migrate();
      const packed = [
        { ...event("P1"), raw: '{"a":"quote \\" and \\\\ backslash","n":[1,2]}', canonical: null, violations: '[{"code":"X"}]' },
        { ...event("P2"), raw: "{}", canonical: '{"b":"\\u001e escaped, not raw"}' },
      ];
      // Values the packed form cannot carry: an empty text, the separator and the null mark themselves.
      const unpacked = [
        { ...event("U1"), raw: "" },
        { ...event("U2"), raw: "x\u001ey", canonical: "\u001f" },
      ];
      for (const items of [packed, unpacked]) {
        const outcomes = await store.appendBatch({ teamId: "t", receivedAt: 1, items });
        assert.deepStrictEqual(outcomes.map((o) => o.kind), items.map(() => "stored"));
        for (const item of items) {
          const stored = await store.eventById("t", item.eventId);
          assert.deepStrictEqual([stored?.raw, stored?.canonical, stored?.violations], [item.raw, item.canonical, item.violations], item.eventId);
        }
      }
    } finally {
      await store.close();
      await dropSchema(url);
    }
  });

  it("the event log refuses UPDATE and DELETE", async () => {
    const url = await freshStoreUrl();
    const store = openPostgresStore({ url });
    try {
      await store.migrate();
      await store.appendBatch({
        teamId: "t",
        receivedAt: 1,
        items: [
          {
            eventId: "E1",
            rawEventId: "E1",
            eventType: "WPCreated",
            projectUuid: null,
            missionKey: null,
            lamportClock: 1,
            timestamp: null,
            raw: "{}",
            canonical: null,
            verdict: "valid",
            violations: null,
            source: "http",
          },
        ],
      });
      for (const sql of ["DELETE FROM events", "UPDATE events SET raw = '{\"x\":1}'"]) {
        const error = await store.pool.query(sql).then(
          () => undefined,
          (e: Error) => e.message,
        );
        assert.include(error ?? "no error", "append-only", sql);
      }
      assert.strictEqual((await store.eventById("t", "E1"))?.raw, "{}");
    } finally {
      await store.close();
      await dropSchema(url);
    }
  });

  it("a database that cannot be reached is 'unavailable' within the connect deadline", async () => {
    const store = openPostgresStore({ url: "postgres://postgres@127.0.0.1:1/nothing", connectTimeoutMs: 2_000 });
    const started = Date.now();
    const error = await store.ping().then(
      () => undefined,
      (e: unknown) => e,
    );
    await store.close();
    assert.instanceOf(error, StoreError);
    assert.strictEqual((error as StoreError).code, "unavailable");
    assert.isBelow(Date.now() - started, 10_000);
  });

  it("an event id holding U+0000 is refused naming the event and field, and nothing of the batch is stored", async () => {
    const url = await freshStoreUrl();
    const store = openPostgresStore({ url });
    try {
      await store.migrate();
      const base = {
        rawEventId: "ok",
        eventType: "WPCreated",
        projectUuid: null,
        missionKey: null,
        lamportClock: 1,
        timestamp: null,
        raw: "{}",
        canonical: null,
        verdict: "valid" as const,
        violations: null,
        source: "http" as const,
      };
      const error = await store
        .appendBatch({ teamId: "t", receivedAt: 1, items: [{ ...base, eventId: "ok" }, { ...base, eventId: "bad\u0000id", rawEventId: "bad\u0000id" }] })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.instanceOf(error, StoreError);
      assert.strictEqual((error as StoreError).code, "invalid");
      assert.include((error as StoreError).message, "bad\\u0000id");
      assert.include((error as StoreError).message, "eventId");
      assert.deepStrictEqual(await store.readEvents({ teamId: "t", limit: 10 }), []);
    } finally {
      await store.close();
      await dropSchema(url);
    }
  });
});
