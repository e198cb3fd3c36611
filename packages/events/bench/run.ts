/**
 * The package's benchmark entry (`pnpm bench` = `node bench/run.ts`): runs every benchmark suite and prints
 * one table per suite. To add a suite, import it and append it to `suites`.
 */
import * as os from "node:os";
import { collaborationBench } from "./collaboration.bench.ts";
import { type BenchRow, formatTable } from "./harness.ts";

type Suite = () => { readonly title: string; readonly rows: ReadonlyArray<BenchRow> };

const suites: ReadonlyArray<Suite> = [collaborationBench];

const cpu = os.cpus()[0]?.model ?? "unknown cpu";
console.log(`@spec-kitty/events benchmarks: node ${process.version}, ${os.cpus().length} x ${cpu}\n`);
for (const suite of suites) {
  const { title, rows } = suite();
  console.log(formatTable(title, rows) + "\n");
}
