import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const SHARED = resolve(import.meta.dirname, "../../../../shared");

export interface Prepared {
  readonly args: ReadonlyArray<string>;
  readonly cwd: string;
  /** Runs before every timed run (for scenarios that change state). */
  readonly beforeEach?: () => void;
  /** The exit code every run must have; by default 0 or 1 (a domain answer is still a measured run). */
  readonly expectStatus?: number;
}

export interface Scenario {
  readonly name: string;
  readonly target: string;
  readonly skipReason?: string;
  /** Builds the scenario's inputs under `dir`; null when its inputs are not available here. */
  readonly prepare: (dir: string) => Prepared | null;
}

export const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "spec-kitty --version (start-up)",
    target: "<= 150 ms",
    prepare: (dir) => {
      mkdirSync(dir, { recursive: true });
      return { args: ["--version"], cwd: dir };
    },
  },
  {
    name: "spec-kitty --help (full parser, every command listed)",
    target: "<= 150 ms",
    prepare: (dir) => {
      mkdirSync(dir, { recursive: true });
      return { args: ["--help"], cwd: dir };
    },
  },
  {
    name: "spec-kitty no-such-command (usage error, exit 2)",
    target: "<= 150 ms",
    prepare: (dir) => {
      mkdirSync(dir, { recursive: true });
      return { args: ["no-such-command"], cwd: dir, expectStatus: 2 };
    },
  },
  {
    name: "events reduce collaboration, 10k events, permissive + roster",
    target: "<= 200 ms, <= 150 MB",
    skipReason: "../shared/golden/bench is missing",
    prepare: (dir) => {
      const stream = resolve(SHARED, "golden/bench/collaboration-10k.events.jsonl");
      const roster = resolve(SHARED, "golden/bench/collaboration-10k.roster.json");
      if (!existsSync(stream)) return null;
      mkdirSync(dir, { recursive: true });
      return { args: ["events", "reduce", "collaboration", stream, "--mode", "permissive", "--roster", roster], cwd: dir };
    },
  },
  {
    name: "status materialize, 31 fixture missions (--output-root)",
    target: "<= 300 ms",
    skipReason: "../shared/fixtures/spec-kitty-missions is missing",
    prepare: (dir) => {
      const missions = resolve(SHARED, "fixtures/spec-kitty-missions");
      if (!existsSync(missions)) return null;
      mkdirSync(dir, { recursive: true });
      const dirs = readdirSync(missions).sort().map((name) => join(missions, name));
      return { args: ["status", "materialize", ...dirs, "--output-root", join(dir, "out")], cwd: dir };
    },
  },
  {
    name: "agent tasks move-task (lock, append, materialize, git commit), 20 WPs",
    target: "<= 150 ms",
    prepare: (dir) => {
      const repo = makeMissionRepo(dir, 20);
      let next = 0;
      const wps = Array.from({ length: 20 }, (_, i) => `WP${String(i + 1).padStart(2, "0")}`);
      const args: Array<string> = [];
      return {
        get args() {
          return args;
        },
        cwd: repo,
        beforeEach: () => {
          const wp = wps[next % wps.length] ?? "WP01";
          const lane = next < wps.length ? "claimed" : "in_progress";
          next += 1;
          args.splice(0, args.length, "agent", "tasks", "move-task", wp, "--to", lane, "--mission", MISSION, "--actor", "bench");
        },
      };
    },
  },
  {
    name: "agent mission create (scaffold, git commit, MissionCreated captured)",
    target: "<= 250 ms",
    prepare: (dir) => {
      const repo = makeMissionRepo(dir, 1);
      let next = 0;
      const args: Array<string> = [];
      return {
        get args() {
          return args;
        },
        cwd: repo,
        expectStatus: 0,
        beforeEach: () => {
          next += 1;
          args.splice(0, args.length, "agent", "mission", "create", `bench-${next}`, "--json");
        },
      };
    },
  },
  finalizeScenario(20, "<= 250 ms"),
  finalizeScenario(99, "<= 1000 ms (the issue says 100; WPnn ids stop at 99)"),
  {
    name: "next --json (current decision), 20 WPs",
    target: "<= 150 ms",
    prepare: (dir) => {
      const repo = makeMissionRepo(dir, 20);
      return { args: ["next", "--mission", MISSION, "--agent", "bench", "--json"], cwd: repo };
    },
  },
];

