import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, initGitRepo, missionMeta, type MissionSpec, seedLog, tempDirs, wpIds, writeMission } from "@spec-kitty/test-support";

/** Test scaffolding: real temporary git repositories holding kitty-specs missions (from @spec-kitty/test-support). */

export { git, missionMeta, type MissionSpec, wpIds, writeMission };

export const ULIDS = {
  a: "01KZY1JBHRNZG2PXBPFHQ66DA3",
  b: "01KZY1JBXW0000000000000000", // shares mid8 01KZY1JB with `a`
  c: "01M0GGT1HAYJGQRKW38NT66SWA",
} as const;

/** The seed rows finalize-tasks writes: every work package genesis -> planned. */
export const seedRows = seedLog;

export interface TempRepo {
  readonly root: string;
  readonly cleanup: () => void;
}

/** A fresh repository on `main` with the missions committed (or a plain directory when `git` is false). */
export const makeRepo = (missions: readonly MissionSpec[], options: { git?: boolean } = {}): TempRepo => {
  const temps = tempDirs("sk-status-");
  const root = temps.make();
  for (const spec of missions) writeMission(root, spec);
  if (options.git !== false) {
    writeFileSync(join(root, "README.md"), "test repository\n");
    initGitRepo(root, { who: "Status Test" });
  }
  return { root, cleanup: temps.cleanup };
};
