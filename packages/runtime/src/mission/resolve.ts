import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { runtimeError } from "../errors.ts";

/** A mission found under `kitty-specs/<slug>/meta.json`. */
export interface MissionInfo {
  readonly slug: string;
  /** The canonical ULID from meta.json; null for missions created before ids existed (never replaced by the slug). */
  readonly id: string | null;
  readonly type: string;
  readonly dir: string;
}

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const DEFAULT_MISSION_TYPE = "software-dev";

/** The repository holding `dir`: the nearest ancestor with a `.git` entry, or null. */
export const findRepoRoot = (dir: string): string | null => {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(join(current, ".git"))) return current;
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
};

/**
 * Resolves a mission handle: the slug (folder name or meta `mission_slug`), the full mission_id, or its first
 * 8 characters (mid8). Throws MissionRuntimeError MISSION_NOT_FOUND / MISSION_AMBIGUOUS / MISSION_METADATA_INVALID.
 */
export const resolveMission = (repoRoot: string, handle: string): MissionInfo => {
  const specs = join(repoRoot, "kitty-specs");
  const direct = join(specs, handle, "meta.json");
  if (handle !== "" && !handle.includes("/") && existsSync(direct)) return readMission(join(specs, handle));
  const all = listMissions(repoRoot);
  const upper = handle.toUpperCase();
  const matches = all.filter((m) => m.slug === handle || (m.id !== null && (m.id === upper || (handle.length === 8 && m.id.startsWith(upper)))));
  if (matches.length === 1 && matches[0] !== undefined) return matches[0];
  if (matches.length > 1)
    throw runtimeError("MISSION_AMBIGUOUS", `mission handle '${handle}' matches ${matches.map((m) => m.slug).join(", ")}; use the full slug or mission_id`);
  throw runtimeError("MISSION_NOT_FOUND", `no mission '${handle}' under ${specs} (give a slug, a mission_id or its first 8 characters)`, specs);
};

/** Every mission under kitty-specs/ that has a readable meta.json, sorted by slug. */
export const listMissions = (repoRoot: string): ReadonlyArray<MissionInfo> => {
  const specs = join(repoRoot, "kitty-specs");
  let names: ReadonlyArray<string>;
  try {
    names = readdirSync(specs).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const dir = join(specs, name);
    if (!existsSync(join(dir, "meta.json"))) return [];
    try {
      return [readMission(dir)];
    } catch {
      return [];
    }
  });
};

const readMission = (dir: string): MissionInfo => {
  const file = join(dir, "meta.json");
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
  } catch (e) {
    throw runtimeError("MISSION_METADATA_INVALID", `${file}: cannot read mission metadata: ${(e as Error).message}`, file);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta))
    throw runtimeError("MISSION_METADATA_INVALID", `${file}: mission metadata must be a JSON object`, file);
  const m = meta as Record<string, unknown>;
  const slugField = m["mission_slug"] ?? m["slug"];
  const slug = typeof slugField === "string" && slugField !== "" ? slugField : (dir.split(/[\\/]/).pop() ?? "");
  const id = typeof m["mission_id"] === "string" && ULID_PATTERN.test(m["mission_id"]) ? m["mission_id"] : null;
  const type = typeof m["mission_type"] === "string" && m["mission_type"] !== "" ? m["mission_type"] : DEFAULT_MISSION_TYPE;
  return { slug, id, type, dir };
};
