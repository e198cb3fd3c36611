/**
 * @spec-kitty/test-support: scaffolding for tests and benchmarks across the workspace (ADR-0017). Only test/ and
 * bench/ code imports it; it imports no workspace package, so every package's tests may use it.
 */
export { git, initGitRepo, type InitRepoOptions } from "./git.ts";
export {
  CUSTOM_MISSION_TEMPLATE,
  missionMeta,
  type MissionSpec,
  referenceJsonLine,
  seedLog,
  seedRow,
  wpIds,
  writeMission,
} from "./mission.ts";
export { makeMissionRepo, type MissionRepoOptions } from "./repo.ts";
export { childEnv, ensureBundle, type ProcessRun, type RunOptions, runNode, runProcess } from "./process.ts";
export { tempDirs, type TempDirs } from "./temp.ts";
export { REPO_ROOT, SHARED_DIR } from "./workspace.ts";
