import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
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

const ENSURE = resolve(import.meta.dirname, "../../../tooling/postgres/ensure.sh");

const ensure = (args: ReadonlyArray<string>, env: Record<string, string> = {}, asNobody = false) => {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asNobody && asRoot ? ["runuser", ["-u", "nobody", "--", "bash", ENSURE, ...args]] : ["bash", [ENSURE, ...args]];
  const r = spawnSync(file as string, argv as Array<string>, { encoding: "utf8", timeout: 30_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
};

describe("tooling/postgres/ensure.sh", () => {
  it("prints the directory of the installed server binaries, quickly and without installing", () => {
    const r = ensure([]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\/usr\/lib\/postgresql\/\d+\/bin$/);
    for (const bin of ["initdb", "pg_ctl", "postgres"]) assert.isTrue(existsSync(`${r.stdout}/${bin}`), bin);
  });

  it("without the binaries, --check and a user who is not root fail with exit 1 and say what to do", () => {
    const check = ensure(["--check"], { SPEC_KITTY_POSTGRES_LIB: "/nonexistent/postgresql" });
    assert.strictEqual(check.code, 1);
    assert.include(check.stderr, "not found under /nonexistent/postgresql/*/bin");
    assert.include(check.stderr, "apt-get install -y postgresql");
    const notRoot = ensure([], { SPEC_KITTY_POSTGRES_LIB: "/nonexistent/postgresql" }, true);
    assert.strictEqual(notRoot.code, 1);
    assert.include(notRoot.stderr, "this is not root");
    assert.strictEqual(notRoot.stdout, "");
  });
});

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
