#!/usr/bin/env node
// The version is kept in step with apps/server/package.json by the pack-and-install test (tooling/bootstrap).
if (process.argv[2] === "--version") {
  process.stdout.write("0.1.0\n");
  process.exit(0);
}
process.stderr.write("spec-kitty-server: not built yet\n");
process.exit(2);
