import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { WorkflowError } from "./errors.ts";

/** Every git process has a deadline; a hung git (a lock, a credential prompt) fails the command instead. */
export const GIT_TIMEOUT_MS = 60_000;

export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface GitOptions {
  readonly timeoutMs?: number;
  /** Return a non-zero exit instead of throwing. */
  readonly allowFail?: boolean;
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs `git args` in `cwd`. Never prompts (GIT_TERMINAL_PROMPT=0), never pages, never reads the user's editor.
 * Throws WorkflowError GIT_FAILED naming the command and git's own message unless `allowFail`.
 */
export const git = (cwd: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> =>
  new Promise((resolvePromise, reject) => {
    const child = execFile(
      "git",
      args as string[],
      {
        cwd,
        timeout: options.timeoutMs ?? GIT_TIMEOUT_MS,
        killSignal: "SIGKILL",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: "0", GIT_PAGER: "cat", GIT_EDITOR: "true", LC_ALL: "C" },
      },
      (error, stdout, stderr) => {
        const timedOut = error !== null && (error as { killed?: boolean }).killed === true;
        const code = error === null ? 0 : typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 1;
        if (timedOut) {
          reject(
            new WorkflowError({
              code: "GIT_TIMEOUT",
              message: `git ${args.join(" ")} did not finish within ${Math.round((options.timeoutMs ?? GIT_TIMEOUT_MS) / 1000)} s (in ${cwd})`,
              hint: "another git process may hold a lock; check for .git/index.lock",
            }),
          );
          return;
        }
        if (error !== null && code === 1 && typeof (error as { code?: unknown }).code !== "number") {
          reject(new WorkflowError({ code: "GIT_UNAVAILABLE", message: `cannot run git: ${error.message}` }));
          return;
        }
        const result = { code, stdout: String(stdout), stderr: String(stderr) };
        if (code !== 0 && options.allowFail !== true) {
          reject(
            new WorkflowError({
              code: "GIT_FAILED",
              message: `git ${args.join(" ")} failed (exit ${code}) in ${cwd}: ${(result.stderr.trim() || result.stdout.trim()).split("\n").slice(0, 6).join(" | ")}`,
            }),
          );
          return;
        }
        resolvePromise(result);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });

/** Trimmed stdout of a git command that must succeed. */
export const gitOut = async (cwd: string, args: readonly string[], options: GitOptions = {}): Promise<string> =>
  (await git(cwd, args, options)).stdout.trim();

export interface RepoLocation {
  /** The checkout `start` is in (a linked worktree or the main checkout). */
  readonly worktreeRoot: string;
  /** The main checkout: where kitty-specs/ and .kittify/ are read and written. */
  readonly mainRoot: string;
  /** The shared git directory. */
  readonly commonDir: string;
  /** True when `start` is inside a linked worktree. */
  readonly inWorktree: boolean;
}

/**
 * Finds the repository containing `start` without running git: walks up to a `.git` directory or file; a `.git`
 * file (`gitdir: …/.git/worktrees/x`) is followed to the main repository. Null when `start` is in no repository.
 */
export const locateRepo = (start: string): RepoLocation | null => {
  let current = resolve(start);
  for (;;) {
    const dotGit = join(current, ".git");
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return { worktreeRoot: current, mainRoot: current, commonDir: dotGit, inWorktree: false };
      const text = readFileSync(dotGit, "utf8");
      const match = /^gitdir:\s*(.+)$/m.exec(text);
      if (match?.[1] !== undefined) {
        const gitdir = isAbsolute(match[1].trim()) ? match[1].trim() : resolve(current, match[1].trim());
        const commonFile = join(gitdir, "commondir");
        const commonDir = existsSync(commonFile) ? resolve(gitdir, readFileSync(commonFile, "utf8").trim()) : dirname(dirname(gitdir));
        return { worktreeRoot: current, mainRoot: dirname(commonDir), commonDir, inWorktree: true };
      }
    }
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
};

/** Like locateRepo, but a missing repository is a WorkflowError NOT_A_GIT_REPOSITORY. */
export const requireRepo = (start: string): RepoLocation => {
  const repo = locateRepo(start);
  if (repo === null) {
    throw new WorkflowError({
      code: "NOT_A_GIT_REPOSITORY",
      message: `not in a git repository: ${resolve(start)}`,
      hint: "run inside the project's repository (git init first for a new project)",
    });
  }
  return repo;
};

/** The current branch of a checkout, or null when HEAD is detached. */
export const currentBranch = async (cwd: string): Promise<string | null> => {
  const r = await git(cwd, ["symbolic-ref", "--quiet", "--short", "HEAD"], { allowFail: true });
  return r.code === 0 ? r.stdout.trim() : null;
};

export const branchExists = async (cwd: string, branch: string): Promise<boolean> =>
  (await git(cwd, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { allowFail: true })).code === 0;

export const revParse = async (cwd: string, ref: string): Promise<string | null> => {
  const r = await git(cwd, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { allowFail: true });
  return r.code === 0 ? r.stdout.trim() : null;
};

/** `git status --porcelain` of the given paths (relative to `cwd`), one entry per line; empty when clean. */
export const dirtyPaths = async (cwd: string, paths: readonly string[] = []): Promise<readonly string[]> => {
  const out = await git(cwd, ["status", "--porcelain", "--untracked-files=all", "--", ...paths]);
  return out.stdout.split("\n").filter((l) => l.trim() !== "");
};

export interface CommitOutcome {
  /** False when the paths had nothing to commit. */
  readonly created: boolean;
  readonly sha: string | null;
  readonly branch: string | null;
}

/**
 * Commits exactly `paths` (relative to `cwd`; deletions included) with `message`, whatever else is staged: the
 * user's other staged changes stay staged and out of this commit. Nothing to commit is not an error.
 */
export const commitPaths = async (cwd: string, paths: readonly string[], message: string): Promise<CommitOutcome> => {
  if (paths.length === 0) return { created: false, sha: null, branch: await currentBranch(cwd) };
  await git(cwd, ["add", "--all", "--", ...paths]);
  const staged = await git(cwd, ["diff", "--cached", "--name-only", "--", ...paths]);
  if (staged.stdout.trim() === "") return { created: false, sha: null, branch: await currentBranch(cwd) };
  // `commit -- paths` (--only) commits those paths alone, leaving anything else the user staged in the index.
  await git(cwd, ["commit", "--quiet", "-m", message, "--", ...paths]);
  return { created: true, sha: await gitOut(cwd, ["rev-parse", "HEAD"]), branch: await currentBranch(cwd) };
};
