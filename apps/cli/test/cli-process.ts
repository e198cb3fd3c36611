import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

export const CLI_BIN = resolve(import.meta.dirname, "../src/bin.ts");
export const REPO_ROOT = resolve(import.meta.dirname, "../../..");

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI from source as a separate process, the way a user or a script does. */
export const runCliProcess = (args: ReadonlyArray<string>, options: { cwd?: string; input?: string } = {}): CliRun => {
  const result = spawnSync(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: "utf8",
    input: options.input ?? "",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
};
