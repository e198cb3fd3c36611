import { createHash, randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { basename } from "node:path";
import { gitOutput } from "./git.ts";

/**
 * The user name as Python's `getpass.getuser()` finds it: the first non-empty of `LOGNAME`, `USER`, `LNAME`,
 * `USERNAME`, then the password database. Keeping this order keeps the node id of machines the Python CLI
 * already stamped.
 */
export const userName = (env: NodeJS.ProcessEnv = process.env): string => {
  for (const key of ["LOGNAME", "USER", "LNAME", "USERNAME"]) {
    const v = env[key];
    if (v !== undefined && v !== "") return v;
  }
  try {
    return userInfo().username;
  } catch {
    return "";
  }
};

/** A machine's node id: sha256(hostname + ":" + user name), first 12 hex characters. */
export const nodeIdFor = (host: string, user: string): string => createHash("sha256").update(`${host}:${user}`, "utf8").digest("hex").slice(0, 12);

/** This machine's node id (`socket.gethostname()` is `os.hostname()`). */
export const generateNodeId = (env: NodeJS.ProcessEnv = process.env): string => nodeIdFor(hostname(), userName(env));

/** The reference's slug normalisation: lower case, `_` and spaces become `-` (nothing else changes). */
export const normalizeSlug = (text: string): string => text.toLowerCase().replaceAll("_", "-").replaceAll(" ", "-");

/**
 * The project slug from a remote URL, as the reference derives it: drop a trailing `.git`, keep what follows
 * the last `:` of an scp-like URL (one with both `:` and `@`), take the last `/` segment, normalise.
 */
export const slugFromRemoteUrl = (url: string): string => {
  let u = url.trim();
  if (u.endsWith(".git")) u = u.slice(0, -4);
  if (u.includes(":") && u.includes("@")) u = u.slice(u.lastIndexOf(":") + 1);
  const last = u.split("/").pop() ?? u;
  return normalizeSlug(last);
};

/** The project slug of a repository: from `git remote get-url origin`, else the directory name. */
export const deriveProjectSlug = (repoRoot: string): string => {
  const url = gitOutput(repoRoot, ["remote", "get-url", "origin"]);
  if (url !== null && url !== "") return slugFromRemoteUrl(url);
  return normalizeSlug(basename(repoRoot));
};

/** A fresh project uuid (UUID version 4). */
export const newProjectUuid = (): string => randomUUID();

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BARE_UUID_RE = /^[0-9a-f]{32}$/i;

/** The canonical (lower-case, hyphenated) form of a UUID, or null when the text is not one. */
export const canonicalUuid = (text: string): string | null => {
  const t = text.trim().replace(/^urn:uuid:/i, "").replace(/^\{(.*)\}$/, "$1");
  if (UUID_RE.test(t)) return t.toLowerCase();
  if (BARE_UUID_RE.test(t)) {
    const h = t.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return null;
};

const uuidBytes = (uuid: string): Buffer => Buffer.from(uuid.replaceAll("-", ""), "hex");

/** RFC 4122 UUID version 5 (SHA-1 of namespace bytes + name), as Python's `uuid.uuid5`. */
export const uuid5 = (namespace: string, name: string): string => {
  const h = createHash("sha1").update(uuidBytes(namespace)).update(name, "utf8").digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
};

const NAMESPACE_URL = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";
const BUILD_ID_NAMESPACE = uuid5(NAMESPACE_URL, "spec-kitty:identity:build_id");

/** The build id of a checkout when config.yaml names none: uuid5(ns, "<project_uuid>:<node_id>"), so every
 * read-only resolution agrees. */
export const deriveBuildId = (projectUuid: string, nodeId: string): string => uuid5(BUILD_ID_NAMESPACE, `${projectUuid}:${nodeId}`);
