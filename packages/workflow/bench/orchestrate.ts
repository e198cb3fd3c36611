/**
 * Orchestration overhead: what the scheduler costs per work package beyond the agents' own time.
 *
 *   node bench/orchestrate.ts [--wps 50] [--parallel 8] [--runs 3] [--skip-processes]
 *
 * 1. core: the scheduler alone (lanes and workspaces in memory, agents answer at once, the state file written
 *    atomically after every change as in a real run): milliseconds per work package.
 * 2. full, in-process agents: a real git repository, the real MissionStatus (locked append, materialize, one commit
 *    per transition), workspaces through implement() (git worktrees), agents that commit at once in-process.
 * 3. full, agent processes: as 2 with the fake agent executable (a node process per invocation).
 * Prints one table; never fails on time.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  fileStateStore,
  newWpRecord,
  parseAgentsConfig,
  prepareOrchestration,
  recordingEmitter,
  startScheduler,
  type AgentInvoker,
  type OrchestrationState,
} from "../src/index.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const WPS = arg("wps", 50);
const PARALLEL = arg("parallel", 8);
const RUNS = arg("runs", 3);
const FAKE_AGENT = join(import.meta.dirname, "..", "test", "fixtures", "agents", "fake-agent.mjs");
const MISSION = "001-bench";

const id = (i: number): string => `WP${String(i + 1).padStart(2, "0")}`;
/** A layered graph: each WP depends on up to two of the eight before it (wide enough for parallelism 8). */
const graphOf = (n: number): Record<string, string[]> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [id(i), i < 8 ? [] : [id(i - 8), ...(i % 3 === 0 ? [id(i - 5)] : [])]]));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const newState = (graph: Record<string, string[]>): OrchestrationState => ({
  version: 1,
  run_id: "bench",
  correlation_id: "bench",
  mission_slug: MISSION,
  mission_dir: MISSION,
  started_at: new Date().toISOString(),
  completed_at: null,
  status: "running",
  pid: process.pid,
  concurrency_limit: PARALLEL,
  impl_agent: null,
  review_agent: null,
  merge: false,
  wps_total: Object.keys(graph).length,
  wps_completed: 0,
  wps_failed: 0,
  parallel_peak: 0,
  total_agent_invocations: 0,
  total_duration_seconds: null,
  mission_closed_emitted: false,
  dependencies_resolved: [],
  events: [],
  work_packages: Object.fromEntries(Object.keys(graph).map((w) => [w, newWpRecord(w)])),
});

const CONFIG = `agents:\n  alpha:\n    command: [x]\n    max_concurrent: ${PARALLEL}\n  beta:\n    command: [x]\n    max_concurrent: ${PARALLEL}\ndefaults:\n  implementation: [alpha]\n  review: [beta]\nglobal_concurrency: ${PARALLEL}\n`;

const core = async (): Promise<number> => {
  const graph = graphOf(WPS);
  const lanes = new Map<string, string>(Object.keys(graph).map((w) => [w, "planned"]));
  const heads = new Map<string, number>();
  const dir = mkdtempSync(join(tmpdir(), "sk-bench-core-"));
  const invoke: AgentInvoker = async (req) => {
    if (req.phase === "implementation") heads.set(req.wpId, (heads.get(req.wpId) ?? 0) + 1);
    return { exitCode: 0, timedOut: false, aborted: false, spawnError: null, stderr: "", stdout: req.phase === "review" ? "VERDICT: approved" : "ok" };
  };
  const started = performance.now();
  const control = startScheduler(
    {
      plan: { missionSlug: MISSION, missionDir: MISSION, missionId: null, missionType: "software-dev", missionNumber: 1, graph, wpPrompt: () => "do it", repoName: "bench" },
      config: parseAgentsConfig(CONFIG, "bench.yaml"),
      lanes: {
        workPackage: async (w) => ({ currentLane: lanes.get(w) ?? "uninitialized" }),
        transition: async (r) => void lanes.set(r.wpId, r.toLane),
      },
      workspaces: {
        prepare: async ({ wpId }) => {
          lanes.set(wpId, "in_progress");
          return { path: dir, branch: wpId, baseCommit: null };
        },
        head: async (ws) => String(heads.get(ws.branch) ?? 0),
      },
      invoke,
      emitter: recordingEmitter(),
      store: fileStateStore(dir),
      logsDir: join(dir, "logs"),
    },
    newState(graph),
  );
  const state = await control.done;
  const ms = performance.now() - started;
  if (state.status !== "completed") throw new Error(`core run ended ${state.status}`);
  rmSync(dir, { recursive: true, force: true });
  return ms;
};

