import { accessSync, closeSync, constants, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isMap, isScalar, parseDocument, type Document } from "yaml";
import { canonicalUuid, deriveBuildId, deriveProjectSlug, generateNodeId, newProjectUuid, normalizeSlug, slugFromRemoteUrl } from "./derive.ts";
import { locateGit, readOriginUrl } from "./git.ts";

/** Where the project identity lives, relative to the main repository root. */
export const CONFIG_RELATIVE_PATH = join(".kittify", "config.yaml");

export const configPathOf = (mainRoot: string): string => join(mainRoot, CONFIG_RELATIVE_PATH);

/** One problem with config.yaml, naming the key. */
export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}

/**
 * The identity of a project as read (never written) from `<main root>/.kittify/config.yaml`:
 * - `complete`: uuid, slug and node_id are persisted;
 * - `incomplete`: a valid uuid is persisted, slug or node_id are not (derived here, in memory);
 * - `missing`: no file, or no `project.uuid`;
 * - `malformed`: the file or a key cannot be understood (`problems` names them); the uuid is never re-minted.
 */
export interface ProjectIdentity {
  readonly mainRoot: string;
  readonly configPath: string;
  readonly state: "complete" | "incomplete" | "missing" | "malformed";
  readonly projectUuid: string | null;
  readonly projectSlug: string;
  readonly nodeId: string;
  readonly buildId: string | null;
  readonly repoSlug: string | null;
  /** `sync.auto_start`: only an explicit `false` turns it off. */
  readonly autoStart: boolean;
  readonly problems: ReadonlyArray<ConfigProblem>;
}

/** A failure to establish the identity, with a stable code. */
export class IdentityError extends Error {
  readonly code: "IDENTITY_MALFORMED" | "IDENTITY_NOT_WRITABLE" | "IDENTITY_WRITE_FAILED";
  readonly path: string;
  constructor(code: IdentityError["code"], path: string, message: string) {
    super(message);
    this.name = "IdentityError";
    this.code = code;
    this.path = path;
  }
}

interface Raw {
  uuid: unknown;
  slug: unknown;
  node_id: unknown;
  repo_slug: unknown;
  build_id: unknown;
  autoStart: unknown;
}

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split("\n").length;

/** Parses config.yaml text into the fields the identity uses, or problems. Exposed for tests. */
export const parseConfig = (path: string, text: string): { raw: Raw | null; problems: ConfigProblem[]; doc: Document | null } => {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.pos?.[0] !== undefined ? lineOf(text, e.pos[0]) : 0;
    return { raw: null, problems: [{ key: "(file)", message: `${path}:${line}: not valid YAML: ${e.message.split("\n")[0]}` }], doc: null };
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) {
    return { raw: { uuid: undefined, slug: undefined, node_id: undefined, repo_slug: undefined, build_id: undefined, autoStart: undefined }, problems: [], doc };
  }
  if (!isMap(root)) return { raw: null, problems: [{ key: "(root)", message: `${path}: the document must be a mapping` }], doc };
  const project = doc.get("project", true);
  const problems: ConfigProblem[] = [];
  if (project !== undefined && project !== null && !isMap(project) && !(isScalar(project) && project.value === null)) {
    problems.push({ key: "project", message: `${path}: key 'project' must be a mapping (uuid, slug, node_id)` });
    return { raw: null, problems, doc };
  }
  const at = (k: string): unknown => {
    const v = doc.getIn(["project", k], false);
    return v;
  };
  const sync = doc.get("sync", true);
  const autoStart = isMap(sync) ? doc.getIn(["sync", "auto_start"], false) : undefined;
  return { raw: { uuid: at("uuid"), slug: at("slug"), node_id: at("node_id"), repo_slug: at("repo_slug"), build_id: at("build_id"), autoStart }, problems, doc };
};

const fallbackSlug = (mainRoot: string): string => {
  const loc = locateGit(mainRoot);
  const url = loc === null ? null : readOriginUrl(loc);
  return url === null ? normalizeSlug(basename(mainRoot)) : slugFromRemoteUrl(url);
};

/**
 * Resolves the identity of the repository whose main root is `mainRoot`. Read-only: never writes, never mints a
 * uuid. Missing slug/node_id are derived in memory (slug from the origin URL in the repository's config file,
 * else the directory name).
 */
