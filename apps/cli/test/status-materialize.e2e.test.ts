import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDirs } from "@spec-kitty/test-support";
import { REPO_ROOT, runCliProcess } from "./cli-process.ts";

const FIXTURES = resolve(REPO_ROOT, "../shared/fixtures/spec-kitty-missions");
const missions = readdirSync(FIXTURES).sort().map((name) => join(FIXTURES, name));
const temps = tempDirs("sk-materialize-");
const temp = (): string => temps.make();
afterAll(temps.cleanup);

/** A writable copy of fixture missions, without their expected outputs. */
const copies = (sources: readonly string[]): string[] => {
  const root = temp();
  return sources.map((src) => {
    const dir = join(root, basename(src));
    cpSync(src, dir, { recursive: true, filter: (p) => !p.endsWith("expected.status.json") });
    return dir;
  });
};
const expected = (mission: string) => readFileSync(join(FIXTURES, basename(mission), "expected.status.json"), "utf8");

describe("spec-kitty status materialize", () => {
  it("writes DIR/status.json for every mission, then skips the unchanged bytes", () => {
    const dirs = copies(missions.slice(0, 5));
    const first = runCliProcess(["status", "materialize", ...dirs]);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(dirs.map((d) => `written ${join(d, "status.json")}\n`).join(""));
    for (const dir of dirs) expect(readFileSync(join(dir, "status.json"), "utf8")).toBe(expected(dir));
    const mtimes = dirs.map((d) => statSync(join(d, "status.json")).mtimeMs);
    const second = runCliProcess(["status", "materialize", ...dirs]);
    expect(second.status).toBe(0);
    expect(second.stdout).toBe(dirs.map((d) => `unchanged ${join(d, "status.json")}\n`).join(""));
    expect(dirs.map((d) => statSync(join(d, "status.json")).mtimeMs)).toEqual(mtimes);
  });

  it("--output-root writes OUT/<basename>/status.json for all 31 missions, byte-identical to the reference", () => {
    const out = temp();
    const run = runCliProcess(["status", "materialize", "--output-root", out, ...missions]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    for (const mission of missions) expect(readFileSync(join(out, basename(mission), "status.json"), "utf8")).toBe(expected(mission));
    expect(readdirSync(out)).toHaveLength(31);
  });

  it("--stdout prints exactly the status.json bytes of one mission and writes nothing", () => {
    const [dir] = copies([missions[3] as string]);
    const run = runCliProcess(["status", "materialize", "--stdout", dir as string]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(expected(dir as string));
    expect(readdirSync(dir as string)).not.toContain("status.json");
  });

  it("relative DIRs resolve against the working directory", () => {
    const [dir] = copies([missions[0] as string]);
    const run = runCliProcess(["status", "materialize", "--stdout", basename(dir as string)], { cwd: resolve(dir as string, "..") });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(expected(dir as string));
  });

  it("usage errors exit 2: --stdout with several DIRs, --stdout with --output-root", () => {
    const several = runCliProcess(["status", "materialize", "--stdout", missions[0] as string, missions[1] as string]);
    expect(several.status).toBe(2);
    expect(several.stdout).toBe("");
    expect(several.stderr).toContain("--stdout prints one mission; got 2 directories");
    const both = runCliProcess(["status", "materialize", "--stdout", "--output-root", temp(), missions[0] as string]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain("--stdout and --output-root cannot be combined");
  });

  it("a corrupt log exits 2 naming file and line, and no mission of the batch is written", () => {
    const dirs = copies(missions.slice(0, 3));
    const bad = dirs[1] as string;
    const log = join(bad, "status.events.jsonl");
    const lines = readFileSync(log, "utf8").split("\n").length - 1;
    writeFileSync(log, `${readFileSync(log, "utf8")}{"event_id": "01KQ717W2MNATWFNMKGC4MBY5K", "wp_id"`);
    const run = runCliProcess(["status", "materialize", ...dirs]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`${log}: Invalid JSON on line ${lines + 1}`);
    for (const dir of dirs) expect(readdirSync(dir)).not.toContain("status.json");
  });

  it("a directory that is not a mission exits 2", () => {
    const run = runCliProcess(["status", "materialize", temp()]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("not a mission directory");
  });

  it("runs from the sources too: node apps/cli/src/bin.ts status materialize --stdout DIR", () => {
    const mission = missions[6] as string;
    const run = spawnSync(process.execPath, [join(REPO_ROOT, "apps/cli/src/bin.ts"), "status", "materialize", "--stdout", mission], {
      encoding: "utf8",
      cwd: REPO_ROOT,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(expected(mission));
  });
});
