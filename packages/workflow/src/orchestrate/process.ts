import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Runs one agent process with a deadline: the agent is started in its own process group, so on timeout (or when
 * the run is stopped) the whole group gets SIGTERM, then SIGKILL after the grace period; a process that ignores
 * both is abandoned after a last short wait, so this never waits forever. The log file gets a header first (it
 * exists while the agent runs) and the raw output when it ends.
 */
export interface ProcessRequest {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly stdin: string | null;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly graceMs: number;
  readonly logPath: string;
  readonly header: string;
  /** Aborting stops the agent the same way a timeout does. */
  readonly signal?: AbortSignal;
}

export interface ProcessOutcome {
  /** Null when the process was killed by a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** Set when the executable could not be started (ENOENT, EACCES). */
  readonly spawnError: string | null;
}

const MAX_CAPTURE = 4 * 1024 * 1024;

export const runAgentProcess = (req: ProcessRequest): Promise<ProcessOutcome> =>
  new Promise((resolve) => {
    const started = Date.now();
    mkdirSync(dirname(req.logPath), { recursive: true });
    writeFileSync(req.logPath, `${req.header}\n`);
    const [command, ...args] = req.argv;
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const child = spawn(command ?? "", args, {
      cwd: req.cwd,
      env: req.env ?? process.env,
      stdio: [req.stdin === null ? "ignore" : "pipe", "pipe", "pipe"],
      detached: true,
    });
    const finish = (exitCode: number | null, signal: string | null, spawnError: string | null): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      req.signal?.removeEventListener("abort", onAbort);
      const durationMs = Date.now() - started;
      const trailer = [
        "--- stdout ---",
        stdout,
        "--- stderr ---",
        stderr,
        `--- end: exit ${exitCode ?? "none"}${signal === null ? "" : `, signal ${signal}`}${timedOut ? ", timed out" : ""}${aborted ? ", stopped" : ""}${spawnError === null ? "" : `, ${spawnError}`} after ${(durationMs / 1000).toFixed(1)} s ---`,
        "",
      ].join("\n");
      try {
        appendFileSync(req.logPath, trailer);
      } catch {
        // the log is a convenience; the outcome is returned either way
      }
      resolve({ exitCode, signal, timedOut, aborted, stdout, stderr, durationMs, spawnError });
    };
    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          // already gone
        }
      }
    };
    const stop = (): void => {
      killGroup("SIGTERM");
      timers.push(
        setTimeout(() => {
          killGroup("SIGKILL");
          // A process that survives SIGKILL (uninterruptible I/O) is not waited for beyond this.
          timers.push(setTimeout(() => finish(null, "SIGKILL", null), 5_000));
        }, req.graceMs),
      );
    };
    function onAbort(): void {
      if (settled || aborted || timedOut) return;
      aborted = true;
      stop();
    }
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += c;
    });
    child.stderr?.setEncoding("utf8").on("data", (c: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += c;
    });
    child.once("error", (error: NodeJS.ErrnoException) => finish(null, null, `cannot start ${command}: ${error.code ?? error.message}`));
    child.once("close", (code, signal) => finish(code, signal, null));
    if (req.stdin !== null) {
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(req.stdin);
    }
    timers.push(
      setTimeout(() => {
        if (settled || aborted) return;
        timedOut = true;
        stderr += `\nExecution timed out after ${Math.round(req.timeoutMs / 100) / 10} seconds\n`;
        stop();
      }, req.timeoutMs),
    );
    if (req.signal?.aborted === true) onAbort();
    else req.signal?.addEventListener("abort", onAbort);
  });
