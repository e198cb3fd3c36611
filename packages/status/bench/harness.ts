import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchRow {
  readonly name: string;
  readonly value: string;
  readonly target: string;
  readonly verdict: "ok" | "over" | "-";
}

/** The monorepo root (the folder holding pnpm-workspace.yaml) and the reference material beside it. */
export const repoRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) dir = dirname(dir);
  return dir;
};
export const sharedDir = (): string => resolve(repoRoot(), "../shared");

/** Wall times in milliseconds of `fn` over `runs` runs after `warmup` unmeasured runs, fastest first. */
export const timesMs = (fn: () => void, runs: number, warmup = 3): number[] => {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
};

/** Median wall time in milliseconds of `fn` over `runs` runs, after `warmup` unmeasured runs. */
export const medianMs = (fn: () => void, runs: number, warmup = 3): number =>
  timesMs(fn, runs, warmup)[Math.floor(runs / 2)] as number;

export const row = (name: string, value: number, unit: string, target: number | null, digits = 3): BenchRow => ({
  name,
  value: `${value.toFixed(digits)} ${unit}`,
  target: target === null ? "-" : `<= ${target} ${unit}`,
  verdict: target === null ? "-" : value <= target ? "ok" : "over",
});

/** Prints sections as aligned plain-text tables. */
export const printTables = (sections: ReadonlyArray<{ readonly title: string; readonly rows: ReadonlyArray<BenchRow> }>): void => {
  for (const { title, rows } of sections) {
    const header: BenchRow = { name: "measure", value: "value", target: "target", verdict: "-" };
    const all = [header, ...rows];
    const w = [0, 1, 2].map((i) => Math.max(...all.map((r) => [r.name, r.value, r.target][i]?.length ?? 0)));
    const line = (r: BenchRow, verdict: string) =>
      `  ${r.name.padEnd(w[0] as number)}  ${r.value.padStart(w[1] as number)}  ${r.target.padEnd(w[2] as number)}  ${verdict}`;
    process.stdout.write(`\n${title}\n`);
    process.stdout.write(`${line(header, "")}\n`);
    for (const r of rows) process.stdout.write(`${line(r, r.verdict === "-" ? "" : r.verdict)}\n`);
  }
};

/**
 * Runs the bundle as the executable a user runs, so its shebang line picks Node's flags; the Node running
 * the benchmark comes first on PATH so the shebang finds it.
 */
export const spawnBundle = (bundle: string, args: readonly string[], cwd?: string): SpawnSyncReturns<string> =>
  spawnSync(bundle, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}` },
  });