export const resolveIdentity = (mainRoot: string, env: NodeJS.ProcessEnv = process.env): ProjectIdentity => {
  const configPath = configPathOf(mainRoot);
  let text: string | null;
  try {
    text = readFileSync(configPath, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    text = null;
    if (code !== "ENOENT" && code !== "ENOTDIR") {
      return {
        mainRoot,
        configPath,
        state: "malformed",
        projectUuid: null,
        projectSlug: fallbackSlug(mainRoot),
        nodeId: generateNodeId(env),
        buildId: null,
        repoSlug: null,
        autoStart: true,
        problems: [{ key: "(file)", message: `${configPath}: cannot read: ${(e as Error).message}` }],
      };
    }
  }
  const base = { mainRoot, configPath };
  if (text === null) {
    return { ...base, state: "missing", projectUuid: null, projectSlug: fallbackSlug(mainRoot), nodeId: generateNodeId(env), buildId: null, repoSlug: null, autoStart: true, problems: [] };
  }
  const { raw, problems } = parseConfig(configPath, text);
  if (raw === null) {
    return { ...base, state: "malformed", projectUuid: null, projectSlug: fallbackSlug(mainRoot), nodeId: generateNodeId(env), buildId: null, repoSlug: null, autoStart: true, problems };
  }
  const out: ConfigProblem[] = [];
  const str = (key: string, v: unknown): string | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== "string" || v.trim() === "") {
      out.push({ key: `project.${key}`, message: `${configPath}: key 'project.${key}' must be a non-empty string, found ${JSON.stringify(v)}` });
      return null;
    }
    return v.trim();
  };
  const uuidText = str("uuid", raw.uuid);
  let projectUuid: string | null = null;
  if (uuidText !== null) {
    projectUuid = canonicalUuid(uuidText);
    if (projectUuid === null) out.push({ key: "project.uuid", message: `${configPath}: key 'project.uuid' is not a UUID: ${JSON.stringify(uuidText)}` });
  }
  const slug = str("slug", raw.slug);
  const nodeId = str("node_id", raw.node_id);
  const repoSlug = str("repo_slug", raw.repo_slug);
  const buildId = str("build_id", raw.build_id);
  const autoStart = raw.autoStart !== false;
  const uuidBroken = out.some((p) => p.key === "project.uuid");
  const state: ProjectIdentity["state"] = uuidBroken ? "malformed" : projectUuid === null ? "missing" : slug !== null && nodeId !== null ? "complete" : "incomplete";
  const node = nodeId ?? generateNodeId(env);
  return {
    ...base,
    state: out.length > 0 && state === "complete" ? "incomplete" : state,
    projectUuid: uuidBroken ? null : projectUuid,
    projectSlug: slug ?? fallbackSlug(mainRoot),
    nodeId: node,
    buildId: buildId ?? (projectUuid === null || uuidBroken ? null : deriveBuildId(projectUuid, node)),
    repoSlug,
    autoStart,
    problems: out,
  };
};

const isWritable = (path: string): boolean => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") return false;
  }
  // The file does not exist: its nearest existing directory must be writable.
  let dir = dirname(path);
  for (;;) {
    try {
      accessSync(dir, constants.W_OK);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") return false;
    }
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
};

/** Writes `text` to `path` atomically: a temp file in the same directory, fsync, rename. */
export const atomicWrite = (path: string, text: string, mode?: number): void => {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, "wx", mode ?? 0o644);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
};

export interface EnsureResult {
  readonly identity: ProjectIdentity;
  /** True when config.yaml was written by this call. */
  readonly written: boolean;
  /** Keys this call added. */
  readonly added: ReadonlyArray<string>;
  /** Set when the file cannot be written: the identity is only in memory. */
  readonly warning: string | null;
}

/**
 * Makes sure the project identity is persisted (the write path, used by `spec-kitty init` only): adds the
 * missing keys of `project` (uuid4, slug, node_id) and `sync.auto_start: true` when there is no `sync` key,
 * keeping every other key and comment (yaml Document API), atomically. A complete identity is left untouched.
 * Throws `IdentityError` IDENTITY_MALFORMED for a file or key it cannot understand (it never re-mints a uuid);
 * a file that cannot be written gives an in-memory identity and a warning.
 */
export const ensureIdentity = (mainRoot: string, env: NodeJS.ProcessEnv = process.env): EnsureResult => {
  const current = resolveIdentity(mainRoot, env);
  if (current.state === "malformed") {
    const p = current.problems[0];
    throw new IdentityError("IDENTITY_MALFORMED", current.configPath, `${p?.message ?? current.configPath}; fix or remove the key, then run init again (the project uuid is never re-minted)`);
  }
  if (current.state === "complete" && current.problems.length === 0) return { identity: current, written: false, added: [], warning: null };
  const path = current.configPath;
  let text = "";
  let mode: number | undefined;
  try {
    text = readFileSync(path, "utf8");
    mode = statSync(path).mode & 0o777;
  } catch {
    text = "";
  }
  const doc = text.trim() === "" ? parseDocument("{}") : parseConfig(path, text).doc!;
  const added: string[] = [];
  const projectUuid = current.projectUuid ?? newProjectUuid();
  const setMissing = (key: string, value: string, present: boolean): void => {
    if (present) return;
    doc.setIn(["project", key], value);
    added.push(`project.${key}`);
  };
  if (!isMap(doc.get("project", true))) doc.set("project", doc.createNode({}));
  const has = (k: string): boolean => {
    const v = doc.getIn(["project", k], false);
    return typeof v === "string" && v.trim() !== "";
  };
  setMissing("uuid", projectUuid, has("uuid"));
  setMissing("slug", deriveProjectSlug(mainRoot), has("slug"));
  setMissing("node_id", generateNodeId(env), has("node_id"));
  if (!doc.has("sync")) {
    doc.set("sync", doc.createNode({ auto_start: true }));
    added.push("sync.auto_start");
  }
  const out = doc.toString();
  const inMemory = (): ProjectIdentity => ({
    ...current,
    state: "complete",
    projectUuid,
    projectSlug: String(doc.getIn(["project", "slug"])),
    nodeId: String(doc.getIn(["project", "node_id"])),
    buildId: current.buildId ?? deriveBuildId(projectUuid, String(doc.getIn(["project", "node_id"]))),
    problems: [],
  });
  if (!isWritable(path)) {
    return { identity: inMemory(), written: false, added, warning: `${path} is not writable; using an in-memory project identity (events stay blocked until init can write it)` };
  }
  try {
    atomicWrite(path, out, mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      return { identity: inMemory(), written: false, added, warning: `${path} is not writable (${code}); using an in-memory project identity (events stay blocked until init can write it)` };
    }
    throw new IdentityError("IDENTITY_WRITE_FAILED", path, `${path}: cannot write the project identity: ${(e as Error).message}`);
  }
  return { identity: resolveIdentity(mainRoot, env), written: true, added, warning: null };
};
