import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDirs } from "@spec-kitty/test-support";
import { REPO_ROOT, runCliProcess } from "./cli-process.ts";

const ANSI = /\u001b\[/;
const temps = tempDirs("sk-cli-");
const temp = (): string => temps.make();
afterAll(temps.cleanup);

describe("the CLI shell", () => {
  it("--version prints the package version alone on stdout", () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, "../package.json"), "utf8")) as { version: string };
    const run = runCliProcess(["--version"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${pkg.version}\n`);
    expect(run.stderr).toBe("");
  });

  it("--help goes to stdout, exit 0, without colour codes when piped, and lists the commands", () => {
    const run = runCliProcess(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("USAGE");
    expect(run.stdout).toContain("doctor");
    expect(run.stdout).not.toMatch(ANSI);
    expect(run.stderr).toBe("");
  });

  it("an unknown command is a usage error: exit 2, reported once on stderr with what to do next", () => {
    const run = runCliProcess(["frobnicate"]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.match(/Invalid subcommand/g)?.length).toBe(1);
    expect(run.stderr).toContain("hint: run 'spec-kitty --help'");
  });

  it("an unknown option is a usage error naming the option", () => {
    const run = runCliProcess(["doctor", "--bogus"]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("'--bogus'");
  });

  it("doctor --json reports the git repository and missions of the working directory", () => {
    const repo = temp();
    execFileSync("git", ["init", "--quiet", repo]);
    mkdirSync(join(repo, "kitty-specs", "001-demo"), { recursive: true });
    writeFileSync(join(repo, "kitty-specs", "001-demo", "meta.json"), "{}\n");
    mkdirSync(join(repo, "sub"));
    const run = runCliProcess(["doctor", "--json"], { cwd: join(repo, "sub") });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { git_root: string; missions: number };
    expect(report.git_root).toBe(execFileSync("git", ["-C", repo, "rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim());
    expect(report.missions).toBe(1);
  });

  it("./dev spec-kitty runs from the caller's working directory", () => {
    const dir = temp();
    const result = spawnSync(join(REPO_ROOT, "dev"), ["spec-kitty", "doctor", "--json"], { cwd: dir, encoding: "utf8" });
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as { cwd: string }).cwd).toBe(dir);
  });
});
