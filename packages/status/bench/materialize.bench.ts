/**
 * In-process materialize over the 31 fixture missions: read the log and meta.json, reduce, render the
 * status.json bytes (no write). Reference: ~0.4 s for 406 missions (~1 ms per mission); target 5x faster.
 */
import * as Either from "effect/Either";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { renderStatus } from "../src/reduce/index.ts";
import { type BenchRow, medianMs, row, sharedDir } from "./harness.ts";

export const materializeBench = (): { title: string; rows: BenchRow[] } => {
  const root = join(sharedDir(), "fixtures", "spec-kitty-missions");
  const dirs = readdirSync(root).sort().map((d) => join(root, d));
  const all = () => {
    for (const dir of dirs) if (Either.isLeft(renderStatus(dir))) throw new Error(`${dir} does not materialize`);
  };
  const coldStart = process.hrtime.bigint();
  all();
  const cold = Number(process.hrtime.bigint() - coldStart) / 1e6;
  const pass = medianMs(all, 40, 60);
  const perMission = dirs.map((dir) => ({ dir, ms: medianMs(() => renderStatus(dir), 40, 3) }));
  perMission.sort((a, b) => b.ms - a.ms);
  const slowest = perMission[0] as { dir: string; ms: number };
  // The fixture logs are large (tens of KB each); JSON.parse dominates, so throughput is the fairer unit.
  const bytes = dirs.reduce((sum, dir) => sum + statSync(join(dir, "status.events.jsonl")).size, 0);
  return {
    title: `materialize in-process, ${dirs.length} fixture missions (read + reduce + render, warm median of 40)`,
    rows: [
      row("first pass (cold JIT)", cold, "ms", null),
      row("all missions, one pass (warm)", pass, "ms", null),
      row("per mission (pass / 31)", pass / dirs.length, "ms", 0.2),
      row(`slowest: ${slowest.dir.split("/").pop()}`, slowest.ms, "ms", null),
      row("log size per mission (average)", bytes / dirs.length / 1024, "KiB", null, 1),
      row("throughput (log bytes / pass time)", bytes / 1e6 / (pass / 1000), "MB/s", null, 1),
    ],
  };
};