const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const repo = (agentsYaml: string): string => {
  const root = mkdtempSync(join(tmpdir(), "sk-bench-full-"));
  const graph = graphOf(WPS);
  const dir = join(root, "kitty-specs", MISSION);
  mkdirSync(join(dir, "tasks"), { recursive: true });
  writeFileSync(join(dir, "meta.json"), `${JSON.stringify({ mission_slug: MISSION, slug: MISSION, mission_type: "software-dev", target_branch: "main", friendly_name: "bench" }, null, 2)}\n`);
  const ids = Object.keys(graph);
  writeFileSync(
    join(dir, "status.events.jsonl"),
    ids
      .map((w, i) => `{"actor": "finalize-tasks", "at": "2026-08-01T10:00:00.${String(i).padStart(6, "0")}+00:00", "event_id": "01KZ0000000000000000000${String(i).padStart(3, "0")}", "evidence": null, "execution_mode": "worktree", "force": false, "from_lane": "genesis", "mission_slug": "${MISSION}", "policy_metadata": null, "reason": null, "review_ref": null, "to_lane": "planned", "wp_id": "${w}"}\n`)
      .join(""),
  );
  for (const w of ids) writeFileSync(join(dir, "tasks", `${w}-x.md`), `---\nwork_package_id: ${w}\ntitle: ${w}\ndependencies: [${(graph[w] ?? []).join(", ")}]\n---\n# ${w}\n`);
  mkdirSync(join(root, ".kittify"), { recursive: true });
  writeFileSync(join(root, ".kittify", "agents.yaml"), agentsYaml);
  writeFileSync(join(root, ".gitignore"), ".worktrees/\n.kittify/\n");
  git(root, "init", "-q", "-b", "main");
  git(root, "config", "user.name", "bench");
  git(root, "config", "user.email", "bench@example.invalid");
  git(root, "config", "commit.gpgsign", "false");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "bench mission");
  return root;
};

const full = async (processes: boolean): Promise<{ ms: number; agentMs: number }> => {
  const q = (s: string) => JSON.stringify(s);
  const fake = (mode: string) => `[${q(process.execPath)}, ${q(FAKE_AGENT)}, ${mode}]`;
  const yaml = processes
    ? `agents:\n  alpha:\n    command: ${fake("succeed")}\n    max_concurrent: ${PARALLEL}\n  beta:\n    command: ${fake("approve")}\n    max_concurrent: ${PARALLEL}\ndefaults:\n  implementation: [alpha]\n  review: [beta]\nglobal_concurrency: ${PARALLEL}\n`
    : CONFIG.replaceAll("[x]", `[${q(process.execPath)}]`);
  const root = repo(yaml);
  const fakeState = mkdtempSync(join(tmpdir(), "sk-bench-fake-"));
  let agentMs = 0;
  const inProcess: AgentInvoker = async (req) => {
    const t = performance.now();
    mkdirSync(join(req.logPath, ".."), { recursive: true });
    writeFileSync(req.logPath, "in-process\n");
    if (req.phase === "implementation") {
      appendFileSync(join(req.cwd, `impl-${req.wpId}.txt`), "x\n");
      git(req.cwd, "add", `impl-${req.wpId}.txt`);
      git(req.cwd, "commit", "-q", "-m", `${req.wpId}: implementation`);
    }
    agentMs += performance.now() - t;
    return { exitCode: 0, timedOut: false, aborted: false, spawnError: null, stderr: "", stdout: req.phase === "review" ? "VERDICT: approved" : "ok" };
  };
  const started = performance.now();
  const prepared = await prepareOrchestration({ cwd: root, mission: MISSION, mode: "start", maxParallel: PARALLEL, env: { ...process.env, FAKE_STATE_DIR: fakeState } });
  const control = await prepared.run({ emitter: recordingEmitter(), ...(processes ? {} : { invoke: inProcess }) });
  const state = await control.done;
  const ms = performance.now() - started;
  if (state.status !== "completed") throw new Error(`full run ended ${state.status}: ${JSON.stringify(Object.values(state.work_packages).find((w) => w.status === "failed"))}`);
  rmSync(root, { recursive: true, force: true });
  rmSync(fakeState, { recursive: true, force: true });
  return { ms, agentMs };
};

const rows: string[] = [];
const coreRuns: number[] = [];
for (let i = 0; i < RUNS + 1; i++) {
  const ms = await core();
  if (i > 0) coreRuns.push(ms);
}
rows.push(`| scheduler core, ${WPS} WPs, parallelism ${PARALLEL} | ${median(coreRuns).toFixed(0)} ms total, ${(median(coreRuns) / WPS).toFixed(2)} ms/WP |`);
if (process.argv.includes("--in-process")) {
  // The in-process agent commits with synchronous git, which blocks the scheduler: an upper bound only.
  const inProc: Array<{ ms: number; agentMs: number }> = [];
  for (let i = 0; i < RUNS; i++) inProc.push(await full(false));
  const inMs = median(inProc.map((r) => r.ms));
  rows.push(`| full stack, in-process agents (synchronous git: serialises the run) | ${(inMs / 1000).toFixed(1)} s total, ${(inMs / WPS).toFixed(0)} ms/WP wall |`);
}
if (!process.argv.includes("--skip-processes")) {
  const proc: number[] = [];
  for (let i = 0; i < Math.max(1, RUNS - 1); i++) proc.push((await full(true)).ms);
  rows.push(`| full stack with the fake agent executable (a node process per invocation) | ${(median(proc) / 1000).toFixed(1)} s total, ${(median(proc) / WPS).toFixed(0)} ms/WP wall |`);
}
console.log(`orchestrate bench: ${WPS} WPs, parallelism ${PARALLEL}, median of ${RUNS}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log("| measure | result |\n|---|---|");
for (const r of rows) console.log(r);
