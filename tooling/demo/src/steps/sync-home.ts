/**
 * The demo's own runtime root: imported before anything else, so every CLI the demo starts captures into (and logs
 * in from) a throwaway `SPEC_KITTY_HOME`, never the user's `~/.spec-kitty`. Removed when the demo exits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DEMO_HOME = mkdtempSync(join(tmpdir(), "spec-kitty-demo-home-"));
process.env["SPEC_KITTY_HOME"] = DEMO_HOME;
process.on("exit", () => {
  if (!process.argv.includes("--keep")) rmSync(DEMO_HOME, { recursive: true, force: true });
});
