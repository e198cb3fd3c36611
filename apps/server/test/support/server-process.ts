/**
 * `spec-kitty-server` as a real child process, for the multi-process and benchmark runs: the CLI from source, on a
 * free loopback port, ready once `/readyz` answers 200, stopped with SIGTERM (SIGKILL after a deadline).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { freeLoopbackPort } from "./postgres.ts";

export const SERVER_BIN = resolve(import.meta.dirname, "../../src/bin.ts");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one `spec-kitty-server` command to completion, within a deadline. */
export const runServerCli = (args: ReadonlyArray<string>, deadlineMs = 30_000): Promise<CliResult> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [SERVER_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`spec-kitty-server ${args.join(" ")} did not finish within ${deadlineMs} ms\n${stderr}`));
    }, deadlineMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 1, stdout, stderr });
    });
  });

export interface ServerProcess {
  readonly baseUrl: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr so far (its log). */
  readonly log: () => string;
  readonly stop: () => Promise<void>;
}

/** Starts `spec-kitty-server serve ARGS --host 127.0.0.1 --port <free>` and waits until it is ready. */
export const startServer = async (args: ReadonlyArray<string>, deadlineMs = 20_000): Promise<ServerProcess> => {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, [SERVER_BIN, "serve", ...args, "--host", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (c: Buffer) => (log += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (log += c.toString()));
  let exited: number | null | undefined;
  const exit = new Promise<void>((r) =>
    child.on("exit", (code) => {
      exited = code;
      r();
    }),
  );
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exit;
    clearTimeout(timer);
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`spec-kitty-server serve exited with ${exited} before it was ready:\n${log}`);
    if (Date.now() > until) {
      await stop();
      throw new Error(`spec-kitty-server serve was not ready within ${deadlineMs} ms:\n${log}`);
    }
    const ready = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { baseUrl, port, child, log: () => log, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** Creates a team and an API token for it through the server's own admin commands. */
export const provisionTeam = async (databaseUrl: string, slug: string): Promise<{ token: string; teamId: string }> => {
  const team = await runServerCli(["team", "create", slug, "--database-url", databaseUrl]);
  if (team.code !== 0) throw new Error(`team create failed (exit ${team.code}): ${team.stderr}`);
  const created = await runServerCli(["token", "create", "--team", slug, "--database-url", databaseUrl, "--json"]);
  if (created.code !== 0) throw new Error(`token create failed (exit ${created.code}): ${created.stderr}`);
  const parsed = JSON.parse(created.stdout) as { token: string; team: { id: string } };
  return { token: parsed.token, teamId: parsed.team.id };
};
