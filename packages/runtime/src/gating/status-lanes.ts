import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import type { MissionInfo } from "../mission/resolve.ts";
import type { WorkPackageLanes } from "./work-packages.ts";

/**
 * Work-package lanes read through @spec-kitty/status's public API: `MissionStatus.load(repoRoot, handle)` and
 * `snapshot()` (the reduced authoritative event log, coordination topology included). WPs that have a
 * `tasks/WPnn-*.md` file but no status event yet, or a mission without a status log, count as planned.
 */
export const statusWorkPackageLanes = (repoRoot: string, mission: MissionInfo): WorkPackageLanes => ({
  lanes: async () => {
    const lanes = new Map<string, string>(wpFiles(mission.dir).map((id) => [id, "planned"]));
    // Loaded on first use: only implement/review need lanes, and the status package is the heaviest import.
    const { MissionStatus, CanonicalStatusNotFound } = await import("@spec-kitty/status");
    const status = await MissionStatus.load(repoRoot, basename(mission.dir));
    try {
      const snapshot = await status.snapshot();
      for (const [wpId, state] of Object.entries(snapshot.work_packages))
        if (state.lane !== "uninitialized") lanes.set(wpId, state.lane);
    } catch (e) {
      if (!(e instanceof CanonicalStatusNotFound)) throw e;
    }
    return lanes;
  },
});

/** WP ids named by the mission's task files (`tasks/WP01-some-title.md` gives WP01). */
const wpFiles = (missionDir: string): ReadonlyArray<string> => {
  try {
    return readdirSync(join(missionDir, "tasks")).flatMap((name) => {
      const m = /^(WP\d+)(?:[-_.].*)?\.md$/.exec(name);
      return m?.[1] === undefined ? [] : [m[1]];
    });
  } catch {
    return [];
  }
};
