/**
 * Benchmark: ingest on PostgreSQL (ADR-0015). Starts a throwaway cluster with durable settings (fsync, full-page
 * writes and synchronous commit on, as a production database runs), then measures 1000-event batches sent over 4
 * concurrent connections:
 *
 *   store   `PostgresStore.appendBatch` in-process, 4 concurrent calls on the store's pool (the storage alone);
 *   http    `POST /api/v1/events/batch/` with gzip bodies over 4 keep-alive HTTP connections to one
 *           `spec-kitty-server serve --database-url` process, then to two processes on the same database (2
 *           connections each, as behind a load balancer): the whole ingest path (auth, gunzip, decode, validate,
 *           store, fan-out), and how it scales out.
 *
 * Prints events/s and the p50/p99 batch latency of each. Usage:
 *   node bench/pg-ingest.ts [store|http|all] [batches=40]
 */
import { cpus, loadavg } from "node:os";
import type { AppendItem } from "../src/store/port.ts";
import { openPostgresStore } from "../src/store/postgres/store.ts";
import { createDatabase, startCluster } from "../test/support/postgres.ts";
import { drive, makeBatches, report, type Envelope } from "./load.ts";

const MODE = process.argv[2] ?? "all";
const BATCHES = Number(process.argv[3] ?? 40);
const BATCH_SIZE = 1000;
const CONNECTIONS = 4;

const toItem = (e: Envelope): AppendItem => {
  const raw = JSON.stringify(e);
  return {
    eventId: e.event_id,
    rawEventId: e.event_id,
    eventType: String(e["event_type"]),
    projectUuid: String(e["project_uuid"]),
    missionKey: "042-bench-mission",
    lamportClock: Number(e["lamport_clock"]),
    timestamp: String(e["timestamp"]),
    raw,
    canonical: raw,
    verdict: "valid",
    violations: null,
    source: "http",
  };
};

const storeIngest = async (adminUrl: string): Promise<void> => {
  for (const teams of [1, 4]) {
    const url = await createDatabase(adminUrl, "sk_bench");
    const store = openPostgresStore({ url, max: CONNECTIONS });
    try {
      await store.migrate();
      const warm = makeBatches(2, BATCH_SIZE, { uuid: "00000000-0000-4000-8000-000000000000", slug: "warm" });
      for (const b of warm) await store.appendBatch({ teamId: "warm", receivedAt: Date.now(), items: b.map(toItem) });
      const batches = makeBatches(BATCHES, BATCH_SIZE, { uuid: "550e8400-e29b-41d4-a716-446655440000", slug: "bench" }).map((b, i) => ({
        team: `team-${i % teams}`,
        items: b.map((e) => toItem({ ...e, project_uuid: `550e8400-e29b-41d4-a716-44665544000${i % teams}` })),
      }));
      const result = await drive(
        batches,
        CONNECTIONS,
        (b) => b.items.length,
        async (b) => {
          const outcomes = await store.appendBatch({ teamId: b.team, receivedAt: Date.now(), items: b.items });
          if (outcomes.some((o) => o.kind !== "stored")) throw new Error("bench batch not stored in full");
        },
      );
      console.log(report(`store.appendBatch, ${CONNECTIONS} connections, ${teams} team(s)`, result));
    } finally {
      await store.close();
    }
  }
};

const main = async (): Promise<void> => {
  const cluster = await startCluster({ durable: true });
  try {
    console.log(
      `PostgreSQL ${cluster.binDir.split("/").at(-2)} (durable: fsync, synchronous_commit on), ${BATCHES} batches of ${BATCH_SIZE} events; ` +
        `${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
    );
    if (MODE === "store" || MODE === "all") await storeIngest(cluster.adminUrl);
    if (MODE === "http" || MODE === "all") {
      const { runHttpIngest } = await import("./pg-ingest-http.ts");
      for (const processes of [1, 2]) {
        const url = await createDatabase(cluster.adminUrl, "sk_bench");
        const result = await runHttpIngest(url, BATCHES, BATCH_SIZE, CONNECTIONS, processes);
        console.log(report(`HTTP batch ingest (gzip), ${CONNECTIONS} connections, ${processes} server process(es)`, result));
      }
    }
  } finally {
    await cluster.stop();
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  }
};

await main();
