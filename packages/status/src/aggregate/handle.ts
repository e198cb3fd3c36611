import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { InvalidMissionSlug, MissionSelectorAmbiguous, missionNotFound } from "./errors.ts";

/**
 * Mission handles: the directory name under kitty-specs/ (the slug), `<slug>-<mid8>` for a slug that
 * does not embed its id, the human slug of a modern `<slug>-<mid8>` directory, a bare mid8 (the first 8
 * characters of mission_id) or the full mission_id ULID. The number of a merged mission is never a
 * selector. More than one match is an error, never a silent pick.
 */

export interface MissionCandidate {
  /** Directory name under kitty-specs/. */
  readonly dir: string;
  /** mission_id from its meta.json, or null when absent or unreadable. */
  readonly missionId: string | null;
}

const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]+$/;

/** Throws InvalidMissionSlug unless `handle` is one safe ASCII path segment. */
export const assertSafeHandle = (handle: string): void => {
  const reason =
    handle.trim() === ""
      ? "it is empty"
      : !/^[\x21-\x7e]+$/.test(handle)
        ? "it must be printable ASCII without spaces"
        : handle.includes("/") || handle.includes("\\")
          ? "it must not contain a path separator"
          : handle.startsWith(".")
            ? "it must not start with a dot"
            : null;
  if (reason !== null) {
    throw new InvalidMissionSlug({ handle, reason, message: `invalid mission handle '${handle}': ${reason}` });
  }
};

/**
 * The candidates `handle` selects, by every rule at once (pure). An exact directory name is checked
 * by the caller first and wins outright.
 */
export const matchMissionHandle = (handle: string, candidates: readonly MissionCandidate[]): readonly string[] => {
  const upper = handle.toUpperCase();
  const suffixed = /^(.+)-([0-9A-Za-z]{8})$/.exec(handle);
  const matches = new Set<string>();
  for (const candidate of candidates) {
    const id = candidate.missionId;
    if (candidate.dir === handle) matches.add(candidate.dir);
    if (id === null) continue;
    const mid8 = id.slice(0, 8);
    if (upper.length === 26 && CROCKFORD.test(upper) && id === upper) matches.add(candidate.dir);
    if (upper.length === 8 && CROCKFORD.test(upper) && mid8 === upper) matches.add(candidate.dir);
    if (suffixed !== null && candidate.dir === suffixed[1] && mid8 === (suffixed[2] ?? "").toUpperCase()) {
      matches.add(candidate.dir);
    }
    if (candidate.dir === `${handle}-${mid8}`) matches.add(candidate.dir);
  }
  return [...matches].sort();
};

/**
 * Resolves `handle` to a directory name under `kittySpecs`. Throws InvalidMissionSlug,
 * MissionNotFound or MissionSelectorAmbiguous.
 */
export const resolveMissionHandle = (kittySpecs: string, handle: string): string => {
  assertSafeHandle(handle);
  if (isDirectory(join(kittySpecs, handle))) return handle;
  const candidates = listCandidates(kittySpecs);
  const matches = matchMissionHandle(handle, candidates);
  if (matches.length === 1) return matches[0] as string;
  if (matches.length === 0) throw missionNotFound(handle, kittySpecs, candidates.map((c) => c.dir));
  throw new MissionSelectorAmbiguous({
    handle,
    candidates: matches,
    message: `mission handle '${handle}' is ambiguous: it matches ${matches.join(", ")}; use the full directory name or mission_id`,
  });
};

/** Every mission directory under `kittySpecs` with its mission_id (unreadable meta.json: no id). */
export const listCandidates = (kittySpecs: string): MissionCandidate[] => {
  let names: string[];
  try {
    names = readdirSync(kittySpecs, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
  return names.map((dir) => ({ dir, missionId: readMissionId(join(kittySpecs, dir, "meta.json")) }));
};

const readMissionId = (metaPath: string): string | null => {
  try {
    const value: unknown = JSON.parse(readFileSync(metaPath, "utf8").replace(/^\uFEFF/, ""));
    if (typeof value === "object" && value !== null && "mission_id" in value) {
      const id = (value as { mission_id: unknown }).mission_id;
      return typeof id === "string" && id !== "" ? id.toUpperCase() : null;
    }
  } catch {
    // A mission whose meta.json cannot be read is only reachable by its directory name; loading it fails closed.
  }
  return null;
};

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};
