/**
 * Delivery benchmark: `spec-kitty sync now` of N captured events (default 100,000) to a local spec-kitty-server on
 * SQLite, end to end (CLI process start to exit, server storing every event). Prints events/s.
 *
 *   node tooling/e2e/bench/sync-now.ts [N]
 */
import { Machine, createAccount, makeProject, readToken, serverEvents, startServer } from "../src/processes.ts";

const count = Number(process.argv[2] ?? 100_000);
const server = await startServer();
try {
  const account = await createAccount(server.data, "bench", "bench@example.com");
  const machine = new Machine();
  const project = makeProject("bench");
  const login = await machine.cli(["auth", "login", "--server", server.url, "--username", account.email, "--password-stdin"], { cwd: project.dir, input: `${account.password}\n` });
  if (login.status !== 0) throw new Error(login.stderr);
  if ((await machine.cli(["sync", "enable"], { cwd: project.dir })).status !== 0) throw new Error("sync enable failed");
  const seedStarted = Date.now();
  await machine.seed(project.dir, count, 1_800_000);
  process.stdout.write(`captured ${count} events in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s\n`);
  const run = await machine.cli(["sync", "now", "--json"], { cwd: project.dir, timeoutMs: 1_800_000 });
  if (run.status !== 0) throw new Error(`sync now failed (${run.status}): ${run.stderr}`);
  const summary = (JSON.parse(run.stdout) as { summary: { synced: number; remaining: number } }).summary;
  const token = await readToken(server.url, account.email, account.password);
  const stored = new Set(await serverEvents(server.url, token, project.uuid)).size;
  process.stdout.write(
    `sync now: ${summary.synced} synced, ${summary.remaining} remaining, ${stored} stored by the server; ` +
      `${(run.ms / 1000).toFixed(2)} s end to end = ${Math.round(count / (run.ms / 1000))} events/s\n`,
  );
  if (stored !== count) process.exitCode = 1;
} finally {
  await server.stop();
}
