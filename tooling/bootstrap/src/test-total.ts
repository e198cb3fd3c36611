/**
 * Prints the closing line of `./dev test`: the tests passed and failed across every package, from the JSON reports
 * vitest wrote (or turbo restored from its cache). Exits non-zero when a package has no report or a test failed.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

interface VitestReport {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests: number;
  readonly numTodoTests: number;
}

const root = resolve(import.meta.dirname, "../../..");
let passed = 0;
let failed = 0;
let skipped = 0;
const missing: Array<string> = [];

for (const group of ["packages", "apps", "tooling"]) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const scripts = (JSON.parse(readFileSync(manifest, "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
    if (scripts["test"] === undefined) continue;
    const reportPath = join(dir, ".vitest-report.json");
    if (!existsSync(reportPath)) {
      missing.push(`${group}/${name}`);
      continue;
    }
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as VitestReport;
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  }
}

if (missing.length > 0) process.stderr.write(`test-total: no test report from ${missing.join(", ")}\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`);
process.exitCode = failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0;
