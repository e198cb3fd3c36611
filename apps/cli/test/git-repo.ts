import { execFileSync } from "node:child_process";

/** Runs git in `cwd` and returns its stdout (throws on a non-zero exit). */
export const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, encoding: "utf8" });

/** Makes `root` a repository on `main` with a local identity and commits everything in it. */
export const initRepoWithEverything = (root: string, who: string): void => {
  git(root, "init", "-q", "-b", "main");
  git(root, "config", "user.name", who);
  git(root, "config", "user.email", `${who.toLowerCase()}@example.invalid`);
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "initial");
};
