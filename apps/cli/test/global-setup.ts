import { ensureBundle } from "@spec-kitty/test-support";

/**
 * Makes sure the CLI bundle (apps/cli/dist) is current for the whole run, building it on a clean checkout or after a
 * source change: end-to-end tests spawn it as the shipped `spec-kitty`, which starts in a fraction of the time the
 * source tree takes (hundreds of modules) and so keeps process-heavy suites fast.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  process.env["SPEC_KITTY_TEST_BUNDLE"] = ensureBundle("spec-kitty");
  // Commands capture sync events under the runtime root: keep the tests' outbox out of the real home.
  const home = mkdtempSync(join(tmpdir(), "sk-cli-test-home-"));
  process.env["SPEC_KITTY_HOME"] ??= home;
  return () => rmSync(home, { recursive: true, force: true });
}
