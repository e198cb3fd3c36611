import { afterAll, beforeAll, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
let repo = "";

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "sk-runs-e2e-"));
  execFileSync("git", ["init", "-q"], { cwd: repo });
  for (const slug of ["beta-mission", "alpha-mission"]) {
    mkdirSync(join(repo, "kitty-specs", slug), { recursive: true });
    writeFileSync(join(repo, "kitty-specs", slug, "meta.json"), JSON.stringify({ mission_slug: slug, slug, mission_type: "software-dev" }));
  }
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: repo, encoding: "utf8" });

it("lists every mission, with its run once `next` has started one", { timeout: 120_000 }, () => {
  const before = cli("runs", "list", "--json");
  expect(before.status, before.stderr).toBe(0);
  expect(JSON.parse(before.stdout)).toMatchObject({
    runs: [
      { mission_slug: "alpha-mission", mission_id: null, run_id: null, state: "not_started" },
      { mission_slug: "beta-mission", run_id: null, state: "not_started" },
    ],
  });
  expect(cli("next", "--mission", "beta-mission").status).toBe(0);
  const after = cli("runs", "list");
  expect(after.status, after.stderr).toBe(0);
  const lines = after.stdout.trim().split("\n");
  expect(lines[0]).toBe("alpha-mission\t-\tnot_started\t-\t0 done");
  expect(lines[1]).toMatch(/^beta-mission\t[0-9a-f]{32}\tin_progress\tdiscovery\t0 done$/);
});
