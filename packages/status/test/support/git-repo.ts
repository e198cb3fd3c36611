import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serializeRow, type LaneTransitionRow } from "../../src/index.ts";

/** Test scaffolding: real temporary git repositories holding kitty-specs missions. */

export interface MissionSpec {
  readonly dir: string;
  /** meta.json content (written with a trailing newline); `null` writes no meta.json. */
  readonly meta: Record<string, unknown> | null;
  /** Work packages seeded genesis -> planned in the log; `null` writes no log. */
  readonly wps: readonly string[] | null;
}

export const ULIDS = {
  a: "01KZY1JBHRNZG2PXBPFHQ66DA3",
  b: "01KZY1JBXW0000000000000000", // shares mid8 01KZY1JB with `a`
  c: "01M0GGT1HAYJGQRKW38NT66SWA",
} as const;

export const git = (cwd: string, ...args: string[]): string =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

export const wpIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `WP${String(i + 1).padStart(2, "0")}`);

export const missionMeta = (slug: string, missionId: string | null, extra: Record<string, unknown> = {}) => ({
  created_at: "2026-08-01T10:00:00+00:00",
  friendly_name: `Mission ${slug}`,
  mission_number: null,
  mission_slug: slug,
  mission_type: "software-dev",
  slug,
  target_branch: "main",
  topology: "single_branch",
  ...(missionId === null ? {} : { mission_id: missionId }),
  ...extra,
});

/** The seed rows finalize-tasks writes: every work package genesis -> planned. */
export const seedRows = (slug: string, missionId: string | null, wps: readonly string[]): string =>
  wps
    .map((wp, i) => {
      const row: LaneTransitionRow = {
        event_id: `01KZ0000000000000000000${String(i).padStart(3, "0")}`.slice(0, 26),
        mission_slug: slug,
        wp_id: wp,
        from_lane: "genesis",
        to_lane: "planned",
        at: `2026-08-01T10:00:00.${String(i).padStart(6, "0")}+00:00`,
        actor: "finalize-tasks",
        force: false,
        execution_mode: "worktree",
        reason: null,
        review_ref: null,
        evidence: null,
        policy_metadata: null,
        ...(missionId === null ? {} : { mission_id: missionId }),
      };
      return `${serializeRow(row)}\n`;
    })
    .join("");

export const writeMission = (root: string, spec: MissionSpec): string => {
  const dir = join(root, "kitty-specs", spec.dir);
  mkdirSync(join(dir, "tasks"), { recursive: true });
  if (spec.meta !== null) writeFileSync(join(dir, "meta.json"), `${JSON.stringify(spec.meta, null, 2)}\n`);
  if (spec.wps !== null) {
    const id = spec.meta !== null && typeof spec.meta["mission_id"] === "string" ? (spec.meta["mission_id"] as string) : null;
    const slug = spec.meta !== null && typeof spec.meta["mission_slug"] === "string" ? (spec.meta["mission_slug"] as string) : spec.dir;
    writeFileSync(join(dir, "status.events.jsonl"), seedRows(slug, id, spec.wps));
  }
  return dir;
};

export interface TempRepo {
  readonly root: string;
  readonly cleanup: () => void;
}

/** A fresh repository on `main` with the missions committed (or a plain directory when `git` is false). */
export const makeRepo = (missions: readonly MissionSpec[], options: { git?: boolean } = {}): TempRepo => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "sk-status-")));
  for (const spec of missions) writeMission(root, spec);
  if (options.git !== false) {
    git(root, "init", "-q", "-b", "main");
    git(root, "config", "user.name", "Status Test");
    git(root, "config", "user.email", "status-test@example.invalid");
    git(root, "config", "commit.gpgsign", "false");
    writeFileSync(join(root, "README.md"), "test repository\n");
    // As in spec-kitty projects: lane and coordination worktrees live under .worktrees/, never tracked.
    writeFileSync(join(root, ".gitignore"), ".worktrees/\n");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "initial");
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
};
