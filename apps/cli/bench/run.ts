/**
 * Whole-process benchmarks of the CLI, by entry point. Every scenario runs as a fresh process several times; the
 * figures are the median and best wall time and the peak resident memory (from GNU time when it is installed).
 * Numbers are reported, never asserted.
 *
 * Table 1, the bundle (apps/cli/dist/spec-kitty.mjs, rebuilt first when stale) run as an executable from its shebang.
 * Table 2, side by side in one run, interleaved so that load falls on all alike, the ways a user starts it:
 *   bundle      apps/cli/dist/spec-kitty.mjs as an executable (what the others should cost)
 *   ./dev       `./dev spec-kitty ARGS` (bash, the recorded Node, the staleness check, then the bundle)
 *   installed   `spec-kitty` installed by npm from the `./dev pack` tarball into a temporary prefix
 *   sources     `node apps/cli/src/bin.ts` (what `./dev spec-kitty` ran before ADR-0017; fewer runs)
 * Scenarios that change the repository (move-task) are only in table 1.
 * Table 3, what `./dev spec-kitty` itself costs: a copy of ./dev whose "bundle" is an empty shell script, with the
 * real bundle's inputs list (so the staleness check stats the real ~130 files), against that script run directly;
 * many runs, so the few milliseconds show through the noise of a shared machine.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ensureBundle } from "@spec-kitty/test-support";
import { type Prepared, scenarios } from "./scenarios.ts";

const REPO = resolve(import.meta.dirname, "../../..");
const RUNS = Number(process.env["BENCH_RUNS"] ?? 15);
const LAUNCHER_RUNS = 200;
const SOURCE_RUNS = Math.min(RUNS, Number(process.env["BENCH_SOURCE_RUNS"] ?? 5));
const GNU_TIME = ["/usr/bin/time"].find((path) => existsSync(path));
// The Node running this benchmark comes first on PATH, so every shebang finds the project's Node.
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}` };

interface Sample {
  readonly ms: number;
  readonly rssKb: number | null;
}

/** One way of starting the CLI: the command and the arguments that precede the CLI's own. */
interface Entry {
  readonly name: string;
  readonly command: string;
  readonly prefix: ReadonlyArray<string>;
  readonly runs: number;
}

