import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const FIXTURES = resolve(import.meta.dirname, "../fixtures");

/** The deliberate violations under fixtures/violations, each with the rule that must report it. */
export const VIOLATIONS = {
  "deep-import-by-name": "adr-0002-deep-import-by-name",
  "relative-cross-package": "adr-0002-relative-cross-package",
  "undeclared-dependency": "adr-0002-undeclared-dependency",
  "production-imports-test": "adr-0002-production-imports-test",
  "upward-layer": "adr-0003-layer-events",
  "app-to-app": "adr-0003-app-to-app",
  cycle: "adr-0004-no-cycles",
  "status-internals": "adr-0008-status-internals",
  "direct-path-loads-full-parser": "adr-0011-direct-path-without-effect-cli",
  "sync-imports-events-statically": "adr-0012-sync-loads-events-lazily",
  "e2e-imports-app": "adr-0013-e2e-runs-apps-as-processes",
  "dashboard-imports-node": "adr-0018-dashboard-no-node",
  "dashboard-runtime-import": "adr-0018-dashboard-types-only",
  "lanes-entry-imports": "adr-0016-lanes-entry-imports-nothing",
  "test-support-in-production": "adr-0017-test-support-only-in-tests",
  "test-support-imports-workspace": "adr-0017-test-support-below-everything",
  "workflow-imports-events": "adr-0019-workflow-imports-no-events-or-sync",
  "status-imports-workflow": "adr-0019-workflow-only-for-apps",
} as const;

export type ViolationName = keyof typeof VIOLATIONS;

/**
 * Lays out a small workspace shaped like the real one (packages/events with its lanes entry point, packages/status,
 * packages/test-support, apps/cli, apps/server)
 * in a temp folder, with a hoisted node_modules so that undeclared and upward imports resolve and reach the rules
 * that name them, then overlays one violation (or none, for the clean baseline).
 */
export const makeFixtureWorkspace = (violation?: ViolationName): string => {
  const root = mkdtempSync(join(tmpdir(), "sk-arch-"));
  cpSync(join(FIXTURES, "base"), root, { recursive: true });
  if (violation !== undefined) cpSync(join(FIXTURES, "violations", violation), root, { recursive: true });
  mkdirSync(join(root, "node_modules", "@spec-kitty"), { recursive: true });
  symlinkSync(join(root, "packages", "events"), join(root, "node_modules", "@spec-kitty", "events"), "dir");
  symlinkSync(join(root, "packages", "status"), join(root, "node_modules", "@spec-kitty", "status"), "dir");
  symlinkSync(join(root, "packages", "test-support"), join(root, "node_modules", "@spec-kitty", "test-support"), "dir");
  for (const name of ["leftpad", "devonly"]) {
    mkdirSync(join(root, "node_modules", name));
    writeFileSync(join(root, "node_modules", name, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "index.js" }));
    writeFileSync(join(root, "node_modules", name, "index.js"), "module.exports = (s) => s;\n");
  }
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "fixture-root", private: true }));
  return root;
};
