import { existsSync } from "node:fs";
import pg from "pg";
import { assert, describe, inject, it } from "vitest";
import { createDatabase, dropDatabase, startCluster } from "./support/postgres.ts";

const query = async (url: string, sql: string): Promise<Array<Record<string, unknown>>> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

describe("throwaway PostgreSQL cluster", () => {
  it("starts on a loopback port, answers a query, and is gone after stop", async () => {
    const cluster = await startCluster();
    let stopped = false;
    try {
      assert.match(cluster.adminUrl, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      const rows = await query(cluster.adminUrl, "SELECT current_setting('listen_addresses') AS listen, 6 * 7 AS answer");
      assert.deepStrictEqual(rows, [{ listen: "127.0.0.1", answer: 42 }]);
      await cluster.stop();
      stopped = true;
      assert.isFalse(existsSync(cluster.dataDir), "the cluster's directory is removed");
      const refused = await query(cluster.adminUrl, "SELECT 1").then(
        () => "answered",
        (error: NodeJS.ErrnoException) => error.code ?? String(error),
      );
      assert.strictEqual(refused, "ECONNREFUSED");
    } finally {
      if (!stopped) await cluster.stop();
    }
  });

  it("the run's shared cluster gives each suite a database of its own", async () => {
    const adminUrl = inject("pgAdminUrl");
    const a = await createDatabase(adminUrl);
    const b = await createDatabase(adminUrl);
    try {
      assert.notStrictEqual(a, b);
      await query(a, "CREATE TABLE only_in_a (x int)");
      const inA = await query(a, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_in_a'");
      const inB = await query(b, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_in_a'");
      assert.deepStrictEqual([inA[0]?.["n"], inB[0]?.["n"]], [1, 0]);
    } finally {
      await dropDatabase(adminUrl, a);
      await dropDatabase(adminUrl, b);
    }
  });
});
