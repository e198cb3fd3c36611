import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { type TemplateError, templateError } from "../errors.ts";
import { BUILTIN_TEMPLATES, builtinPath, builtinText } from "./builtin.ts";
import { parseMissionTemplate } from "./parse.ts";
import type { LoadedTemplate } from "./types.ts";

/** Where templates come from, highest precedence first. The first template seen for a key wins. */
export const DISCOVERY_TIERS = ["explicit", "env", "project_override", "project_legacy", "user_global", "builtin"] as const;
export type DiscoveryTier = (typeof DISCOVERY_TIERS)[number];

/** File names accepted inside a mission folder, in order of preference. */
export const TEMPLATE_FILE_NAMES = ["mission-runtime.yaml", "mission.yaml"] as const;

export interface DiscoveryContext {
  /** Template files, mission folders, or folders of mission folders, searched first. */
  readonly explicitPaths?: ReadonlyArray<string>;
  /** The value of SPEC_KITTY_MISSION_PATHS (path-delimiter separated); omit to read the process environment. */
  readonly envPaths?: string | null;
  /** Repository root holding `.kittify/`; null skips the project tiers. */
  readonly projectRoot: string | null;
  /** Home folder holding `~/.kittify/missions`; null skips the user tier. */
  readonly userHome: string | null;
  readonly includeBuiltin?: boolean;
}

export interface DiscoveredMission extends LoadedTemplate {
  readonly key: string;
  readonly tier: DiscoveryTier;
}

export interface ShadowedMission {
  readonly key: string;
  readonly path: string;
  readonly tier: DiscoveryTier;
  readonly shadowedBy: string;
}

/** A template that could not be loaded; discovery carries on without it. */
export interface DiscoveryWarning {
  readonly tier: DiscoveryTier;
  readonly path: string;
  readonly code: TemplateError["code"];
  readonly message: string;
}

export interface DiscoveryResult {
  readonly missions: ReadonlyArray<DiscoveredMission>;
  readonly shadowed: ReadonlyArray<ShadowedMission>;
  readonly warnings: ReadonlyArray<DiscoveryWarning>;
}

/** Finds every mission template across the tiers; load failures become warnings, never errors. */
export const discoverMissions = (ctx: DiscoveryContext): DiscoveryResult => {
  const missions = new Map<string, DiscoveredMission>();
  const shadowed: Array<ShadowedMission> = [];
  const warnings: Array<DiscoveryWarning> = [];
  for (const [tier, roots] of tierRoots(ctx)) {
    for (const candidate of roots.flatMap((root) => expandRoot(root, tier, warnings))) {
      const loaded = candidate.text === undefined ? loadTemplateFile(candidate.path) : loadTemplateText(candidate.text, candidate.path);
      if (!loaded.ok) {
        warnings.push({ tier, path: candidate.path, code: loaded.error.code, message: loaded.error.message });
        continue;
      }
      const key = loaded.value.template.mission.key;
      const winner = missions.get(key);
      if (winner !== undefined) shadowed.push({ key, path: candidate.path, tier, shadowedBy: winner.path });
      else missions.set(key, { ...loaded.value, key, tier });
    }
  }
  return { missions: [...missions.values()], shadowed, warnings };
};

export type LoadResult = { readonly ok: true; readonly value: LoadedTemplate } | { readonly ok: false; readonly error: TemplateError };

/** Reads and validates one template file (a mission folder gets its template file name appended). */
export const loadTemplateFile = (path: string): LoadResult => {
  const builtin = builtinText(path);
  if (builtin !== null) return loadTemplateText(builtin, path);
  const file = resolveTemplateFile(resolve(path));
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { ok: false, error: templateError("TEMPLATE_UNREADABLE", file, null, `${file}: cannot read template: ${(e as Error).message}`) };
  }
  return loadTemplateText(text, file);
};

const loadTemplateText = (text: string, file: string): LoadResult => {
  const fallbackKey = file.startsWith("builtin:") ? file.slice(8).split("/")[0] : basename(dirname(file));
  const parsed = parseMissionTemplate(text.replace(/^\uFEFF/, ""), { file, fallbackKey });
  return parsed.ok ? { ok: true, value: { template: parsed.template, text, path: file } } : parsed;
};

