/**
 * The apps' bundles as users run them (ADR-0017): build one when it is stale, and pack an app as an installable
 * tarball.
 *
 *   node tooling/bootstrap/src/bundle.ts ensure NAME     build NAME's bundle if stale; print its path on stdout
 *   node tooling/bootstrap/src/bundle.ts build NAME      build it unconditionally
 *   node tooling/bootstrap/src/bundle.ts pack NAME DIR   ensure, then write NAME's tarball into DIR; print its path
 *
 * NAME is a command an app installs (`spec-kitty`, `spec-kitty-server`). A build writes, beside the bundle, the list
 * of the workspace files it was built from (esbuild's metafile inputs, plus the manifests, the lockfile and the build
 * configuration: the app's tsup.config.ts, tsup-app.ts and this file) and gives that list the time the build started. The bundle is stale when it or the list is missing,
 * when a listed file is gone, or when one was modified after that time. `./dev` makes the same check in shell on
 * every `./dev spec-kitty` (one `find` over the listed files); this module makes it for tests, benchmarks and the demo.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dirname, "../../..");

/** An app that ships a bundle: where it lives and the file its `bin` entry points at. */
export interface BundledApp {
  /** The command the package installs. */
  readonly name: string;
  /** The app folder, relative to the repository root. */
  readonly dir: string;
}

/** Every app that ships a bundle, by the command it installs. ./dev keeps the same table (app_dir). */
export const APPS: ReadonlyArray<BundledApp> = [
  { name: "spec-kitty", dir: "apps/cli" },
  { name: "spec-kitty-server", dir: "apps/server" },
];

/** The file beside the bundle listing its inputs; its modification time is the time the build started. */
export const INPUTS_FILE = ".bundle-inputs";

export const appNamed = (name: string): BundledApp => {
  const app = APPS.find((candidate) => candidate.name === name);
  if (app === undefined) throw new UsageError(`unknown app '${name}' (known: ${APPS.map((a) => a.name).join(", ")})`);
  return app;
};

export class UsageError extends Error {}

export const distDir = (app: BundledApp): string => join(REPO_ROOT, app.dir, "dist");
export const bundlePath = (app: BundledApp): string => join(distDir(app), `${app.name}.mjs`);

/**
 * Why the bundle `bundle` must be rebuilt, or null when it is up to date: the same rule as ./dev's bundle_fresh.
 * `list` is the inputs list written beside it by the build.
 */
export const stalenessOf = (bundle: string, list: string): string | null => {
  if (!existsSync(bundle) || !existsSync(list)) return "no bundle yet";
  const builtAt = statSync(list, { bigint: true }).mtimeNs;
  const files = readFileSync(list, "utf8").split("\n").filter((file) => file !== "");
  if (files.length === 0) return "its inputs list is empty";
  for (const file of files) {
    let mtime: bigint;
    try {
      mtime = statSync(file, { bigint: true }).mtimeNs;
    } catch {
      return `${relative(REPO_ROOT, file)} is gone`;
    }
    if (mtime > builtAt) return `${relative(REPO_ROOT, file)} changed`;
  }
  return null;
};

/** Why `app`'s bundle must be rebuilt, or null when it is up to date. */
export const staleness = (app: BundledApp): string | null => stalenessOf(bundlePath(app), join(distDir(app), INPUTS_FILE));

/** The workspace files a bundle was built from, absolute: sources from the metafile, plus what shapes the build. */
const buildInputs = (app: BundledApp, metafile: string): ReadonlyArray<string> => {
  const appDir = join(REPO_ROOT, app.dir);
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as { inputs: Record<string, unknown> };
  const files = new Set<string>();
  const packageRoots = new Set<string>([appDir]);
  for (const input of Object.keys(meta.inputs)) {
    if (input.includes("node_modules/")) continue; // third-party code changes only with the lockfile, listed below
    const file = resolve(appDir, input);
    files.add(file);
    const workspacePackage = /^((?:packages|apps)\/[^/]+)\//.exec(relative(REPO_ROOT, file));
    if (workspacePackage?.[1] !== undefined) packageRoots.add(join(REPO_ROOT, workspacePackage[1]));
  }
  for (const root of packageRoots) files.add(join(root, "package.json"));
  files.add(join(appDir, "tsup.config.ts"));
  files.add(join(REPO_ROOT, "pnpm-lock.yaml"));
  files.add(join(REPO_ROOT, "tooling/bootstrap/src/bundle.ts"));
  files.add(join(REPO_ROOT, "tooling/bootstrap/src/tsup-app.ts"));
  return [...files].sort();
};

/** Holds a lock file for the duration of `body`, so concurrent builds and packs of one app take turns. */
const withLock = <T>(app: BundledApp, body: () => T): T => {
  const lock = join(REPO_ROOT, app.dir, ".bundle.lock");
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      closeSync(openSync(lock, "wx"));
      writeFileSync(lock, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(lock, "utf8"));
      if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by process ${holder} for more than 180 s; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    return body();
  } finally {
    rmSync(lock, { force: true });
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Builds the bundle into a fresh folder and swaps it in for dist/, so a process running the old bundle never sees
 * a half-written one. The inputs list gets the build's start time (less a margin for the file system's coarse clock):
 * a file saved while the build ran counts as changed next time.
 */
