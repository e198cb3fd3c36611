import * as Data from "effect/Data";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";

/**
 * The git plumbing the bookkeeping needs, over the real `git` binary. Commits are built with a
 * temporary index, `commit-tree` and `update-ref <ref> <new> <old>`, so they land on the destination
 * branch whatever the caller's working directory has checked out, contain exactly the given paths,
 * and never race a concurrent ref move silently (the old value is checked).
 */

export interface GitOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A git command exited non-zero where success was required (internal; wrapped before it leaves the package). */
export class GitCommandFailed extends Data.TaggedError("GitCommandFailed")<{
  readonly cwd: string;
  readonly args: readonly string[];
  readonly output: GitOutput;
  readonly message: string;
}> {}

const gitFailure = (cwd: string, args: readonly string[], output: GitOutput): GitCommandFailed => {
  const detail = (output.stderr.trim() || output.stdout.trim()).split("\n").slice(0, 4).join(" | ");
  return new GitCommandFailed({ cwd, args, output, message: `git ${args.join(" ")} failed in ${cwd} (exit ${output.code}): ${detail}` });
};

/** Runs git in `cwd`; resolves with the exit code and output, never rejects on a non-zero exit. */
export const runGit = (
  cwd: string,
  args: readonly string[],
  env?: Readonly<Record<string, string>>,
  input?: Buffer,
): Promise<GitOutput> =>
  new Promise((resolve) => {
    const child = execFile(
      "git",
      args,
      {
        cwd,
        env: { ...inheritedEnv(), ...env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ code: 0, stdout, stderr });
        const code = typeof error.code === "number" ? error.code : 127;
        resolve({ code, stdout: stdout ?? "", stderr: stderr || error.message });
      },
    );
    if (input !== undefined) {
      child.stdin?.on("error", () => undefined); // git may exit early; its exit code reports why
      child.stdin?.end(input);
    }
  });

// Variables that would redirect git away from `cwd` (set when running inside a git hook, for instance).
const REDIRECTING = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY"];

const inheritedEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const name of REDIRECTING) delete env[name];
  return env;
};

/** Runs git and returns its stdout; throws GitCommandFailed on a non-zero exit. */
export const git = async (cwd: string, args: readonly string[], env?: Readonly<Record<string, string>>): Promise<string> => {
  const output = await runGit(cwd, args, env);
  if (output.code !== 0) throw gitFailure(cwd, args, output);
  return output.stdout;
};

/** The repository a directory belongs to, or null when it is not inside a git work tree. */
export interface RepositoryLocation {
  /** The shared git directory of every worktree (`git rev-parse --git-common-dir`), absolute. */
  readonly commonDir: string;
  readonly worktrees: readonly WorktreeEntry[];
}

export interface WorktreeEntry {
  readonly path: string;
  /** Full ref name (`refs/heads/main`) or null when detached or bare. */
  readonly branch: string | null;
  readonly head: string | null;
  readonly bare: boolean;
}

/**
 * Locates the repository of `dir`: its common git dir and every worktree (the main worktree first).
 * Null when `dir` is not inside a git repository (the bookkeeping then writes without committing).
 */
export const locateRepository = async (dir: string): Promise<RepositoryLocation | null> => {
  const list = await runGit(dir, ["worktree", "list", "--porcelain"]);
  if (list.code !== 0) return null;
  const worktrees = parseWorktreeList(list.stdout);
  const main = worktrees[0];
  let commonDir: string | null = null;
  if (main !== undefined) commonDir = main.bare ? main.path : ((await gitDirs(main.path))?.commonDir ?? null);
  if (commonDir === null) {
    const asked = await runGit(dir, ["rev-parse", "--path-format=absolute", "--git-common-dir"]);
    if (asked.code !== 0) return null;
    commonDir = asked.stdout.trim();
  }
  return { commonDir, worktrees };
};

