import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";

/** How long a git subprocess may run (the reference's timeout). */
export const GIT_TIMEOUT_MS = 5_000;
/** How long resolved branch and head stay cached (the reference's TTL). */
export const GIT_METADATA_TTL_MS = 2_000;

/** Where a working tree's git data lives. */
export interface GitLocation {
  /** The working tree that contains the start directory (a linked worktree or the main one). */
  readonly workTree: string;
  /** Its git directory (`.git`, or `.git/worktrees/<name>` for a linked worktree). */
  readonly gitDir: string;
  /** The repository's common git directory (shared by all worktrees). */
  readonly commonDir: string;
  /** The main repository root: the working tree of the common git directory. */
  readonly mainRoot: string;
}

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
};

const isDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Finds the git repository around `start` by reading files only (no subprocess): a `.git` directory, or a `.git`
 * file (`gitdir: …`) of a linked worktree whose `commondir` leads back to the main repository. Null outside git.
 */
export const locateGit = (start: string): GitLocation | null => {
  let current = resolve(start);
  for (;;) {
    const dotGit = join(current, ".git");
    if (isDir(dotGit)) return { workTree: current, gitDir: dotGit, commonDir: dotGit, mainRoot: current };
    const pointer = readText(dotGit);
    if (pointer !== null) {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(pointer);
      if (m?.[1] !== undefined) {
        const gitDir = isAbsolute(m[1]) ? m[1] : resolve(current, m[1]);
        const common = readText(join(gitDir, "commondir"))?.trim();
        const commonDir = common ? (isAbsolute(common) ? common : resolve(gitDir, common)) : gitDir;
        const mainRoot = basename(commonDir) === ".git" ? dirname(commonDir) : current;
        return { workTree: current, gitDir, commonDir, mainRoot };
      }
    }
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
};

/** Runs git with the reference's timeout; null on any failure. */
export const gitOutput = (cwd: string, args: ReadonlyArray<string>): string | null => {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", timeout: GIT_TIMEOUT_MS, stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
};

const resolveRef = (loc: GitLocation, ref: string): string | null => {
  for (const dir of [loc.gitDir, loc.commonDir]) {
    const loose = readText(join(dir, ref))?.trim();
    if (loose && /^[0-9a-f]{40,64}$/.test(loose)) return loose;
  }
  const packed = readText(join(loc.commonDir, "packed-refs"));
  if (packed !== null) {
    for (const line of packed.split("\n")) {
      const [sha, name] = line.split(" ");
      if (name === ref && sha !== undefined && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
    }
  }
  return null;
};

/** Branch (`HEAD` when detached, as `git rev-parse --abbrev-ref HEAD` prints) and head commit of a working tree. */
export const readHead = (loc: GitLocation): { branch: string | null; sha: string | null } => {
  const head = readText(join(loc.gitDir, "HEAD"))?.trim();
  if (head !== undefined) {
    const sym = /^ref:\s*(\S+)$/.exec(head);
    if (sym?.[1] !== undefined) {
      const ref = sym[1];
      const branch = ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : ref;
      const sha = resolveRef(loc, ref);
      // An unborn branch has no commit; anything else unresolvable by files is asked of git itself.
      if (sha !== null) return { branch, sha };
      const viaGit = gitOutput(loc.workTree, ["rev-parse", "HEAD"]);
      return { branch, sha: viaGit && /^[0-9a-f]{40,64}$/.test(viaGit) ? viaGit : null };
    }
    if (/^[0-9a-f]{40,64}$/.test(head)) return { branch: "HEAD", sha: head };
  }
  const branch = gitOutput(loc.workTree, ["rev-parse", "--abbrev-ref", "HEAD"]);
  const sha = gitOutput(loc.workTree, ["rev-parse", "HEAD"]);
  return { branch, sha };
};

/** The `origin` remote's URL from the repository's config file, or null. */
export const readOriginUrl = (loc: GitLocation): string | null => {
  const config = readText(join(loc.commonDir, "config"));
  if (config === null) return null;
  let inOrigin = false;
  for (const raw of config.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("[")) {
      inOrigin = /^\[remote\s+"origin"\]$/.test(line);
      continue;
    }
    if (!inOrigin) continue;
    const m = /^url\s*=\s*(.+)$/.exec(line);
    if (m?.[1] !== undefined) return m[1].trim().replace(/^"(.*)"$/, "$1");
  }
  return null;
};

/** `owner/repo` from a remote URL (https, ssh or scp-like), or null. */
export const repoSlugFromUrl = (url: string): string | null => {
  let path = url.trim().replace(/\/+$/, "");
  if (path.endsWith(".git")) path = path.slice(0, -4);
  const scp = /^[^/@:]+@[^/:]+:(.+)$/.exec(path);
  if (scp?.[1] !== undefined) path = scp[1];
  else {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]+\/(.+)$/i.exec(path);
    if (m?.[1] === undefined) return null;
    path = m[1];
  }
  const parts = path.split("/").filter((p) => p !== "");
  if (parts.length < 2) return null;
  return `${parts[parts.length - 2]}/${parts[parts.length - 1]}`;
};

export interface GitMetadata {
  readonly git_branch: string | null;
  readonly head_commit_sha: string | null;
  readonly repo_slug: string | null;
}

/**
 * Branch, head and repo slug of a working tree, cached for `GIT_METADATA_TTL_MS` (branch, head) and for the
 * resolver's life (repo slug, which the `project.repo_slug` override replaces). Never throws.
 */
export class GitMetadataResolver {
  readonly #loc: GitLocation | null;
  readonly #override: string | null;
  readonly #now: () => number;
  #cached: { at: number; branch: string | null; sha: string | null } | null = null;
  #slug: string | null | undefined = undefined;

  constructor(loc: GitLocation | null, repoSlugOverride: string | null, now: () => number = Date.now) {
    this.#loc = loc;
    this.#override = repoSlugOverride;
    this.#now = now;
  }

  resolve(): GitMetadata {
    if (this.#loc === null) return { git_branch: null, head_commit_sha: null, repo_slug: this.#override };
    try {
      const now = this.#now();
      if (this.#cached === null || now - this.#cached.at >= GIT_METADATA_TTL_MS) {
        const h = readHead(this.#loc);
        this.#cached = { at: now, branch: h.branch, sha: h.sha };
      }
      if (this.#slug === undefined) {
        const url = this.#override === null ? readOriginUrl(this.#loc) : null;
        this.#slug = this.#override ?? (url === null ? null : repoSlugFromUrl(url));
      }
      return { git_branch: this.#cached.branch, head_commit_sha: this.#cached.sha, repo_slug: this.#slug };
    } catch {
      return { git_branch: null, head_commit_sha: null, repo_slug: this.#override };
    }
  }
}
