import { chmodSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, runProcess, tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { INPUTS_FILE, stalenessOf } from "../src/bundle.ts";

const temps = tempDirs("sk-staleness-");
afterAll(temps.cleanup);

/**
 * A scratch layout shaped like the repository for `./dev spec-kitty`: a copy of ./dev, a recorded toolchain, a
 * "bundle" that echoes its arguments, its inputs list, two input files, and in place of the real builder a stub
 * that records each rebuild and refreshes the list's time as a build would. Nothing in the real checkout changes.
 */
const scratch = () => {
  const root = temps.make();
  writeFileSync(join(root, "dev"), readFileSync(join(REPO_ROOT, "dev")));
  chmodSync(join(root, "dev"), 0o755);
  mkdirSync(join(root, ".tools"));
  writeFileSync(join(root, ".tools", "env.sh"), `SK_NODE=${JSON.stringify(process.execPath)}\nSK_PATH=${JSON.stringify(join(process.execPath, ".."))}\n`);
  const dist = join(root, "apps", "cli", "dist");
  mkdirSync(dist, { recursive: true });
  const bundle = join(dist, "spec-kitty.mjs");
  writeFileSync(bundle, '#!/bin/sh\necho "bundle $*"\n');
  chmodSync(bundle, 0o755);
  const src = join(root, "src");
  mkdirSync(src);
  const inputs = [join(src, "a.ts"), join(src, "b.ts")];
  for (const file of inputs) writeFileSync(file, "export {};\n");
  const list = join(dist, INPUTS_FILE);
  writeFileSync(list, `${inputs.join("\n")}\n`);
  const log = join(root, "rebuilds.log");
  mkdirSync(join(root, "tooling", "bootstrap", "src"), { recursive: true });
  writeFileSync(
    join(root, "tooling", "bootstrap", "src", "bundle.ts"),
    `import { appendFileSync, utimesSync, writeFileSync } from "node:fs";\n` +
      `appendFileSync(${JSON.stringify(log)}, process.argv.slice(2).join(" ") + "\\n");\n` +
      `writeFileSync(${JSON.stringify(list)}, ${JSON.stringify(`${inputs.join("\n")}\n`)});\n` +
      `process.stderr.write("rebuilding (stub)\\n");\n`,
  );
  // Everything was built a minute after the inputs were last written.
  const past = Date.now() / 1000 - 120;
  for (const file of inputs) utimesSync(file, past, past);
  utimesSync(list, past + 60, past + 60);
  const run = () => runProcess(join(root, "dev"), ["spec-kitty", "--version"], { cwd: root, env: { PATH: "/usr/bin:/bin" } });
  const rebuilds = () => {
    try {
      return readFileSync(log, "utf8").split("\n").filter((line) => line !== "");
    } catch {
      return [];
    }
  };
  return { root, bundle, list, inputs, run, rebuilds };
};

describe("./dev spec-kitty: the bundle is rebuilt exactly when it is stale", () => {
  it("runs a fresh bundle directly, with the caller's arguments, and rebuilds nothing", () => {
    const s = scratch();
    expect(stalenessOf(s.bundle, s.list)).toBeNull();
    const run = s.run();
    expect([run.status, run.stdout, run.stderr]).toEqual([0, "bundle --version\n", ""]);
    expect(s.rebuilds()).toEqual([]);
  });

  it("rebuilds when an input was modified after the build started, then runs the bundle", () => {
    const s = scratch();
    writeFileSync(s.inputs[0] as string, "export const changed = 1;\n");
    expect(stalenessOf(s.bundle, s.list)).toMatch(/a\.ts changed$/);
    const run = s.run();
    expect([run.status, run.stdout]).toEqual([0, "bundle --version\n"]);
    expect(run.stderr).toContain("rebuilding");
    expect(s.rebuilds()).toEqual(["ensure spec-kitty"]);
    // The stub refreshed the list: the next run is fresh again.
    expect(stalenessOf(s.bundle, s.list)).toBeNull();
    s.run();
    expect(s.rebuilds()).toHaveLength(1);
  });

  it("rebuilds when an input is gone", () => {
    const s = scratch();
    rmSync(s.inputs[1] as string);
    expect(stalenessOf(s.bundle, s.list)).toMatch(/b\.ts is gone$/);
    s.run();
    expect(s.rebuilds()).toEqual(["ensure spec-kitty"]);
  });

  it("builds on a clean checkout: no bundle, or no inputs list, or an empty one", () => {
    for (const remove of ["bundle", "list", "empty"] as const) {
      const s = scratch();
      if (remove === "bundle") rmSync(s.bundle);
      else if (remove === "list") rmSync(s.list);
      else writeFileSync(s.list, "");
      expect(stalenessOf(s.bundle, s.list), remove).not.toBeNull();
      s.run();
      expect(s.rebuilds(), remove).toEqual(["ensure spec-kitty"]);
    }
  });
});
