import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { matchMissionHandle, MissionStatus, type MissionStatusOptions } from "@spec-kitty/status";
import { WorkflowError } from "./errors.ts";
import { metaJsonText, writeFileAtomic } from "./files.ts";
import { requireRepo, type RepoLocation } from "./git.ts";

export const META_FILE = "meta.json";
export const TASKS_FILE = "tasks.md";
export const TASKS_DIR = "tasks";
/** `software-dev` when meta.json names none. */
export const DEFAULT_MISSION_TYPE = "software-dev";

/** One mission of the repository, as the workflow commands see it: always in the main checkout. */
export interface MissionContext {
  readonly repo: RepoLocation;
  /** `<main checkout>/kitty-specs`. */
  readonly kittySpecs: string;
  /** The directory name under kitty-specs/. */
  readonly dir: string;
  /** Absolute path of the mission directory. */
  readonly path: string;
  /** The mission directory relative to the main checkout (`kitty-specs/<dir>`), for git pathspecs. */
  readonly relPath: string;
  readonly metaPath: string;
  /** meta.json as read (every key, in file order). */
  readonly meta: Readonly<Record<string, unknown>>;
  readonly slug: string;
  readonly missionId: string | null;
  readonly missionType: string;
  /** meta.json `target_branch` (required). */
  readonly targetBranch: string;
}

