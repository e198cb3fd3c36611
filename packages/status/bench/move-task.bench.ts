/**
 * move-task end to end on a mission of 20 work packages in a real git repository: lock, re-validate,
 * append, materialize, commit (fast-import) and index refresh. Target <= 150 ms wall per move.
 * In-process (MissionStatus already loaded, and loaded afresh per move as a command does) and as a whole
 * `spec-kitty agent tasks move-task` process, from the sources and from the bundle (apps/cli/dist, rebuilt when
 * stale: what `./dev spec-kitty` and the installed `spec-kitty` run).
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ensureBundle } from "@spec-kitty/test-support";
import { MissionStatus } from "../src/index.ts";
import { makeRepo, missionMeta, wpIds } from "../test/support/git-repo.ts";
import { type BenchRow, repoRoot, row, spawnBundle } from "./harness.ts";

const SLUG = "bench-mission-01KZY1JB";
const MISSION_ID = "01KZY1JBHRNZG2PXBPFHQ66DA3";
const WPS = wpIds(20);
const CYCLE = ["claimed", "in_progress", "planned"] as const;

const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] as number, p90: sorted[Math.floor(sorted.length * 0.9)] as number };
};

/** The next move of each work package along planned -> claimed -> in_progress -> planned. */
const mover = () => {
  const step = new Map<string, number>();
  return (i: number) => {
    const wp = WPS[i % WPS.length] as string;
    const n = step.get(wp) ?? 0;
    step.set(wp, n + 1);
    return { wp, lane: CYCLE[n % CYCLE.length] as string };
  };
};

const inProcess = async (root: string, moves: number, reload: boolean): Promise<number[]> => {
  let status = await MissionStatus.load(root, SLUG);
  const next = mover();
  const times: number[] = [];
  for (let i = 0; i < moves; i++) {
    const { wp, lane } = next(i);
    const start = process.hrtime.bigint();
    if (reload) status = await MissionStatus.load(root, SLUG);
    await status.transition({ wpId: wp, toLane: lane, actor: "bench", reason: "bench cycle" });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
};

/** Runs `move-task` as a fresh process `moves` times: `node entry`, or the bundle run as an executable. */
const wholeProcess = (entry: string, root: string, moves: number, bundle = false): number[] => {
  const next = mover();
  const times: number[] = [];
  for (let i = 0; i < moves; i++) {
    const { wp, lane } = next(i);
    const args = [entry, "agent", "tasks", "move-task", wp, "--to", lane, "--mission", SLUG, "--actor", "bench", "--reason", "bench cycle"];
    const start = process.hrtime.bigint();
    const run = bundle ? spawnBundle(entry, args.slice(1), root) : spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (run.status !== 0) throw new Error(`move-task failed (${run.status}): ${run.stderr}`);
  }
  return times;
};

export const moveTaskBench = async (): Promise<{ title: string; rows: BenchRow[] }> => {
  const work: string[] = [];
  const repo = () => {
    // The mission the tests use: committed meta.json and a log seeding every work package into planned.
    const { root } = makeRepo([{ dir: SLUG, meta: missionMeta(SLUG, MISSION_ID), wps: WPS }]);
    work.push(root);
    return root;
  };
  try {
    const rows: BenchRow[] = [];
    const loaded = stats((await inProcess(repo(), 60, false)).slice(5));
    rows.push(row("in-process, MissionStatus loaded once (median)", loaded.median, "ms", 150, 1));
    rows.push(row("in-process, MissionStatus loaded once (p90)", loaded.p90, "ms", null, 1));
    const fresh = stats((await inProcess(repo(), 40, true)).slice(5));
    rows.push(row("in-process, load + move (median)", fresh.median, "ms", 150, 1));
    const cli = join(repoRoot(), "apps", "cli");
    const source = stats(wholeProcess(join(cli, "src", "bin.ts"), repo(), 7));
    rows.push(row("whole process, source CLI (median)", source.median, "ms", null, 1));
    const bundled = stats(wholeProcess(ensureBundle("spec-kitty"), repo(), 15, true));
    rows.push(row("whole process, bundled CLI (apps/cli/dist, as ./dev spec-kitty and installed) (median)", bundled.median, "ms", 150, 1));
    const bare = stats(Array.from({ length: 5 }, () => {
      const start = process.hrtime.bigint();
      spawnSync(process.execPath, ["-e", "0"]);
      return Number(process.hrtime.bigint() - start) / 1e6;
    }));
    rows.push(row("bare `node -e 0` on this machine", bare.median, "ms", null, 1));
    return { title: `move-task end to end, mission of ${WPS.length} work packages, real git (lock, append, materialize, commit)`, rows };
  } finally {
    for (const dir of work) rmSync(dir, { recursive: true, force: true });
  }
};
