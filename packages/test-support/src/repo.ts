import { type InitRepoOptions, initGitRepo } from "./git.ts";
import { type MissionSpec, writeMission } from "./mission.ts";
import type { TempDirs } from "./temp.ts";

export interface MissionRepoOptions extends InitRepoOptions {
  /** false: a plain folder, no repository. Default true. */
  readonly git?: boolean;
  /** The temporary folder's name prefix. */
  readonly prefix?: string;
}

/** A fresh folder (from `temps`) holding `missions`, made a repository on `main` with everything committed. */
export const makeMissionRepo = (temps: TempDirs, missions: ReadonlyArray<MissionSpec>, options: MissionRepoOptions = {}): string => {
  const root = temps.make(options.prefix);
  for (const mission of missions) writeMission(root, mission);
  if (options.git !== false) initGitRepo(root, options);
  return root;
};
