import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const CLI_DIR = resolve(import.meta.dirname, "..");
const out = mkdtempSync(join(tmpdir(), "sk-bundle-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the shipped bundle", () => {
  it("builds into one file that runs without the workspace's node_modules", () => {
    const tsup = resolve(CLI_DIR, "node_modules/.bin/tsup");
    const build = spawnSync(tsup, ["--out-dir", out], { cwd: CLI_DIR, encoding: "utf8" });
    expect(build.status, build.stderr).toBe(0);
    const bundle = join(out, "spec-kitty.mjs");
    // Run it from a folder with no node_modules above it: every dependency must be inside the file.
    const run = spawnSync(process.execPath, [bundle, "--version"], { cwd: out, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(CLI_DIR, "package.json"), "utf8")) as { version: string };
    expect(run.stdout.trim()).toBe(pkg.version);
  });
});