/** Parses `git worktree list --porcelain` (records separated by blank lines). */
export const parseWorktreeList = (text: string): WorktreeEntry[] =>
  text
    .split("\n\n")
    .map((record) => record.split("\n").filter((line) => line !== ""))
    .filter((lines) => lines.length > 0 && (lines[0] ?? "").startsWith("worktree "))
    .map((lines) => {
      const value = (key: string) => {
        const line = lines.find((l) => l === key || l.startsWith(`${key} `));
        return line === undefined ? null : line.slice(key.length + 1);
      };
      return {
        path: (value("worktree") ?? "").trim(),
        branch: value("branch"),
        head: value("HEAD"),
        bare: lines.includes("bare"),
      };
    });

/** The commit a local branch points at, or null when the branch does not exist (or is unborn). */
export const branchHead = async (cwd: string, branch: string): Promise<string | null> => {
  const output = await runGit(cwd, ["rev-parse", "--verify", "-q", `refs/heads/${branch}^{commit}`]);
  return output.code === 0 ? output.stdout.trim() : null;
};

/** What HEAD of a worktree is: the checked-out branch (full ref) and its commit (null when unborn). */
export const worktreeHead = async (worktree: string): Promise<{ ref: string | null; commit: string | null }> => {
  const fromFiles = await headFromFiles(worktree).catch(() => null);
  if (fromFiles !== null) return fromFiles;
  const both = await runGit(worktree, ["rev-parse", "--symbolic-full-name", "HEAD", "HEAD"]);
  if (both.code === 0) {
    const [ref, commit] = both.stdout.trim().split("\n");
    return { ref: ref === undefined || ref === "HEAD" ? null : ref, commit: commit ?? null };
  }
  // An unborn branch: HEAD names a ref that does not exist yet.
  const symbolic = await runGit(worktree, ["symbolic-ref", "-q", "HEAD"]);
  return { ref: symbolic.code === 0 ? symbolic.stdout.trim() : null, commit: null };
};

/**
 * HEAD read from the files git keeps (gitrepository-layout: HEAD, loose refs, packed-refs): saves a
 * process per write. Null whenever anything is unusual (reftable, a symbolic ref elsewhere), and the
 * caller asks git instead. Git replaces these files atomically, so a read sees the old or the new value.
 */
const headFromFiles = async (worktree: string): Promise<{ ref: string | null; commit: string | null } | null> => {
  const dirs = await gitDirs(worktree);
  if (dirs === null || existsSync(join(dirs.commonDir, "reftable"))) return null;
  const head = (await readFile(join(dirs.gitDir, "HEAD"), "utf8")).trim();
  if (!head.startsWith("ref: ")) return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(head) ? { ref: null, commit: head } : null;
  const ref = head.slice(5).trim();
  if (!ref.startsWith("refs/heads/")) return null;
  try {
    const loose = (await readFile(join(dirs.commonDir, ref), "utf8")).trim();
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(loose) ? { ref, commit: loose } : null;
  } catch {
    // Not loose: packed, or unborn.
  }
  let packed = "";
  try {
    packed = await readFile(join(dirs.commonDir, "packed-refs"), "utf8");
  } catch {
    return { ref, commit: null };
  }
  for (const line of packed.split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0 && !line.startsWith("#") && !line.startsWith("^") && line.slice(space + 1) === ref) {
      return { ref, commit: line.slice(0, space) };
    }
  }
  return { ref, commit: null };
};

/** The git dir of a worktree and the common dir it shares; null when `.git` is neither a dir nor a gitfile. */
const gitDirs = async (worktree: string): Promise<{ gitDir: string; commonDir: string } | null> => {
  const dotGit = join(worktree, ".git");
  let gitDir: string;
  try {
    if ((await stat(dotGit)).isDirectory()) gitDir = dotGit;
    else {
      const pointer = /^gitdir:\s*(.+)$/m.exec(await readFile(dotGit, "utf8"));
      if (pointer === null) return null;
      gitDir = resolve(worktree, (pointer[1] as string).trim());
    }
  } catch {
    return null;
  }
  let commonDir = gitDir;
  try {
    commonDir = resolve(gitDir, (await readFile(join(gitDir, "commondir"), "utf8")).trim());
  } catch {
    // A main worktree: its git dir is the common dir.
  }
  return { gitDir, commonDir };
};

