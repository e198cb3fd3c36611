import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { MissionInfo } from "../mission/resolve.ts";
import type { WorkPackageLanes } from "./work-packages.ts";

/** The part of @spec-kitty/status's MissionStatus aggregate the gate reads. */
interface StatusView {
  readonly snapshot: () => Promise<unknown>;
}
interface StatusLoader {
  readonly load: (repoRoot: string, handle: string) => Promise<StatusView>;
}

/**
 * Work-package lanes read through @spec-kitty/status's public entry point (MissionStatus.load(...).snapshot()).
 * WPs that have a `tasks/WPnn-*.md` file but no status event yet count as planned.
 */
export const statusWorkPackageLanes = (repoRoot: string, mission: MissionInfo): WorkPackageLanes => ({
  lanes: async () => {
    const lanes = new Map<string, string>(wpFiles(mission.dir).map((id) => [id, "planned"]));
    const loader = await missionStatus();
    const aggregate = await loader.load(repoRoot, mission.slug);
    for (const [wpId, lane] of lanesOf(await aggregate.snapshot())) lanes.set(wpId, lane);
    return lanes;
  },
});

// Loaded on first use: only implement/review need lanes, and the status package is the heaviest import.
const missionStatus = async (): Promise<StatusLoader> => {
  const Status: object = await import("@spec-kitty/status");
  const candidate = (Status as Readonly<Record<string, unknown>>)["MissionStatus"];
  if (typeof candidate !== "function" && (typeof candidate !== "object" || candidate === null))
    throw new TypeError("@spec-kitty/status does not export MissionStatus");
  return candidate as unknown as StatusLoader;
};

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

/** Lanes from a status snapshot, whichever casing its work-package map uses. */
const lanesOf = (snapshot: unknown): ReadonlyArray<[string, string]> => {
  if (typeof snapshot !== "object" || snapshot === null) return [];
  const s = snapshot as Record<string, unknown>;
  const wps = s["workPackages"] ?? s["work_packages"];
  if (typeof wps !== "object" || wps === null) return [];
  return Object.entries(wps as Record<string, unknown>).flatMap(([id, state]): Array<[string, string]> => {
    const lane = typeof state === "object" && state !== null ? (state as Record<string, unknown>)["lane"] : undefined;
    return typeof lane === "string" && lane !== "uninitialized" ? [[id, lane]] : [];
  });
};
