#!/usr/bin/env -S node --max-semi-space-size=64
// A larger young generation spares the reducers most scavenges on big streams; the compile cache lets a second
// run skip compiling the bundle. Both only change speed, never output.
import { enableCompileCache } from "node:module";

enableCompileCache?.();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
