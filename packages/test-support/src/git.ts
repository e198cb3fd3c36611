import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Runs git in `cwd` and returns its stdout; throws (with git's stderr) on a non-zero exit or after 60 s. */
export const git = (cwd: string, ...args: ReadonlyArray<string>): string =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });

export interface InitRepoOptions {
  /** The committer's name; the e-mail is derived from it. Default "spec-kitty test". */
  readonly who?: string;
  /** The first commit's message. Default "initial". */
  readonly message?: string;
}

/**
 * Makes `root` a repository on `main` with a local identity and no signing, ignoring `.worktrees/` as spec-kitty
 * projects do, and commits everything in it.
 */
export const initGitRepo = (root: string, options: InitRepoOptions = {}): void => {
  const who = options.who ?? "spec-kitty test";
  git(root, "init", "-q", "-b", "main");
  git(root, "config", "user.name", who);
  git(root, "config", "user.email", `${who.toLowerCase().replace(/\W+/g, "-")}@example.invalid`);
  git(root, "config", "commit.gpgsign", "false");
  writeFileSync(join(root, ".gitignore"), ".worktrees/\n");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", options.message ?? "initial");
};
