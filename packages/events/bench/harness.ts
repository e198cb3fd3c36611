/**
 * A tiny benchmark harness: warm up, time N runs with a monotonic clock, report median / p95 / min, and
 * print rows as an aligned table. Benchmarks report; they never fail on time.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface BenchRow {
  readonly name: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly minMs: number;
  /** Median CPU time of the process per run (user + system): less sensitive to a busy machine than wall time. */
  readonly cpuMedianMs: number;
  /** Optional extra figure, e.g. throughput or the target being compared against. */
  readonly note?: string;
}

export interface MeasureOptions {
  readonly runs?: number;
  readonly warmup?: number;
  readonly note?: (medianMs: number) => string;
}

/** Times `fn` (after warm-up runs) and summarises the samples; `fn`'s result is kept alive so it is not optimised away. */
export const measure = (name: string, fn: () => unknown, options: MeasureOptions = {}): BenchRow => {
  const runs = options.runs ?? 30;
  const warmup = options.warmup ?? 5;
  let sink: unknown;
  for (let i = 0; i < warmup; i++) sink = fn();
  const samples: Array<number> = [];
  const cpu: Array<number> = [];
  for (let i = 0; i < runs; i++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    sink = fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  keep(sink);
  samples.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const at = (xs: ReadonlyArray<number>, q: number): number => xs[Math.min(xs.length - 1, Math.round(q * (xs.length - 1)))] ?? 0;
  const medianMs = at(samples, 0.5);
  const row = { name, runs, medianMs, p95Ms: at(samples, 0.95), minMs: at(samples, 0), cpuMedianMs: at(cpu, 0.5) };
  return options.note === undefined ? row : { ...row, note: options.note(medianMs) };
};

let kept: unknown;
const keep = (value: unknown): void => {
  kept = value;
};
export const lastKept = (): unknown => kept;

/** Renders rows as an aligned text table. */
export const formatTable = (title: string, rows: ReadonlyArray<BenchRow>): string => {
  const header = ["benchmark", "runs", "median ms", "p95 ms", "min ms", "cpu median ms", "note"];
  const body = rows.map((r) => [
    r.name,
    String(r.runs),
    r.medianMs.toFixed(2),
    r.p95Ms.toFixed(2),
    r.minMs.toFixed(2),
    r.cpuMedianMs.toFixed(2),
    r.note ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: ReadonlyArray<string>): string =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ").trimEnd();
  return [title, line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
};

/** The shared reference folder: `../shared` beside the repository root (the folder holding pnpm-workspace.yaml). */
export const sharedDir = (): string => {
  let dir = path.dirname(new URL(import.meta.url).pathname);
  while (!fs.existsSync(path.join(dir, "pnpm-workspace.yaml"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("repository root (pnpm-workspace.yaml) not found");
    dir = parent;
  }
  return path.resolve(dir, "../shared");
};
