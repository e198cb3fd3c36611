import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const findRoot = (): string => {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`pnpm-workspace.yaml not found above ${import.meta.dirname}`);
    dir = parent;
  }
  return dir;
};

/** The monorepo root: the nearest folder above this package holding pnpm-workspace.yaml. */
export const REPO_ROOT: string = findRoot();

/** The reference goldens and fixtures, beside the checkout (`../shared`). */
export const SHARED_DIR: string = resolve(REPO_ROOT, "../shared");
