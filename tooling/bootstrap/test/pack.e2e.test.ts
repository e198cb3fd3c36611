import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  initGitRepo,
  missionMeta,
  REPO_ROOT,
  runProcess,
  SHARED_DIR,
  tempDirs,
  wpIds,
  writeMission,
  type ProcessRun,
} from "@spec-kitty/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The CLI and the server as users get them: `./dev pack` writes the tarballs, npm installs them (no registry: the
 * packages have no dependencies) into a temporary prefix, and the installed commands run from a folder outside the
 * repository with a PATH holding only that prefix, the project's Node and the system's basic tools.
 */
const temps = tempDirs("sk-pack-");
afterAll(temps.cleanup);

const APPS = [
  { name: "spec-kitty", dir: "apps/cli", tarball: "spec-kitty-cli" },
  { name: "spec-kitty-server", dir: "apps/server", tarball: "spec-kitty-server" },
] as const;

const manifest = (dir: string) => JSON.parse(readFileSync(join(REPO_ROOT, dir, "package.json"), "utf8")) as { version: string };

/** npm beside the project's Node, else the system's: it is only the installer here. */
const npmPath = (): string => {
  const beside = join(dirname(process.execPath), "npm");
  if (existsSync(beside)) return beside;
  return execFileSync("bash", ["-c", "command -v npm"], { encoding: "utf8" }).trim();
};

let prefix = "";
let work = "";
let packed: Array<string> = [];
/** The environment of a user's shell: no repository in sight, nothing on PATH but the install, Node and /usr/bin. */
let userEnv: Record<string, string> = {};
const user = (command: string, args: ReadonlyArray<string>, cwd = work): ProcessRun =>
  runProcess(command, args, { cwd, env: userEnv, inheritEnv: false, timeout: 60_000 });

beforeAll(() => {
  const out = temps.make("sk-pack-out-");
  const pack = runProcess(join(REPO_ROOT, "dev"), ["pack", out], { timeout: 600_000 });
  expect(pack.status, pack.stderr).toBe(0);
  packed = readdirSync(out).sort();
  // The tarballs travel alone: copied to a folder of their own, installed from there.
  const carried = temps.make("sk-pack-carried-");
  for (const file of packed) copyFileSync(join(out, file), join(carried, file));
  prefix = temps.make("sk-pack-prefix-");
  work = temps.make("sk-pack-user-");
  const home = temps.make("sk-pack-home-");
  userEnv = {
    HOME: home,
    PATH: [join(prefix, "bin"), dirname(process.execPath), "/usr/bin", "/bin"].join(":"),
    npm_config_userconfig: join(home, "no-npmrc"),
    npm_config_cache: join(home, "npm-cache"),
    npm_config_registry: "http://127.0.0.1:9/",
  };
  const install = user(npmPath(), ["install", "--global", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", ...packed.map((file) => join(carried, file))]);
  expect(install.status, install.stderr).toBe(0);
}, 600_000);

describe("the packed and installed CLI and server", () => {
  it("./dev pack writes one tarball per app, whose manifest has bin, files, engines and no dependencies", () => {
    expect(packed).toEqual(APPS.map((app) => `${app.tarball}-${manifest(app.dir).version}.tgz`).sort());
    for (const app of APPS) {
      const installed = join(prefix, "lib", "node_modules", "@spec-kitty", basename(app.dir) === "cli" ? "cli" : "server");
      const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<string, unknown>;
      expect(pkg["bin"]).toEqual({ [app.name]: `./dist/${app.name}.mjs` });
      expect(pkg["engines"]).toEqual({ node: ">=24.11" });
      for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies", "scripts", "exports"]) {
        expect(pkg[field], `${app.name} ${field}`).toBeUndefined();
      }
      // Only the bundle and the README: no sources, no build bookkeeping, nothing pointing back at the repository.
      const files = readdirSync(installed, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(installed, f)).isFile());
      expect(files.filter((f) => !/^dist\/[\w-]+\.mjs$/.test(f) && f !== "package.json" && f !== "README.md"), app.name).toEqual([]);
      for (const file of files) expect(readFileSync(join(installed, file), "utf8"), `${app.name} ${file}`).not.toContain(REPO_ROOT);
    }
  });

  it("spec-kitty --version and spec-kitty-server --version print the packages' versions", () => {
    for (const app of APPS) {
      const run = user(app.name, ["--version"]);
      expect([run.status, run.stdout, run.stderr], app.name).toEqual([0, `${manifest(app.dir).version}\n`, ""]);
    }
  });

  it("spec-kitty doctor reports a repository outside the checkout", () => {
    const repo = temps.make("sk-pack-repo-");
    writeMission(repo, { dir: "001-installed", meta: missionMeta("001-installed", null), wps: wpIds(2) });
    initGitRepo(repo);
    const run = user("spec-kitty", ["doctor", "--json"], repo);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ cwd: repo, git_root: repo, missions: 1 });
  });

  it("spec-kitty status materialize writes the reference's status.json for a copied fixture mission", () => {
    const fixtures = join(SHARED_DIR, "fixtures", "spec-kitty-missions");
    const name = readdirSync(fixtures).sort()[0] as string;
    const mission = join(temps.make("sk-pack-mission-"), name);
    cpSync(join(fixtures, name), mission, { recursive: true, filter: (src) => basename(src) !== "expected.status.json" });
    const run = user("spec-kitty", ["status", "materialize", mission]);
    expect([run.status, run.stdout, run.stderr]).toEqual([0, `written ${join(mission, "status.json")}\n`, ""]);
    expect(readFileSync(join(mission, "status.json"), "utf8")).toBe(readFileSync(join(fixtures, name, "expected.status.json"), "utf8"));
  });
});
