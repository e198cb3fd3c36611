import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The machine-level runtime root: `$SPEC_KITTY_HOME` when set and non-empty (used verbatim), else
 * `%LOCALAPPDATA%\spec-kitty` on Windows, else `~/.spec-kitty`.
 */
export const runtimeRoot = (env: NodeJS.ProcessEnv = process.env): string => {
  const explicit = env["SPEC_KITTY_HOME"];
  if (explicit !== undefined && explicit !== "") return explicit;
  if (process.platform === "win32" && env["LOCALAPPDATA"]) return join(env["LOCALAPPDATA"], "spec-kitty");
  return join(homedir(), ".spec-kitty");
};

/** The outbox database under a runtime root. */
export const outboxPath = (root: string): string => join(root, "sync", "outbox.db");

/** Where envelopes that could not be captured in the outbox are spooled (re-imported on the next open). */
export const rescuePath = (root: string): string => join(root, "sync", "uncaptured.jsonl");

/** The Python CLI's offline queue under a runtime root. */
export const legacyQueuePath = (root: string): string => join(root, "queue.db");