export interface CommitFilesInput {
  /** The worktree holding the files; its HEAD must be `branch` (checked by the caller). */
  readonly worktree: string;
  readonly branch: string;
  /** The commit the branch is expected to point at (null: the branch must not exist yet). */
  readonly expectedHead: string | null;
  /** Absolute paths inside `worktree`; exactly these are committed, with their current bytes. */
  readonly paths: readonly string[];
  readonly message: string;
  /** Seconds since the epoch: author and committer date. */
  readonly epochSeconds: number;
  /** `Name <email>` of the committer (see `committerIdentity`). */
  readonly identity: string;
}

/**
 * Commits exactly `paths` (their current bytes in `worktree`) on top of `expectedHead`, in one
 * `git fast-import` run: the branch moves only as a fast-forward from what it points at when the
 * import ends, so a concurrent move of the branch makes this fail instead of being overwritten.
 * Then refreshes those index entries of `worktree`, so its `git status` stays clean for them.
 * Returns the new commit id.
 */
export const commitFiles = async (input: CommitFilesInput): Promise<string> => {
  const { worktree, branch, expectedHead } = input;
  const relPaths = input.paths.map((p) => relative(worktree, p).split(sep).join("/"));
  const message = Buffer.from(`${input.message}\n`, "utf8");
  const parts: Buffer[] = [
    Buffer.from(
      `commit refs/heads/${branch}\nmark :1\ncommitter ${input.identity} ${input.epochSeconds} +0000\ndata ${message.length}\n`,
    ),
    message,
    Buffer.from(expectedHead === null ? "" : `from ${expectedHead}\n`),
  ];
  for (const [index, rel] of relPaths.entries()) {
    const bytes = await readFile(input.paths[index] as string);
    parts.push(Buffer.from(`M 100644 inline ${quotePath(rel)}\ndata ${bytes.length}\n`), bytes, Buffer.from("\n"));
  }
  parts.push(Buffer.from("\nget-mark :1\ndone\n"));
  const args = ["fast-import", "--quiet", "--done"];
  const output = await runGit(worktree, args, undefined, Buffer.concat(parts));
  if (output.code !== 0) throw gitFailure(worktree, args, output);
  const commit = output.stdout.trim();
  await refreshIndexEntries(worktree, relPaths);
  return commit;
};

/** fast-import reads a path verbatim unless it starts with a quote; quote anything unusual, C style. */
const quotePath = (path: string): string =>
  /^[\x21-\x7e][\x20-\x7e]*$/.test(path) && !path.startsWith('"')
    ? path
    : `"${[...Buffer.from(path, "utf8")].map((b) => (b === 0x22 || b === 0x5c ? `\\${String.fromCharCode(b)}` : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, "0")}`)).join("")}"`;

const identities = new Map<string, Promise<string>>();

/**
 * `Name <email>` git would record as committer in `cwd` (config and GIT_COMMITTER_* variables), asked
 * once per directory and process. Fails with git's own message when no identity is configured.
 */
export const committerIdentity = (cwd: string): Promise<string> => {
  let identity = identities.get(cwd);
  if (identity === undefined) {
    identity = git(cwd, ["var", "GIT_COMMITTER_IDENT"]).then((line) => line.trim().replace(/\s+\d+\s+[+-]\d{4}$/, ""));
    identities.set(cwd, identity);
    identity.catch(() => identities.delete(cwd));
  }
  return identity;
};

/**
 * Re-stages `relPaths` in the worktree's own index after the branch moved under it. Another git
 * process in that worktree may hold its index lock for a moment, hence the short retry; the commit
 * has landed either way, a stale entry only shows in `git status` until the next refresh.
 */
const refreshIndexEntries = async (worktree: string, relPaths: readonly string[]): Promise<void> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const output = await runGit(worktree, ["update-index", "--add", "--", ...relPaths]);
    if (output.code === 0 || !output.stderr.includes("index.lock")) return;
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Checks out `branch` into a new worktree at `path` (the coordination worktree's first write). */
export const addWorktree = async (repo: string, path: string, branch: string): Promise<void> => {
  await git(repo, ["worktree", "add", "--quiet", path, branch]);
};

/** Removes a worktree this process created and could not use. */
export const removeWorktree = async (repo: string, path: string): Promise<void> => {
  await runGit(repo, ["worktree", "remove", "--force", path]);
};
