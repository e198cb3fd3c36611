/**
 * `./dev arch`: runs the ADR rules over the workspace. Exit 0 when clean, 1 on violations or when the cruise
 * saw no module at all (dependency-cruiser exits 0 when it parsed nothing, which would hide every rule).
 */
import { resolve } from "node:path";
import { checkArchitecture } from "./cruise.ts";

// The workspace root: this repository, or the folder given as the first argument (used by the tests).
const root = process.argv[2] === undefined ? resolve(import.meta.dirname, "../../..") : resolve(process.argv[2]);
const report = await checkArchitecture(root);

if (report.modulesCruised === 0 || report.modulesCruised < report.sourceFiles) {
  process.stderr.write(
    `arch: only ${report.modulesCruised} module(s) cruised of ${report.sourceFiles} TypeScript file(s) present: ` +
      "the TypeScript parser or the scopes are broken, so the rules were not really checked.\n",
  );
  process.exit(1);
}

for (const violation of report.violations) {
  const where = violation.cycle === undefined ? `${violation.from} -> ${violation.to}` : violation.cycle.join(" -> ");
  process.stderr.write(`✗ ${violation.rule}: ${where}\n    ${violation.comment}\n`);
}

const summary = `${report.modulesCruised} modules, ${report.dependenciesCruised} dependencies cruised, ${report.violations.length} violation(s)`;
if (report.violations.length > 0) {
  process.stderr.write(`arch: ${summary}\n`);
  process.exit(1);
}
process.stdout.write(`arch: ${summary}: every ADR rule holds\n`);
