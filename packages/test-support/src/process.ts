import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "./workspace.ts";

export interface ProcessRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly input?: string;
  /** Added to the environment (the caller's, with NO_COLOR=1 and the project's Node first on PATH). */
  readonly env?: Readonly<Record<string, string>>;
  /** Milliseconds before the process is killed; default 120 s. */
  readonly timeout?: number;
  /** false: the child sees only `env` (plus NO_COLOR), nothing of the caller's environment. Default true. */
  readonly inheritEnv?: boolean;
}

/** The environment a child gets: the caller's, colourless, with the Node running the tests first on PATH. */
export const childEnv = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  NO_COLOR: "1",
  PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}`,
  ...extra,
});

/** Runs `command args` to completion (status -1 when it was killed or could not start). */
export const runProcess = (command: string, args: ReadonlyArray<string>, options: RunOptions = {}): ProcessRun => {
  const result = spawnSync(command, [...args], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: "utf8",
    input: options.input ?? "",
    env: options.inheritEnv === false ? { NO_COLOR: "1", ...options.env } : childEnv(options.env),
    timeout: options.timeout ?? 120_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
};

/** Runs a Node script (a `.ts` source or a bundle) with the Node running the tests. */
export const runNode = (script: string, args: ReadonlyArray<string>, options: RunOptions = {}): ProcessRun =>
  runProcess(process.execPath, [script, ...args], options);

/**
 * The path of an app's bundle (`spec-kitty`, `spec-kitty-server`), built first when a source it is made from changed
 * (tooling/bootstrap/src/bundle.ts; a clean clone has none). Safe to call from concurrent test runs.
 */
export const ensureBundle = (name: string): string => {
  const run = runNode(join(REPO_ROOT, "tooling/bootstrap/src/bundle.ts"), ["ensure", name], { timeout: 300_000 });
  if (run.status !== 0) throw new Error(`building the ${name} bundle failed:\n${run.stderr}`);
  return run.stdout.trim();
};
