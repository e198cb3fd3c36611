import { readFileSync } from "node:fs";
import { metadataUnavailable } from "./errors.ts";

/** What the aggregate needs from a mission's meta.json; everything else in the file is ignored here. */
export interface MissionMeta {
  readonly missionSlug: string;
  readonly missionId: string | null;
  readonly targetBranch: string;
  /** The declared coordination branch, or null for a mission without coordination. */
  readonly coordinationBranch: string | null;
  /** The stored topology (`single_branch`, `lanes`, `coord`, `lanes_with_coord`), null in older files. */
  readonly storedTopology: StoredTopology | null;
}

export type StoredTopology = "single_branch" | "lanes" | "coord" | "lanes_with_coord";

const STORED_TOPOLOGIES: ReadonlySet<string> = new Set(["single_branch", "lanes", "coord", "lanes_with_coord"]);
const ROUTES_THROUGH_COORDINATION: ReadonlySet<string> = new Set(["coord", "lanes_with_coord"]);
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Reads and checks `metaPath`. Fails closed with MissionMetadataUnavailable when the file is missing,
 * unreadable, not JSON, or carries a field of the wrong type, or when the stored topology and the
 * coordination branch disagree: the topology is never guessed.
 */
export const readMissionMeta = (metaPath: string, dirName: string): MissionMeta => {
  let text: string;
  try {
    text = readFileSync(metaPath, "utf8");
  } catch (error) {
    const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
    throw metadataUnavailable(dirName, metaPath, code === "ENOENT" ? "meta.json not found" : `cannot read meta.json (${code || String(error)})`);
  }
  return parseMissionMeta(text.replace(/^\uFEFF/, ""), metaPath, dirName);
};

export const parseMissionMeta = (text: string, metaPath: string, dirName: string): MissionMeta => {
  const fail = (reason: string) => metadataUnavailable(dirName, metaPath, reason);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail("expected a JSON object");
  const record = value as Record<string, unknown>;
  const optionalString = (field: string): string | null => {
    const raw = record[field];
    if (raw === undefined || raw === null) return null;
    if (typeof raw !== "string") throw fail(`field '${field}' must be a string, found ${raw === null ? "null" : typeof raw}`);
    return raw.trim() === "" ? null : raw;
  };
  const missionId = optionalString("mission_id");
  if (missionId !== null && !ULID.test(missionId)) throw fail(`field 'mission_id' is not a ULID: '${missionId}'`);
  const targetBranch = optionalString("target_branch");
  if (targetBranch === null) throw fail("field 'target_branch' is required");
  const coordinationBranch = optionalString("coordination_branch");
  const topology = optionalString("topology");
  if (topology !== null && !STORED_TOPOLOGIES.has(topology)) {
    throw fail(`field 'topology' has unknown value '${topology}' (expected one of ${[...STORED_TOPOLOGIES].join(", ")})`);
  }
  if (topology !== null && ROUTES_THROUGH_COORDINATION.has(topology) !== (coordinationBranch !== null)) {
    throw fail(
      coordinationBranch === null
        ? `topology '${topology}' routes through coordination but 'coordination_branch' is missing`
        : `'coordination_branch' is set but topology '${topology}' does not route through coordination`,
    );
  }
  if (coordinationBranch !== null && missionId === null) {
    throw fail("'coordination_branch' is set but 'mission_id' is missing (the coordination worktree is named after it)");
  }
  return {
    missionSlug: optionalString("mission_slug") ?? optionalString("slug") ?? dirName,
    missionId,
    targetBranch,
    coordinationBranch,
    storedTopology: topology as StoredTopology | null,
  };
};
