/**
 * The package's benchmark entry (`pnpm bench` = `node bench/run.ts`): runs every benchmark suite and prints
 * one table per suite. To add a suite, import it and append it to `suites`.
 */
import * as os from "node:os";
import { collaborationBench } from "./collaboration.bench.ts";
import { type BenchRow, formatTable } from "./harness.ts";
import { validationBench } from "./validation.bench.ts";

type Suite = () => { readonly title: string; readonly rows: ReadonlyArray<BenchRow> };

const suites: ReadonlyArray<Suite> = [collaborationBench, validationBench];

const cpu = os.cpus()[0]?.model ?? "unknown cpu";
const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
console.log(`@spec-kitty/events benchmarks: node ${process.version}, ${os.cpus().length} x ${cpu}, load average ${load}`);
console.log("(wall-clock figures are only comparable on an otherwise idle machine; see the load average)\n");
for (const suite of suites) {
  const { title, rows } = suite();
  console.log(formatTable(title, rows) + "\n");
}
