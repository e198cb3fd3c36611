import { resolve } from "node:path";
import { type ProcessRun, REPO_ROOT, runNode } from "@spec-kitty/test-support";

export { REPO_ROOT };

/** The CLI entry the tests run: the bundle global-setup.ts made sure of, or the sources when run outside vitest. */
export const CLI_BIN = process.env["SPEC_KITTY_TEST_BUNDLE"] ?? resolve(import.meta.dirname, "../src/bin.ts");

export type CliRun = ProcessRun;

/** Runs the CLI as a separate process, the way a user or a script does. */
export const runCliProcess = (
  args: ReadonlyArray<string>,
  options: { cwd?: string; input?: string; env?: Readonly<Record<string, string>> } = {},
): CliRun =>
  runNode(CLI_BIN, args, options);
