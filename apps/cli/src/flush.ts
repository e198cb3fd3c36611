/**
 * The end-of-command flush (ADR-0013): after a command that may have captured events, deliver its project's
 * events with a hard 5 s deadline. Cheap when there is nothing to do: without any enabled project on this machine
 * it reads one directory and does not load the sync package. It never changes the exit code or stdout; a problem
 * is one warning line on stderr.
 */
import { readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Commands that never capture events, or deliver themselves. */
const NO_FLUSH = new Set(["auth", "sync", "doctor", "--help", "-h", "--version", "--wizard", "--completions"]);

export const FLUSH_ENV = "SPEC_KITTY_SYNC_FLUSH";

const anyConsent = (root: string): boolean => {
  try {
    return readdirSync(join(root, "delivery")).some((name) => name.endsWith(".consent.json"));
  } catch {
    return false;
  }
};

export const flushAfter = async (argv: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<void> => {
  const first = argv[0];
  if (first === undefined || NO_FLUSH.has(first) || env[FLUSH_ENV] === "off" || argv.includes("--help")) return;
  const home = env["SPEC_KITTY_HOME"];
  const root = home !== undefined && home !== "" ? home : join(homedir(), ".spec-kitty");
  if (!anyConsent(root)) return;
  try {
    const { flushAfterCommand } = await import("@spec-kitty/sync");
    const result = await flushAfterCommand(root, cwd);
    if (result.flushed && result.warning !== null) process.stderr.write(`warning: ${result.warning}\n`);
  } catch (error) {
    // Delivery never changes a command's outcome: whatever broke is one warning; the events stay queued.
    process.stderr.write(`warning: sync: the end-of-command delivery failed (${error instanceof Error ? error.message : String(error)}); events stay queued\n`);
  }
};
