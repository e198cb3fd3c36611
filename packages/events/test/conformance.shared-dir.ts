import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the nearest folder above this file holding pnpm-workspace.yaml. */
export const repoRoot = (): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "pnpm-workspace.yaml"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("pnpm-workspace.yaml not found above the test folder");
    dir = up;
  }
  return dir;
};

/** The read-only reference material beside the checkout. */
export const sharedDir = (): string => path.resolve(repoRoot(), "../shared");

export const fixturesDir = (): string => path.join(sharedDir(), "fixtures", "spec-kitty-events");

export const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));

export const readJsonLines = (file: string): ReadonlyArray<unknown> =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as unknown);
