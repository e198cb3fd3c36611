/** Regenerates the FSM table in packages/status/README.md from src/fsm/table.ts. */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spliceFsmTable } from "../src/fsm/markdown.ts";

const readme = fileURLToPath(new URL("../README.md", import.meta.url));
const before = readFileSync(readme, "utf8");
const after = spliceFsmTable(before);
if (after === before) {
  process.stdout.write("README.md: FSM table already up to date\n");
} else {
  writeFileSync(readme, after);
  process.stdout.write("README.md: FSM table regenerated\n");
}
