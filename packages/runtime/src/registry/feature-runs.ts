import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { dumpsIndented } from "../json/python-json.ts";
import { type MissionRunRef, type MissionRunSnapshot, refOf } from "../snapshot/model.ts";
import { readSnapshotFile, STATE_FILE, writeFileAtomic, writeSnapshotFile } from "../snapshot/store.ts";

/** One mission's entry in `.kittify/runtime/feature-runs.json`, keyed there by mission slug. */
export interface FeatureRunsIndexEntry {
  readonly run_id: string;
  readonly run_dir: string;
  readonly mission_type: string;
  readonly mission_key: string;
  readonly mission_id: string | null;
  readonly mission_slug: string;
}

export type FeatureRunsIndex = Readonly<Record<string, FeatureRunsIndexEntry>>;

/** The mission a run belongs to. */
export interface MissionIdentity {
  readonly slug: string;
  readonly id: string | null;
  /** The mission type from meta.json, which is also the template key. */
  readonly type: string;
}

export const runtimeDir = (repoRoot: string): string => join(repoRoot, ".kittify", "runtime");
export const indexPath = (repoRoot: string): string => join(runtimeDir(repoRoot), "feature-runs.json");
export const runStore = (repoRoot: string): string => join(runtimeDir(repoRoot), "runs");

/** Reads the index; a missing or unreadable file is an empty index (as in the reference). */
export const readIndex = (repoRoot: string): FeatureRunsIndex => {
  try {
    const raw: unknown = JSON.parse(readFileSync(indexPath(repoRoot), "utf8"));
    return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as FeatureRunsIndex) : {};
  } catch {
    return {};
  }
};

/** Writes the index atomically with indent 2 and sorted keys. */
export const writeIndex = (repoRoot: string, index: FeatureRunsIndex): void => {
  const file = indexPath(repoRoot);
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, dumpsIndented(index));
};

export const entryFor = (ref: MissionRunRef, mission: MissionIdentity): FeatureRunsIndexEntry => ({
  run_id: ref.run_id,
  run_dir: ref.run_dir,
  mission_type: mission.type,
  mission_key: ref.mission_key,
  mission_id: mission.id,
  mission_slug: mission.slug,
});

export interface GetOrStartResult {
  readonly ref: MissionRunRef;
  readonly started: boolean;
}

/**
 * The mission's run: the indexed one when its state.json still exists, otherwise a new one from `start`.
 * Either way the index entry and the run's state carry the mission's id and slug (a run written without them,
 * e.g. by the reference, is back-filled). Throws MissionRuntimeError.
 */
export const getOrStartRun = (repoRoot: string, mission: MissionIdentity, start: () => MissionRunRef): GetOrStartResult => {
  const index = readIndex(repoRoot);
  const entry = index[mission.slug];
  if (entry !== undefined && typeof entry.run_dir === "string" && existsSync(join(entry.run_dir, STATE_FILE))) {
    const snapshot = withIdentity(readSnapshotFile(entry.run_dir), mission, entry.run_dir);
    const ref = refOf(snapshot, entry.run_dir);
    const fresh = entryFor(ref, mission);
    if (dumpsIndented(fresh) !== dumpsIndented(entry)) writeIndex(repoRoot, { ...index, [mission.slug]: fresh });
    return { ref, started: false };
  }
  const ref = start();
  writeIndex(repoRoot, { ...index, [mission.slug]: entryFor(ref, mission) });
  return { ref, started: true };
};

/** Fills a run's missing mission id/slug from the mission it is indexed under, rewriting state.json if needed. */
const withIdentity = (snapshot: MissionRunSnapshot, mission: MissionIdentity, runDir: string): MissionRunSnapshot => {
  const missionId = snapshot.mission_id ?? mission.id;
  const missionSlug = snapshot.mission_slug ?? mission.slug;
  if (missionId === snapshot.mission_id && missionSlug === snapshot.mission_slug) return snapshot;
  const updated = { ...snapshot, mission_id: missionId, mission_slug: missionSlug };
  writeSnapshotFile(runDir, updated);
  return updated;
};
