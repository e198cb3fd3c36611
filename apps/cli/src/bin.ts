#!/usr/bin/env -S node --min-semi-space-size=32 --max-semi-space-size=64
// A young generation that starts large spares the reducers most scavenges on big streams (a cold 10,000-event
// decode runs in about two thirds of the time); the compile cache lets a second run skip compiling the bundle.
// Both only change speed, never output.
import * as nodeModule from "node:module";

nodeModule.enableCompileCache?.();
const argv = process.argv.slice(2);
// SPEC_KITTY_FULL_PARSER=1 sends every invocation through the full parser (the value direct/index.ts exports).
const fullParser = process.env["SPEC_KITTY_FULL_PARSER"] === "1";
// --version, --help and an unknown command word are answered from pages the parser rendered ahead of time.
const meta = fullParser
  ? undefined
  : (await import("./meta-fast.ts")).runMetaFast(argv, (await import("./commands/index.ts")).COMMAND_NAMES, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      isTTY: process.stdout.isTTY === true,
    });
let code: number;
if (meta !== undefined) {
  code = meta;
  process.exitCode = code;
} else {
  // The hot commands in plain form take the direct path; everything else, and anything it declines, goes to the
  // full @effect/cli parser (ADR-0011).
  const { runDirect } = await import("./direct/index.ts");
  const direct = fullParser ? undefined : await runDirect(argv);
  code = direct ?? (await (await import("./main.ts")).main(argv));
  process.exitCode = code;
  // Deliver what the command captured, bounded to 5 s; never changes the exit code or stdout (ADR-0013).
  await (await import("./flush.ts")).flushAfter(argv, process.cwd());
}
// Everything is done and awaited here. Exiting once both streams have flushed skips tearing down a heap that may
// hold a whole event stream; the callbacks run after the data is written, on pipes and terminals alike.
let pending = 2;
const flushed = () => {
  pending -= 1;
  if (pending === 0) process.exit(code);
};
process.stdout.write("", flushed);
process.stderr.write("", flushed);
