import { readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, SHARED_DIR } from "@spec-kitty/test-support";

/** The monorepo root. */
export const repoRoot = (): string => REPO_ROOT;

/** The reference material, beside the checkout. */
export const sharedDir = (): string => SHARED_DIR;

export const missionsDir = (): string => join(sharedDir(), "fixtures", "spec-kitty-missions");

/** The fixture mission directory names, sorted. */
export const missionNames = (): string[] =>
  readdirSync(missionsDir(), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

export const packageDir = (): string => join(repoRoot(), "packages", "status");
