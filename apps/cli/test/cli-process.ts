import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

/** The CLI entry the tests run: the bundle built by global-setup.ts, or the sources when run outside vitest. */
export const CLI_BIN = process.env["SPEC_KITTY_TEST_BUNDLE"] ?? resolve(import.meta.dirname, "../src/bin.ts");
export const REPO_ROOT = resolve(import.meta.dirname, "../../..");

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as a separate process, the way a user or a script does. */
export const runCliProcess = (args: ReadonlyArray<string>, options: { cwd?: string; input?: string } = {}): CliRun => {
  const result = spawnSync(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: "utf8",
    input: options.input ?? "",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
};
