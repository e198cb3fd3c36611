/**
 * Whole-process cost of sync capture on `agent tasks move-task`: the shipped bundle (apps/cli/dist/spec-kitty.mjs,
 * run from its shebang) moving one work package per run in a repository with a project identity, with capture on
 * (the default: the status post-commit hook loads @spec-kitty/sync, validates and captures the WPStatusChanged)
 * and off (`SPEC_KITTY_SYNC_CAPTURE=off`). Runs alternate on/off so machine load hits both alike. No sync server
 * exists: capture never touches the network. Reports numbers; asserts nothing.
 * Run: `node apps/cli/bench/sync-capture.ts` after `pnpm --filter @spec-kitty/cli build`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const BUNDLE = resolve(import.meta.dirname, "../dist/spec-kitty.mjs");
const RUNS = Number(process.env["BENCH_RUNS"] ?? 30);
const WPS = 2 * RUNS;
const MISSION = "001-sync-bench";
const MISSION_ID = "01KTBENCH00000000000000000";
if (!existsSync(BUNDLE)) {
  process.stderr.write(`bench: ${BUNDLE} is missing; build it with 'pnpm --filter @spec-kitty/cli build'\n`);
  process.exit(2);
}
const PATH_ENV = `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}`;
const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

const makeRepo = (dir: string): string => {
  const mission = join(dir, "kitty-specs", MISSION);
  mkdirSync(join(mission, "tasks"), { recursive: true });
  writeFileSync(
    join(mission, "meta.json"),
    `${JSON.stringify({ created_at: "2026-11-20T09:00:00+00:00", friendly_name: "Sync bench", mission_id: MISSION_ID, mission_slug: MISSION, mission_type: "software-dev", slug: MISSION, target_branch: "main" }, null, 2)}\n`,
  );
  const rows: string[] = [];
  for (let i = 1; i <= WPS; i++) {
    const wp = `WP${String(i).padStart(2, "0")}`;
    rows.push(
      `{"actor": "finalize-tasks", "at": "2026-11-20T09:00:00+00:00", "event_id": "01KTBENCH0000000000000${String(i).padStart(4, "0")}", "evidence": null, "execution_mode": "worktree", "force": false, "from_lane": "genesis", "mission_id": "${MISSION_ID}", "mission_slug": "${MISSION}", "policy_metadata": null, "reason": null, "review_ref": null, "to_lane": "planned", "wp_id": "${wp}"}`,
    );
  }
  writeFileSync(join(mission, "status.events.jsonl"), `${rows.join("\n")}\n`);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "--quiet", "--initial-branch=main");
  git("config", "user.email", "bench@example.invalid");
  git("config", "user.name", "bench");
  git("add", "-A");
  git("commit", "--quiet", "-m", "bench mission");
  return dir;
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const work = mkdtempSync(join(tmpdir(), "sk-sync-capture-bench-"));
try {
  const home = join(work, "home");
  const variants = [
    { name: "capture on (default)", repo: makeRepo(join(work, "on")), env: { SPEC_KITTY_HOME: home } as Record<string, string>, ms: [] as number[], cpu: [] as number[] },
    { name: "capture off (SPEC_KITTY_SYNC_CAPTURE=off)", repo: makeRepo(join(work, "off")), env: { SPEC_KITTY_HOME: home, SPEC_KITTY_SYNC_CAPTURE: "off" } as Record<string, string>, ms: [] as number[], cpu: [] as number[] },
  ];
  for (const v of variants) {
    const init = spawnSync(BUNDLE, ["init"], { cwd: v.repo, env: { ...process.env, PATH: PATH_ENV, ...v.env }, encoding: "utf8" });
    if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
    execFileSync("git", ["add", "-A"], { cwd: v.repo });
    execFileSync("git", ["commit", "-q", "-m", "identity"], { cwd: v.repo });
  }
  for (let i = 0; i <= RUNS; i++) {
    const wp = `WP${String(i + 1).padStart(2, "0")}`;
    for (const v of i % 2 === 0 ? variants : [...variants].reverse()) {
      const start = process.hrtime.bigint();
      const args = ["agent", "tasks", "move-task", wp, "--to", "claimed", "--mission", MISSION, "--actor", "bench"];
      // GNU time adds the CPU time (user + system) of the process and of the git processes it waits for: on a busy
      // machine that is a far steadier figure than wall time.
      const r = GNU_TIME
        ? spawnSync(GNU_TIME, ["-f", "%U %S", BUNDLE, ...args], { cwd: v.repo, env: { ...process.env, PATH: PATH_ENV, ...v.env }, encoding: "utf8" })
        : spawnSync(BUNDLE, args, { cwd: v.repo, env: { ...process.env, PATH: PATH_ENV, ...v.env }, encoding: "utf8" });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const errLines = r.stderr.trim() === "" ? [] : r.stderr.trim().split("\n");
      const cpu = GNU_TIME ? errLines.pop()!.split(" ").reduce((a, x) => a + Number(x) * 1000, 0) : NaN;
      if (r.status !== 0 || errLines.length > 0) throw new Error(`${v.name}: exit ${r.status}: ${r.stderr}`);
      if (i > 0) {
        // the first pair warms the compile cache and the file system
        v.ms.push(ms);
        v.cpu.push(cpu);
      }
    }
  }
  const [on, off] = variants;
  process.stdout.write(`\nagent tasks move-task, whole process (bundle from its shebang), ${RUNS} alternating runs each (node ${process.version})\n\n`);
  process.stdout.write("| variant | median wall | best wall | median CPU (user+sys) | best CPU |\n|---|---|---|---|---|\n");
  for (const v of variants)
    process.stdout.write(`| ${v.name} | ${median(v.ms).toFixed(1)} ms | ${Math.min(...v.ms).toFixed(1)} ms | ${median(v.cpu).toFixed(0)} ms | ${Math.min(...v.cpu).toFixed(0)} ms |\n`);
  const wall = on!.ms.map((x, i) => x - off!.ms[i]!);
  const cpu = on!.cpu.map((x, i) => x - off!.cpu[i]!);
  process.stdout.write(`| difference on − off (paired median) | ${median(wall).toFixed(1)} ms | | ${median(cpu).toFixed(0)} ms | |\n`);
  process.stdout.write(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