/**
 * finalize-tasks on a fresh mission of `count` work packages each run (tasks.md and the prompt files written, not
 * committed, before the timed run): front matter edits, the tasks commit, the seeding batch and its commit.
 */
function finalizeScenario(count: number, target: string): Scenario {
  return {
    name: `agent mission finalize-tasks (front matter, commit, seed ${count} WPs, WPCreated captured), ${count} WPs`,
    target,
    prepare: (dir) => {
      const repo = makeMissionRepo(dir, 1);
      let next = 0;
      const args: Array<string> = [];
      return {
        get args() {
          return args;
        },
        cwd: repo,
        expectStatus: 0,
        beforeEach: () => {
          next += 1;
          const slug = `fin-${next}-01KTBENC`;
          const mission = join(repo, "kitty-specs", slug);
          mkdirSync(join(mission, "tasks"), { recursive: true });
          const meta = { mission_id: `01KTBENC${String(next).padStart(18, "0")}`, mission_slug: slug, slug, mission_type: "software-dev", target_branch: "main" };
          writeFileSync(join(mission, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
          writeFileSync(join(mission, "status.events.jsonl"), "");
          execFileSync("git", ["add", "--", `kitty-specs/${slug}`], { cwd: repo, stdio: "ignore" });
          execFileSync("git", ["commit", "--quiet", "-m", `bench ${slug}`], { cwd: repo, stdio: "ignore" });
          const sections: Array<string> = [];
          for (let i = 1; i <= count; i++) {
            const wp = `WP${String(i).padStart(2, "0")}`;
            const dep = i === 1 ? "" : `Depends on WP${String(i - 1).padStart(2, "0")}\n`;
            sections.push(`## Work Package ${wp}: Task ${i}\n- [ ] T${String(i).padStart(3, "0")} do it\n${dep}`);
            writeFileSync(join(mission, "tasks", `${wp}-task.md`), `---\nwork_package_id: ${wp}\ntitle: Task ${i}\nhistory: []\n---\n# ${wp}\n`);
          }
          writeFileSync(join(mission, "tasks.md"), `# Tasks\n\n${sections.join("\n")}`);
          args.splice(0, args.length, "agent", "mission", "finalize-tasks", "--mission", slug, "--json");
        },
      };
    },
  };
}

const MISSION = "001-bench-mission";
const MISSION_ID = "01KTBENCH00000000000000000";

/** A git repository with one mission of `count` planned work packages, committed. */
const makeMissionRepo = (dir: string, count: number): string => {
  const mission = join(dir, "kitty-specs", MISSION);
  mkdirSync(join(mission, "tasks"), { recursive: true });
  const meta = {
    created_at: "2026-11-20T09:00:00+00:00",
    friendly_name: "Bench mission",
    mission_id: MISSION_ID,
    mission_slug: MISSION,
    mission_type: "software-dev",
    slug: MISSION,
    target_branch: "main",
  };
  writeFileSync(join(mission, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  const rows: Array<string> = [];
  for (let i = 1; i <= count; i++) {
    const wp = `WP${String(i).padStart(2, "0")}`;
    writeFileSync(join(mission, "tasks", `${wp}-task.md`), `---\nwork_package_id: ${wp}\ntitle: Task ${i}\n---\n`);
    rows.push(
      `{"actor": "finalize-tasks", "at": "2026-11-20T09:00:00+00:00", "event_id": "01KTBENCH0000000000000${String(i).padStart(4, "0")}", ` +
        `"evidence": null, "execution_mode": "worktree", "force": false, "from_lane": "genesis", "mission_id": "${MISSION_ID}", ` +
        `"mission_slug": "${MISSION}", "policy_metadata": null, "reason": null, "review_ref": null, "to_lane": "planned", "wp_id": "${wp}"}`,
    );
  }
  writeFileSync(join(mission, "status.events.jsonl"), `${rows.join("\n")}\n`);
  const git = (...args: Array<string>) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "--quiet", "--initial-branch=main");
  git("config", "user.email", "bench@example.invalid");
  git("config", "user.name", "bench");
  git("add", "-A");
  git("commit", "--quiet", "-m", "bench mission");
  return dir;
};
