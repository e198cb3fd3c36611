#!/usr/bin/env node
process.stderr.write("spec-kitty-server: not built yet\n");
process.exit(2);