const runOnce = (entry: Entry, prepared: Prepared): Sample => {
  const argv = [...entry.prefix, ...prepared.args];
  const start = process.hrtime.bigint();
  const result =
    GNU_TIME === undefined
      ? spawnSync(entry.command, argv, { cwd: prepared.cwd, encoding: "utf8", env: ENV, timeout: 120_000 })
      : spawnSync(GNU_TIME, ["-f", "%M", entry.command, ...argv], { cwd: prepared.cwd, encoding: "utf8", env: ENV, timeout: 120_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const ok = prepared.expectStatus === undefined ? result.status === 0 || result.status === 1 : result.status === prepared.expectStatus;
  if (!ok) throw new Error(`${entry.name}: spec-kitty ${prepared.args.join(" ")} exited ${result.status}: ${result.stderr}`);
  const rss = GNU_TIME === undefined ? null : Number(result.stderr.trim().split("\n").at(-1));
  return { ms, rssKb: rss !== null && Number.isFinite(rss) ? rss : null };
};

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const ms = (value: number): string => `${value.toFixed(1)} ms`;

/** Packs the CLI and installs it with npm into `prefix` (no registry needed); the installed command, or why not. */
const install = (work: string): string | { skipped: string } => {
  let npm: string;
  try {
    npm = existsSync(join(dirname(process.execPath), "npm"))
      ? join(dirname(process.execPath), "npm")
      : execFileSync("bash", ["-c", "command -v npm"], { encoding: "utf8" }).trim();
  } catch {
    return { skipped: "npm not found" };
  }
  const packed = spawnSync(process.execPath, [join(REPO, "tooling/bootstrap/src/bundle.ts"), "pack", "spec-kitty", join(work, "pack")], {
    encoding: "utf8",
    timeout: 300_000,
  });
  if (packed.status !== 0) return { skipped: `packing failed: ${packed.stderr.trim()}` };
  const prefix = join(work, "prefix");
  const installed = spawnSync(npm, ["install", "--global", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", packed.stdout.trim()], {
    encoding: "utf8",
    env: ENV,
    timeout: 120_000,
  });
  if (installed.status !== 0) return { skipped: `npm install failed: ${installed.stderr.trim()}` };
  return join(prefix, "bin", "spec-kitty");
};

/** Table 3: ./dev's own cost, on a scratch copy whose bundle does nothing (see the header). */
const launcherCost = (work: string): Array<string> => {
  const root = join(work, "launcher");
  const dist = join(root, "apps", "cli", "dist");
  mkdirSync(dist, { recursive: true });
  mkdirSync(join(root, ".tools"));
  copyFileSync(join(REPO, "dev"), join(root, "dev"));
  chmodSync(join(root, "dev"), 0o755);
  writeFileSync(join(root, ".tools", "env.sh"), `SK_NODE=${JSON.stringify(process.execPath)}\n`);
  const fake = join(dist, "spec-kitty.mjs");
  writeFileSync(fake, "#!/bin/sh\nexit 0\n");
  chmodSync(fake, 0o755);
  const list = join(dist, ".bundle-inputs");
  copyFileSync(join(REPO, "apps/cli/dist/.bundle-inputs"), list);
  utimesSync(list, new Date(), new Date()); // fresh: the check walks every input and finds none newer
  const time = (command: string, args: ReadonlyArray<string>, runs: number): Array<number> =>
    Array.from({ length: runs }, () => {
      const start = process.hrtime.bigint();
      const run = spawnSync(command, [...args], { cwd: work, env: ENV, timeout: 30_000 });
      if (run.status !== 0) throw new Error(`${command} exited ${run.status}: ${run.stderr}`);
      return Number(process.hrtime.bigint() - start) / 1e6;
    });
  const direct: Array<number> = [];
  const viaDev: Array<number> = [];
  for (let round = 0; round < LAUNCHER_RUNS / 20; round++) {
    direct.push(...time(fake, ["--version"], 20));
    viaDev.push(...time(join(root, "dev"), ["spec-kitty", "--version"], 20));
  }
  return [
    `| the do-nothing bundle run directly | ${ms(median(direct))} | ${ms(Math.min(...direct))} |`,
    `| the same through ./dev spec-kitty (bash, env, staleness check over ${readLines(list)} inputs, exec) | ${ms(median(viaDev))} | ${ms(Math.min(...viaDev))} |`,
    `| ./dev's own cost | ${ms(median(viaDev) - median(direct))} | ${ms(Math.min(...viaDev) - Math.min(...direct))} |`,
  ];
};
const readLines = (file: string): number => readFileSync(file, "utf8").split("\n").filter((line) => line !== "").length;

const bundle = ensureBundle("spec-kitty");
const BUNDLE: Entry = { name: "bundle", command: bundle, prefix: [], runs: RUNS };
const work = mkdtempSync(join(tmpdir(), "sk-cli-bench-"));
const bundleRows: Array<string> = [];
const launcherRows: Array<string> = [];
const entryRows: Array<string> = [];
let entries: Array<Entry> = [];
let skippedEntries = "";
try {
  const installed = install(work);
  entries = [
    BUNDLE,
    { name: "./dev spec-kitty", command: join(REPO, "dev"), prefix: ["spec-kitty"], runs: RUNS },
    ...(typeof installed === "string" ? [{ name: "installed", command: installed, prefix: [], runs: RUNS }] : []),
    { name: "sources", command: process.execPath, prefix: [join(REPO, "apps/cli/src/bin.ts")], runs: SOURCE_RUNS },
  ];
  if (typeof installed !== "string") skippedEntries = `(installed: skipped, ${installed.skipped})`;

  for (const scenario of scenarios) {
    const prepared = scenario.prepare(join(work, scenario.name.replace(/\W+/g, "-")));
    if (prepared === null) {
      bundleRows.push(`| ${scenario.name} | (skipped: ${scenario.skipReason ?? "inputs unavailable"}) | | | |`);
      continue;
    }
    prepared.beforeEach?.();
    runOnce(BUNDLE, prepared); // warm the file system cache
    const samples = Array.from({ length: RUNS }, () => {
      prepared.beforeEach?.();
      return runOnce(BUNDLE, prepared);
    });
    const peak = samples.every((s) => s.rssKb !== null) ? Math.max(...samples.map((s) => s.rssKb ?? 0)) : null;
    bundleRows.push(
      `| ${scenario.name} | ${ms(median(samples.map((s) => s.ms)))} | ${ms(Math.min(...samples.map((s) => s.ms)))} | ` +
        `${peak === null ? "n/a" : `${(peak / 1024).toFixed(1)} MB`} | ${scenario.target} |`,
    );
    if (prepared.beforeEach !== undefined) continue;

    // The same scenario through every entry point, interleaved run by run.
    for (const entry of entries) runOnce(entry, prepared);
    const byEntry = new Map<string, Array<number>>(entries.map((entry) => [entry.name, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const entry of entries) if (i < entry.runs) byEntry.get(entry.name)?.push(runOnce(entry, prepared).ms);
    }
    const base = median(byEntry.get(BUNDLE.name) ?? []);
    const baseBest = Math.min(...(byEntry.get(BUNDLE.name) ?? []));
    const signed = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(1)}`;
    const cells = entries.map((entry) => {
      const times = byEntry.get(entry.name) ?? [];
      const [m, best] = [median(times), Math.min(...times)];
      return entry === BUNDLE ? `${ms(m)} / ${ms(best)}` : `${ms(m)} (${signed(m - base)}) / ${ms(best)} (${signed(best - baseBest)})`;
    });
    entryRows.push(`| ${scenario.name} | ${cells.join(" | ")} |`);
  }
  launcherRows.push(...launcherCost(work));
} finally {
  rmSync(work, { recursive: true, force: true });
}

process.stdout.write(`\nspec-kitty CLI bundle, whole process, ${RUNS} runs each (node ${process.version})\n\n`);
process.stdout.write("| scenario | median wall | best wall | peak RSS | target |\n|---|---|---|---|---|\n");
process.stdout.write(`${bundleRows.join("\n")}\n`);
process.stdout.write(
  `\nThe same by entry point, interleaved in one run: median / best wall (difference from the bundle's); ` +
    `${RUNS} runs each, sources ${SOURCE_RUNS} ${skippedEntries}\n\n`,
);
process.stdout.write(`| scenario | ${entries.map((e) => e.name).join(" | ")} |\n|---|${entries.map(() => "---").join("|")}|\n`);
process.stdout.write(`${entryRows.join("\n")}\n`);
process.stdout.write(`\n./dev spec-kitty's own cost (${LAUNCHER_RUNS} runs each, interleaved in rounds of 20)\n\n`);
process.stdout.write("| what | median wall | best wall |\n|---|---|---|\n");
process.stdout.write(`${launcherRows.join("\n")}\n`);
