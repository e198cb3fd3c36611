/**
 * Benchmarks of @spec-kitty/status (`pnpm bench` runs `node bench/run.ts`). Prints tables of medians with
 * their targets; performance is reported here, never asserted in tests. Always exits 0.
 */
import { cpus } from "node:os";
import { cliBench } from "./cli.bench.ts";
import { printTables } from "./harness.ts";
import { materializeBench } from "./materialize.bench.ts";
import { reduce100kBench } from "./reduce100k.bench.ts";
import { moveTaskBench } from "./move-task.bench.ts";

process.stdout.write(`@spec-kitty/status benchmarks: node ${process.version}, ${cpus().length} CPU(s)\n`);
const sections = [materializeBench(), reduce100kBench(), cliBench()];
sections.push(await moveTaskBench());
printTables(sections);
