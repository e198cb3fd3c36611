import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The monorepo root: the nearest folder above this file holding pnpm-workspace.yaml. */
export const repoRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("pnpm-workspace.yaml not found above the test folder");
    dir = parent;
  }
  return dir;
};

/** The reference material, beside the checkout. */
export const sharedDir = (): string => resolve(repoRoot(), "../shared");

export const missionsDir = (): string => join(sharedDir(), "fixtures", "spec-kitty-missions");

/** The fixture mission directory names, sorted. */
export const missionNames = (): string[] =>
  readdirSync(missionsDir(), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

export const packageDir = (): string => join(repoRoot(), "packages", "status");
