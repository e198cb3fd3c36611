/**
 * Delivery benchmark: `spec-kitty sync now` of N captured events (default 100,000), end to end (CLI process start to
 * exit, every event stored by the receiving side).
 *
 *   node tooling/e2e/bench/sync-now.ts [N]                 to a local spec-kitty-server on SQLite
 *   node tooling/e2e/bench/sync-now.ts [N] --null-server   to a loopback receiver that only gunzips, parses and
 *                                                          answers success (the client's own ceiling)
 *
 * Environment: BENCH_PROFILE=DIR writes a CPU profile of the `sync now` process, BENCH_PROFILE_SERVER=DIR one of the
 * server process.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { Machine, createAccount, makeProject, readToken, serverEvents, startServer } from "../src/processes.ts";

const count = Number(process.argv[2] ?? 100_000);
const nullServer = process.argv.includes("--null-server");

interface Receiver {
  readonly url: string;
  readonly email: string;
  readonly password: string;
  stored(projectUuid: string): Promise<number>;
  stop(): Promise<void>;
}

const realReceiver = async (): Promise<Receiver> => {
  // BENCH_PROFILE_SERVER=DIR writes a CPU profile of the server process (on its exit) into DIR.
  const profile = process.env["BENCH_PROFILE_SERVER"];
  const server = await startServer(profile ? { env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profile}` } } : {});
  const account = await createAccount(server.data, "bench", "bench@example.com");
  return {
    url: server.url,
    email: account.email,
    password: account.password,
    stored: async (projectUuid) => new Set(await serverEvents(server.url, await readToken(server.url, account.email, account.password), projectUuid)).size,
    stop: () => server.stop(),
  };
};

const nullReceiver = async (): Promise<Receiver> => {
  const ids = new Set<string>();
  const http = createServer((req, res) => {
    const chunks: Array<Buffer> = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.url === "/api/v1/token/") return send(200, { access: "a", refresh: "r", team_slug: "bench", expires_in: 3600 });
      if (req.url !== "/api/v1/events/batch/") return send(404, {});
      const events = (JSON.parse(gunzipSync(Buffer.concat(chunks)).toString("utf8")) as { events: Array<{ event_id: string }> }).events;
      for (const e of events) ids.add(e.event_id);
      send(200, { results: events.map((e) => ({ event_id: e.event_id, status: "success" })) });
    });
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    email: "bench@example.com",
    password: "x",
    stored: async () => ids.size,
    stop: () => new Promise<void>((r) => http.close(() => r())),
  };
};

const receiver = nullServer ? await nullReceiver() : await realReceiver();
try {
  const machine = new Machine();
  const project = makeProject("bench");
  const login = await machine.cli(["auth", "login", "--server", receiver.url, "--username", receiver.email, "--password-stdin"], { cwd: project.dir, input: `${receiver.password}\n` });
  if (login.status !== 0) throw new Error(login.stderr);
  if ((await machine.cli(["sync", "enable"], { cwd: project.dir })).status !== 0) throw new Error("sync enable failed");
  const seedStarted = Date.now();
  await machine.seed(project.dir, count, 1_800_000);
  process.stdout.write(`captured ${count} events in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s\n`);
  const run = await machine.cli(["sync", "now", "--json"], { cwd: project.dir, timeoutMs: 1_800_000, ...(process.env["BENCH_PROFILE"] ? { env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env["BENCH_PROFILE"]}` } } : {}) });
  if (run.status !== 0) throw new Error(`sync now failed (${run.status}): ${run.stderr}`);
  const summary = (JSON.parse(run.stdout) as { summary: { synced: number; remaining: number } }).summary;
  const stored = await receiver.stored(project.uuid);
  process.stdout.write(
    `${nullServer ? "null receiver" : "spec-kitty-server (SQLite)"}: ${summary.synced} synced, ${summary.remaining} remaining, ${stored} stored; ` +
      `sync now ${(run.ms / 1000).toFixed(2)} s end to end = ${Math.round(count / (run.ms / 1000))} events/s\n`,
  );
  if (stored !== count) process.exitCode = 1;
} finally {
  await receiver.stop();
}
