#!/usr/bin/env -S node --max-semi-space-size=64
// A larger young generation spares the reducers most scavenges on big streams; the compile cache lets a second
// run skip compiling the bundle. Both only change speed, never output.
import * as nodeModule from "node:module";

nodeModule.enableCompileCache?.();
const argv = process.argv.slice(2);
// The hot commands in plain form take the direct path; everything else, and anything it declines, goes to the
// full @effect/cli parser (ADR-0011).
const { FULL_PARSER_ENV, runDirect } = await import("./direct/index.ts");
const direct = process.env[FULL_PARSER_ENV] === "1" ? undefined : await runDirect(argv);
process.exitCode = direct ?? (await (await import("./main.ts")).main(argv));