/** Reads a JSON object file; every problem names the file (and the line of a syntax error). */
export const readMetaFile = (path: string): Record<string, unknown> => {
  let text: string;
  try {
    text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new WorkflowError({
      code: code === "ENOENT" ? "META_NOT_FOUND" : "META_UNREADABLE",
      kind: "input",
      message: code === "ENOENT" ? `${path}: meta.json not found` : `${path}: cannot read meta.json (${code ?? String(error)})`,
      file: path,
      hint: code === "ENOENT" ? "create the mission with 'spec-kitty agent mission create SLUG'" : undefined,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const pos = /position (\d+)/.exec(message);
    const line = pos?.[1] === undefined ? undefined : text.slice(0, Number(pos[1])).split("\n").length;
    throw new WorkflowError({
      code: "META_INVALID",
      kind: "input",
      message: `${path}${line === undefined ? "" : `:${line}`}: meta.json is not valid JSON (${message})`,
      file: path,
      ...(line === undefined ? {} : { line }),
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new WorkflowError({ code: "META_INVALID", kind: "input", message: `${path}: meta.json must be a JSON object`, file: path });
  }
  return value as Record<string, unknown>;
};

/** Writes meta.json atomically in the reference's layout (sorted keys, indent 2, trailing newline). */
export const writeMetaFile = (path: string, meta: Readonly<Record<string, unknown>>): void => writeFileAtomic(path, metaJsonText(meta));

const metaString = (meta: Readonly<Record<string, unknown>>, field: string, path: string, required: boolean): string | null => {
  const raw = meta[field];
  if (raw === undefined || raw === null || raw === "") {
    if (!required) return null;
    throw new WorkflowError({
      code: "META_INVALID",
      kind: "input",
      message: `${path}: field '${field}' is required`,
      file: path,
      field,
    });
  }
  if (typeof raw !== "string") {
    throw new WorkflowError({
      code: "META_INVALID",
      kind: "input",
      message: `${path}: field '${field}' must be a string, found ${typeof raw}`,
      file: path,
      field,
    });
  }
  return raw;
};

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/**
 * The mission `handle` names (directory name, `<slug>-<mid8>`, mid8 or mission_id) in the repository containing
 * `cwd`, read from its main checkout also when `cwd` is inside a worktree. Without a handle the only mission is
 * chosen; several are a usage error listing them.
 */
export const openMission = async (cwd: string, handle: string | undefined): Promise<MissionContext> => {
  const repo = requireRepo(cwd);
  const kittySpecs = join(repo.mainRoot, "kitty-specs");
  const { missions } = await MissionStatus.missions(repo.mainRoot);
  let dir: string;
  if (handle === undefined || handle === "") {
    const [only, ...others] = missions;
    if (only === undefined) {
      throw new WorkflowError({
        code: "MISSION_NOT_FOUND",
        message: `no missions under ${kittySpecs}`,
        hint: "create one with 'spec-kitty agent mission create SLUG'",
      });
    }
    if (others.length > 0) {
      throw new WorkflowError({
        code: "MISSION_REQUIRED",
        kind: "usage",
        message: `${missions.length} missions under ${kittySpecs}; choose one with --mission`,
        hint: `missions: ${missions.map((m) => m.dir).join(", ")}`,
      });
    }
    dir = only.dir;
  } else if (!handle.includes("/") && isDir(join(kittySpecs, handle))) {
    dir = handle;
  } else {
    const matches = matchMissionHandle(handle, missions);
    if (matches.length !== 1) {
      throw new WorkflowError({
        code: matches.length === 0 ? "MISSION_NOT_FOUND" : "MISSION_SELECTOR_AMBIGUOUS",
        message:
          matches.length === 0
            ? `no mission '${handle}' under ${kittySpecs}`
            : `mission handle '${handle}' matches ${matches.join(", ")}; use the full directory name or mission_id`,
        hint: matches.length === 0 ? `missions: ${missions.map((m) => m.dir).join(", ") || "(none)"}` : undefined,
      });
    }
    dir = matches[0] as string;
  }
  const path = join(kittySpecs, dir);
  const metaPath = join(path, META_FILE);
  const meta = readMetaFile(metaPath);
  const slug = metaString(meta, "mission_slug", metaPath, false) ?? metaString(meta, "slug", metaPath, false) ?? dir;
  const missionId = metaString(meta, "mission_id", metaPath, false);
  return {
    repo,
    kittySpecs,
    dir,
    path,
    relPath: relative(repo.mainRoot, path),
    metaPath,
    meta,
    slug,
    missionId,
    missionType: metaString(meta, "mission_type", metaPath, false) ?? metaString(meta, "mission", metaPath, false) ?? DEFAULT_MISSION_TYPE,
    targetBranch: metaString(meta, "target_branch", metaPath, true) as string,
  };
};

/** Loads the mission's MissionStatus (the only lane authority) with the given ports. */
export const missionStatus = (mission: MissionContext, options: MissionStatusOptions = {}): Promise<MissionStatus> =>
  MissionStatus.load(mission.repo.mainRoot, mission.dir, options);

/** One WP prompt file: `tasks/WPnn-….md` (or, in legacy missions, `tasks/<lane>/WPnn-….md`). */
export interface WorkPackageFile {
  readonly wpId: string;
  readonly path: string;
  /** Relative to the main checkout. */
  readonly relPath: string;
}

const WP_FILE = /^(WP\d{2})(?:[-_.].*)?\.md$/;
const LEGACY_LANE_DIRS = ["planned", "doing", "for_review", "done"] as const;

/**
 * The WP prompt files of a mission, sorted by id. Two files for one id is an error naming both (the lookup would
 * be ambiguous).
 */
export const listWorkPackageFiles = (mission: MissionContext): readonly WorkPackageFile[] => {
  const tasksDir = join(mission.path, TASKS_DIR);
  if (!existsSync(tasksDir)) return [];
  const found = new Map<string, string>();
  const scan = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const m = WP_FILE.exec(name);
      if (m?.[1] === undefined) continue;
      const path = join(dir, name);
      const previous = found.get(m[1]);
      if (previous !== undefined) {
        throw new WorkflowError({
          code: "WP_FILE_AMBIGUOUS",
          kind: "input",
          message: `multiple files match ${m[1]}: ${relative(mission.repo.mainRoot, previous)} and ${relative(mission.repo.mainRoot, path)}`,
          file: path,
          wpId: m[1],
          hint: "keep one prompt file per work package",
        });
      }
      found.set(m[1], path);
    }
  };
  scan(tasksDir);
  for (const lane of LEGACY_LANE_DIRS) if (isDir(join(tasksDir, lane))) scan(join(tasksDir, lane));
  return [...found.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([wpId, path]) => ({ wpId, path, relPath: relative(mission.repo.mainRoot, path) }));
};

/** The prompt file of `wpId`, or a WorkflowError WP_NOT_FOUND listing the known ones. */
export const findWorkPackageFile = (mission: MissionContext, wpId: string): WorkPackageFile => {
  if (!/^WP\d{2}$/.test(wpId)) {
    throw new WorkflowError({
      code: "INVALID_WP_ID",
      kind: "usage",
      message: `invalid work package id '${wpId}' (expected WP followed by two digits, like WP01)`,
    });
  }
  const all = listWorkPackageFiles(mission);
  const file = all.find((f) => f.wpId === wpId);
  if (file === undefined) {
    throw new WorkflowError({
      code: "WP_NOT_FOUND",
      message: `work package ${wpId} not found in ${join(mission.relPath, TASKS_DIR)}`,
      wpId,
      hint: all.length === 0 ? "run finalize-tasks after writing tasks.md and the WP files" : `known: ${all.map((f) => f.wpId).join(", ")}`,
    });
  }
  return file;
};
