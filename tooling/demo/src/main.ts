/**
 * `./dev demo`: creates a throwaway spec-kitty repository in a temp folder and drives it through the `spec-kitty`
 * CLI the way a user would, printing each command and what it shows. Exits non-zero when a step does not behave.
 */
import "./steps/sync-home.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Demo } from "./demo.ts";
import { collaborationSteps } from "./steps/collaboration.ts";
import { foundationSteps } from "./steps/foundation.ts";
import { missionSetup } from "./steps/mission.ts";
import { runSteps } from "./steps/run.ts";
import { statusSteps } from "./steps/status.ts";
import { syncSteps } from "./steps/sync.ts";

const keep = process.argv.includes("--keep");
const started = performance.now();
const root = mkdtempSync(join(tmpdir(), "spec-kitty-demo-"));
const demo = new Demo(root);

try {
  demo.banner(`spec-kitty demo in ${root}`);
  foundationSteps(demo);
  missionSetup(demo);
  statusSteps(demo);
  runSteps(demo);
  collaborationSteps(demo);
  await syncSteps(demo);
  demo.banner("demo finished: every step behaved as expected");
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  demo.say(
    `${s(performance.now() - started)} in all: ${demo.spent.cliRuns} spec-kitty runs ${s(demo.spent.cli)}, ` +
      `git and the architecture check ${s(demo.spent.other)}`,
  );
} catch (error) {
  process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  if (keep) process.stdout.write(`(kept ${root})\n`);
  else rmSync(root, { recursive: true, force: true });
}