const buildUnlocked = (app: BundledApp): void => {
  const appDir = join(REPO_ROOT, app.dir);
  const startedAt = (Date.now() - 50) / 1000;
  const staging = mkdtempSync(join(appDir, ".dist-build-"));
  try {
    const tsup = join(REPO_ROOT, "node_modules/.bin/tsup");
    const build = spawnSync(tsup, ["--out-dir", staging, "--metafile"], { cwd: appDir, encoding: "utf8", timeout: 300_000 });
    if (build.status !== 0) {
      throw new Error(`building ${app.dir} failed (tsup exited ${build.status ?? build.signal}):\n${build.stdout}${build.stderr}`);
    }
    const metafile = join(staging, "metafile-esm.json");
    if (!existsSync(join(staging, `${app.name}.mjs`)) || !existsSync(metafile)) {
      throw new Error(`building ${app.dir} wrote no ${app.name}.mjs or no metafile (check its tsup.config.ts)`);
    }
    const list = join(staging, INPUTS_FILE);
    writeFileSync(list, `${buildInputs(app, metafile).join("\n")}\n`);
    utimesSync(list, startedAt, startedAt);
    const dist = distDir(app);
    const old = `${dist}.old-${process.pid}`;
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(staging, dist);
    chmodSync(dist, 0o755); // mkdtemp made it private to this user
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
};

/** Builds `app`'s bundle now. */
export const buildBundle = (app: BundledApp): string =>
  withLock(app, () => {
    buildUnlocked(app);
    return bundlePath(app);
  });

/** Returns the path of `app`'s bundle, building it first when it is stale (and saying so on stderr). */
export const ensureBundle = (app: BundledApp, say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string => {
  if (staleness(app) === null) return bundlePath(app);
  return withLock(app, () => {
    const why = staleness(app); // another process may have built it while this one waited
    if (why !== null) {
      say(`rebuilding ${relative(REPO_ROOT, bundlePath(app))} (${why})`);
      buildUnlocked(app);
    }
    return bundlePath(app);
  });
};

/** The package manifest fields that describe an installed package; dependencies are inlined by the bundle. */
const PACKED_FIELDS = ["name", "version", "description", "type", "bin", "files", "engines", "license", "keywords"] as const;

/**
 * Packs `app` as users install it: the bundle, the README and a manifest without dependencies (every dependency,
 * the workspace packages included, is inside the bundle, so nothing `workspace:` can leak). `pnpm pack` runs in a
 * staging folder holding exactly that. Returns the tarball's path in `outDir`.
 */
export const packApp = (app: BundledApp, outDir: string): string => {
  ensureBundle(app);
  const appDir = join(REPO_ROOT, app.dir);
  const manifest = JSON.parse(readFileSync(join(appDir, "package.json"), "utf8")) as Record<string, unknown>;
  const files = manifest["files"];
  if (!Array.isArray(files) || manifest["bin"] === undefined) {
    throw new Error(`${app.dir}/package.json needs "bin" and "files" to be packed`);
  }
  const packed: Record<string, unknown> = {};
  for (const field of PACKED_FIELDS) if (manifest[field] !== undefined) packed[field] = manifest[field];
  const staging = mkdtempSync(join(tmpdir(), `sk-pack-${app.name}-`));
  try {
    withLock(app, () => cpSync(distDir(app), join(staging, "dist"), { recursive: true }));
    rmSync(join(staging, "dist", INPUTS_FILE), { force: true });
    rmSync(join(staging, "dist", "metafile-esm.json"), { force: true });
    if (existsSync(join(appDir, "README.md"))) cpSync(join(appDir, "README.md"), join(staging, "README.md"));
    writeFileSync(join(staging, "package.json"), `${JSON.stringify(packed, null, 2)}\n`);
    mkdirSync(outDir, { recursive: true });
    const pnpm = spawnSync("pnpm", ["pack", "--pack-destination", resolve(outDir)], {
      cwd: staging,
      encoding: "utf8",
      timeout: 120_000,
    });
    if (pnpm.status !== 0) throw new Error(`pnpm pack of ${app.dir} failed:\n${pnpm.stdout}${pnpm.stderr}`);
    const prefix = String(manifest["name"]).replace(/^@/, "").replace("/", "-");
    const tarball = readdirSync(outDir).find((file) => file === `${prefix}-${String(manifest["version"])}.tgz`);
    if (tarball === undefined) throw new Error(`pnpm pack of ${app.dir} wrote no ${prefix}-${String(manifest["version"])}.tgz in ${outDir}`);
    return join(resolve(outDir), tarball);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
};

const main = (argv: ReadonlyArray<string>): number => {
  const [command, name, out] = argv;
  try {
    if (name === undefined) throw new UsageError("usage: bundle.ts ensure|build NAME | pack NAME DIR");
    const app = appNamed(name);
    if (command === "ensure") process.stdout.write(`${ensureBundle(app)}\n`);
    else if (command === "build") process.stdout.write(`${buildBundle(app)}\n`);
    else if (command === "pack" && out !== undefined) process.stdout.write(`${packApp(app, out)}\n`);
    else throw new UsageError("usage: bundle.ts ensure|build NAME | pack NAME DIR");
    return 0;
  } catch (error) {
    process.stderr.write(`${basename(process.argv[1] ?? "bundle.ts")}: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
};

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) process.exitCode = main(process.argv.slice(2));

