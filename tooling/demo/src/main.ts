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
import { missionSteps } from "./steps/mission.ts";
import { orchestrateSteps } from "./steps/orchestrate.ts";
import { finishSync, startSync, stopServer, type SyncSession } from "./steps/sync.ts";
import { workSteps } from "./steps/work.ts";

const keep = process.argv.includes("--keep");
const started = performance.now();
const root = mkdtempSync(join(tmpdir(), "spec-kitty-demo-"));
const demo = new Demo(root);

let session: SyncSession | undefined;
try {
  demo.banner(`spec-kitty demo in ${root}`);
  foundationSteps(demo);
  session = await startSync(demo);
  missionSteps(demo);
  workSteps(demo);
  orchestrateSteps(demo);
  collaborationSteps(demo);
  const finishing = session;
  session = undefined;
  await finishSync(demo, finishing);
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
  if (session !== undefined) await stopServer(session.server);
  if (keep) process.stdout.write(`(kept ${root})\n`);
  else rmSync(root, { recursive: true, force: true });
}