/** A folder holding a template file resolves to that file; anything else is taken as given. */
export const resolveTemplateFile = (path: string): string => {
  if (!isDirectory(path)) return path;
  for (const name of TEMPLATE_FILE_NAMES) if (existsSync(join(path, name))) return join(path, name);
  return join(path, TEMPLATE_FILE_NAMES[1]);
};

/** The winning template for a key, or a TemplateError naming the tiers searched. */
export const findMissionTemplate = (ctx: DiscoveryContext, key: string): { result: LoadResult; warnings: ReadonlyArray<DiscoveryWarning> } => {
  const found = discoverMissions(ctx);
  const hit = found.missions.find((m) => m.key === key);
  if (hit !== undefined) return { result: { ok: true, value: hit }, warnings: found.warnings };
  const message = `no mission template with key '${key}' (searched ${DISCOVERY_TIERS.join(", ")})`;
  return { result: { ok: false, error: templateError("TEMPLATE_NOT_FOUND", key, null, message) }, warnings: found.warnings };
};

interface Candidate {
  readonly path: string;
  readonly text?: string;
}

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

const tierRoots = (ctx: DiscoveryContext): ReadonlyArray<[DiscoveryTier, ReadonlyArray<string>]> => {
  const env = ctx.envPaths === undefined ? (process.env["SPEC_KITTY_MISSION_PATHS"] ?? null) : ctx.envPaths;
  const project = ctx.projectRoot;
  return [
    ["explicit", (ctx.explicitPaths ?? []).map((p) => resolve(p))],
    ["env", env === null ? [] : env.split(delimiter).filter((p) => p.trim() !== "").map((p) => resolve(p))],
    ["project_override", project === null ? [] : [join(project, ".kittify", "overrides", "missions")]],
    ["project_legacy", project === null ? [] : [join(project, ".kittify", "missions")]],
    ["user_global", ctx.userHome === null ? [] : [join(ctx.userHome, ".kittify", "missions")]],
    ["builtin", ctx.includeBuiltin === false ? [] : Object.keys(BUILTIN_TEMPLATES).map(builtinPath)],
  ];
};

/**
 * One search root becomes template candidates: a file is itself; a mission folder gives its template file;
 * a folder with `mission-pack.yaml` gives the pack's listed missions; any other folder gives its mission subfolders.
 */
const expandRoot = (root: string, tier: DiscoveryTier, warnings: Array<DiscoveryWarning>): ReadonlyArray<Candidate> => {
  if (tier === "builtin") return [{ path: root }];
  if (!existsSync(root)) return [];
  if (!isDirectory(root)) return [{ path: root }];
  const own = TEMPLATE_FILE_NAMES.map((n) => join(root, n)).find((p) => existsSync(p));
  if (own !== undefined) return [{ path: own }];
  const pack = join(root, "mission-pack.yaml");
  if (existsSync(pack)) return packCandidates(pack, tier, warnings);
  let entries: ReadonlyArray<string>;
  try {
    entries = readdirSync(root).sort();
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const dir = join(root, name);
    const file = TEMPLATE_FILE_NAMES.map((n) => join(dir, n)).find((p) => existsSync(p));
    return file === undefined ? [] : [{ path: file }];
  });
};

const packCandidates = (pack: string, tier: DiscoveryTier, warnings: Array<DiscoveryWarning>): ReadonlyArray<Candidate> => {
  try {
    const manifest = parseYaml(readFileSync(pack, "utf8")) as { missions?: ReadonlyArray<{ key?: unknown; path?: unknown }> } | null;
    const list = manifest?.missions ?? [];
    return list.flatMap((m, i) => {
      if (typeof m.path !== "string") {
        warnings.push({ tier, path: pack, code: "TEMPLATE_FIELD_INVALID", message: `${pack}: field 'missions[${i}].path' must be a string` });
        return [];
      }
      return [{ path: resolveTemplateFile(resolve(dirname(pack), m.path)) }];
    });
  } catch (e) {
    warnings.push({ tier, path: pack, code: "TEMPLATE_YAML_INVALID", message: `${pack}: cannot read mission pack: ${(e as Error).message}` });
    return [];
  }
};
