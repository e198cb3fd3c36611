import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * Builds the CLI bundle once for the whole run: end-to-end tests spawn it as the shipped `spec-kitty`, which starts
 * in a fraction of the time the source tree takes (hundreds of modules) and so keeps process-heavy suites fast.
 */
export default function setup(): () => void {
  const out = mkdtempSync(join(tmpdir(), "sk-cli-test-bundle-"));
  const cliDir = resolve(import.meta.dirname, "..");
  const build = spawnSync(resolve(cliDir, "node_modules/.bin/tsup"), ["--out-dir", out], { cwd: cliDir, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`building the CLI bundle for the tests failed:\n${build.stdout}\n${build.stderr}`);
  process.env["SPEC_KITTY_TEST_BUNDLE"] = join(out, "spec-kitty.mjs");
  // Commands capture sync events under the runtime root: keep the tests' outbox out of the real home.
  const home = mkdtempSync(join(tmpdir(), "sk-cli-test-home-"));
  process.env["SPEC_KITTY_HOME"] ??= home;
  return () => {
    rmSync(out, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  };
}
