/**
 * `spec-kitty status materialize` over all 31 fixture missions as one process (wall time, median of 5),
 * from the sources (node runs the .ts entry) and from the bundle (apps/cli/dist, rebuilt when stale: what
 * `./dev spec-kitty` and the installed `spec-kitty` run). Target: <= 0.3 s, on the bundle.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBundle } from "@spec-kitty/test-support";
import { type BenchRow, repoRoot, row, sharedDir, spawnBundle } from "./harness.ts";

/** Median wall time of `runs` processes: `node entry args`, or the bundle run as an executable. */
const wallMs = (entry: string, args: string[], runs: number, bundle = false): number => {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const run = bundle ? spawnBundle(entry, args) : spawnSync(process.execPath, [entry, ...args], { encoding: "utf8" });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (run.status !== 0) throw new Error(`status materialize failed (${run.status}): ${run.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
};

export const cliBench = (): { title: string; rows: BenchRow[] } => {
  const root = join(sharedDir(), "fixtures", "spec-kitty-missions");
  const dirs = readdirSync(root).sort().map((d) => join(root, d));
  const work = mkdtempSync(join(tmpdir(), "sk-status-bench-"));
  try {
    const args = ["status", "materialize", "--output-root", join(work, "out"), ...dirs];
    const cli = join(repoRoot(), "apps", "cli");
    const rows: BenchRow[] = [row("source CLI (node apps/cli/src/bin.ts)", wallMs(join(cli, "src", "bin.ts"), args, 5) / 1000, "s", null)];
    rows.push(row("bundled CLI (apps/cli/dist, as ./dev spec-kitty and installed)", wallMs(ensureBundle("spec-kitty"), args, 5, true) / 1000, "s", 0.3));
    rows.push(row("bare `node -e 0` on this machine", wallMs("-e", ["0"], 5) / 1000, "s", null));
    return { title: `status materialize, ${dirs.length} missions, one process (wall, median of 5)`, rows };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
};
