import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkArchitecture, RULES } from "../src/index.ts";
import { makeFixtureWorkspace, VIOLATIONS, type ViolationName } from "./fixture-workspace.ts";

const made: Array<string> = [];
const workspace = (violation?: ViolationName): string => {
  const root = makeFixtureWorkspace(violation);
  made.push(root);
  return root;
};
afterAll(() => {
  for (const root of made) rmSync(root, { recursive: true, force: true });
});

const MAIN = resolve(import.meta.dirname, "../src/main.ts");

describe("architecture rules", () => {
  it("every rule's comment starts with the ADR it enforces", () => {
    for (const rule of RULES) {
      expect(rule.comment, rule.name).toMatch(/^ADR-\d{4}\b/);
      expect(rule.name.slice(0, 8), rule.name).toBe(rule.comment.slice(0, 8).toLowerCase());
    }
  });

  it("the clean fixture workspace has no violation and is really cruised", async () => {
    const report = await checkArchitecture(workspace());
    expect(report.violations).toEqual([]);
    expect(report.modulesCruised).toBeGreaterThanOrEqual(6);
  });

  for (const [violation, rule] of Object.entries(VIOLATIONS) as Array<[ViolationName, string]>) {
    it(`reports '${violation}' under ${rule} with its ADR id`, async () => {
      const report = await checkArchitecture(workspace(violation));
      const hit = report.violations.find((v) => v.rule === rule);
      expect(hit, `violations seen: ${report.violations.map((v) => v.rule).join(", ") || "none"}`).toBeDefined();
      const adr = rule.slice(0, 8).toUpperCase();
      expect(hit?.comment.startsWith(adr)).toBe(true);
    });
  }

  it("./dev arch's runner fails on a violation and prints the ADR id", () => {
    const result = spawnSync(process.execPath, [MAIN, workspace("upward-layer")], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("adr-0003-layer-events");
    expect(result.stderr).toContain("ADR-0003");
  });

  it("the runner fails when nothing was cruised instead of passing vacuously", () => {
    const empty = mkdtempSync(join(tmpdir(), "sk-arch-empty-"));
    made.push(empty);
    const result = spawnSync(process.execPath, [MAIN, empty], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/only 0 module\(s\) cruised/);
  });

  it("the real repository is clean", () => {
    const out = execFileSync(process.execPath, [MAIN], { encoding: "utf8" });
    expect(out).toMatch(/0 violation\(s\): every ADR rule holds/);
  });
});
