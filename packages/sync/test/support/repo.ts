import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, encoding: "utf8" });

/** A fresh repository on `main` with one commit, in a new temp directory named `name`. */
export const makeRepo = (name = "demo_Repo"): string => {
  const base = mkdtempSync(join(tmpdir(), "sk-sync-"));
  const root = join(base, name);
  mkdirSync(root);
  git(root, "init", "-q", "-b", "main");
  git(root, "config", "user.name", "Tester");
  git(root, "config", "user.email", "tester@example.invalid");
  writeFileSync(join(root, "README.md"), "demo\n");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "initial");
  return root;
};

export const tempDir = (): string => mkdtempSync(join(tmpdir(), "sk-home-"));

/** A valid WPStatusChanged fact. */
export const statusFact = (wp = "WP01", eventId?: string) => ({
  eventType: "WPStatusChanged",
  aggregateId: wp,
  aggregateType: "WorkPackage",
  ...(eventId === undefined ? {} : { eventId }),
  payload: {
    mission_slug: "m-1",
    wp_id: wp,
    from_lane: "planned",
    to_lane: "claimed",
    actor: "alice",
    force: false,
    reason: null,
    execution_mode: "worktree",
    review_ref: null,
    evidence: null,
  },
});
