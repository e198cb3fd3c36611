/**
 * Whole-process benchmarks of the shipped CLI bundle (apps/cli/dist/spec-kitty.mjs, built by `./dev bench` first).
 * Each scenario runs the bundle as a fresh process several times and reports the median and best wall time and the
 * peak resident memory (from GNU time when it is installed). Numbers are reported, never asserted.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { scenarios } from "./scenarios.ts";

const BUNDLE = resolve(import.meta.dirname, "../dist/spec-kitty.mjs");
const RUNS = Number(process.env["BENCH_RUNS"] ?? 15);
const GNU_TIME = ["/usr/bin/time"].find((path) => existsSync(path));
// The bundle is run as the executable a user runs (its shebang line picks Node's flags); the Node running this
// benchmark comes first on PATH so the shebang finds the project's Node.
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}` };

if (!existsSync(BUNDLE)) {
  process.stderr.write(`bench: ${BUNDLE} is missing; build it with 'pnpm --filter @spec-kitty/cli build'\n`);
  process.exit(2);
}

interface Sample {
  readonly ms: number;
  readonly rssKb: number | null;
}

const runOnce = (args: ReadonlyArray<string>, cwd: string): Sample => {
  const start = process.hrtime.bigint();
  const result =
    GNU_TIME === undefined
      ? spawnSync(BUNDLE, [...args], { cwd, encoding: "utf8", env: ENV })
      : spawnSync(GNU_TIME, ["-f", "%M", BUNDLE, ...args], { cwd, encoding: "utf8", env: ENV });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`spec-kitty ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  }
  const rss = GNU_TIME === undefined ? null : Number(result.stderr.trim().split("\n").at(-1));
  return { ms, rssKb: rss !== null && Number.isFinite(rss) ? rss : null };
};

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const rows: Array<string> = [];
const work = mkdtempSync(join(tmpdir(), "sk-cli-bench-"));
try {
  for (const scenario of scenarios) {
    const prepared = scenario.prepare(join(work, scenario.name.replace(/\W+/g, "-")));
    if (prepared === null) {
      rows.push(`| ${scenario.name} | (skipped: ${scenario.skipReason ?? "inputs unavailable"}) | | | |`);
      continue;
    }
    prepared.beforeEach?.();
    runOnce(prepared.args, prepared.cwd); // warm the file system cache
    const samples = Array.from({ length: RUNS }, () => {
      prepared.beforeEach?.();
      return runOnce(prepared.args, prepared.cwd);
    });
    const peak = samples.every((s) => s.rssKb !== null) ? Math.max(...samples.map((s) => s.rssKb ?? 0)) : null;
    rows.push(
      `| ${scenario.name} | ${median(samples.map((s) => s.ms)).toFixed(1)} ms | ${Math.min(...samples.map((s) => s.ms)).toFixed(1)} ms | ` +
        `${peak === null ? "n/a" : `${(peak / 1024).toFixed(1)} MB`} | ${scenario.target} |`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

process.stdout.write(`\nspec-kitty CLI bundle, whole process, ${RUNS} runs each (node ${process.version})\n\n`);
process.stdout.write("| scenario | median wall | best wall | peak RSS | target |\n|---|---|---|---|---|\n");
process.stdout.write(`${rows.join("\n")}\n`);
