import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MissionStatus, type LaneTransitionRow, type PostCommitEvent } from "@spec-kitty/status";
import { missionMeta, seedLog, type TempDirs } from "@spec-kitty/test-support";
import {
  memoryStateStore,
  newWpRecord,
  parseAgentsConfig,
  recordingEmitter,
  startScheduler,
  type InvocationRequest,
  type InvocationResult,
  type OrchestrationChange,
  type OrchestrationState,
  type RunControl,
  type StateStore,
  type WorkflowFact,
  type WorkspacePort,
} from "../src/index.ts";

/**
 * The scheduler in memory: the real MissionStatus on a mission folder outside git (files written, nothing committed),
 * a workspace port that claims through it and counts commits, and agents that are functions. Fast enough for
 * property tests.
 */
export type Outcome = "ok" | "noop" | "fail" | "timeout" | "auth" | "ratelimit" | "approve" | "reject" | "chatty" | "hang";

export interface HarnessOptions {
  readonly graph: Readonly<Record<string, readonly string[]>>;
  /** Agents as `agents.yaml` lines under `agents:` are generated from this: id → settings. */
  readonly agents?: Readonly<Record<string, { maxConcurrent?: number; roles?: readonly string[] }>>;
  readonly implementation?: readonly string[];
  readonly review?: readonly string[];
  readonly extraConfig?: string;
  /** What the agent does on its n-th invocation (0-based) for a WP and phase; default ok / approve. */
  readonly script?: (wpId: string, phase: string, n: number, agent: string) => Outcome;
  readonly concurrency?: number;
  readonly implAgent?: string;
  readonly reviewAgent?: string;
  /** Milliseconds an invocation takes (real timers). */
  readonly delayMs?: (wpId: string, phase: string) => number;
  readonly store?: StateStore;
  readonly state?: OrchestrationState;
  readonly root?: string;
}

export interface Trace {
  readonly kind: "start" | "end";
  readonly wpId: string;
  readonly phase: string;
  readonly agent: string;
  readonly at: number;
}

/** Invocation starts and ends and persisted lane rows, in the order they happened. */
export type SeqEntry =
  | { readonly kind: "start" | "end"; readonly wpId: string; readonly phase: string; readonly agent: string }
  | { readonly kind: "row"; readonly wpId: string; readonly lane: string; readonly eventId: string };

export interface Harness {
  readonly seq: SeqEntry[];
  readonly root: string;
  readonly status: MissionStatus;
  readonly control: RunControl;
  readonly facts: WorkflowFact[];
  readonly rows: LaneTransitionRow[];
  readonly changes: OrchestrationChange[];
  readonly trace: Trace[];
  readonly store: StateStore;
  readonly prepared: string[];
  /** The most workspace preparations that overlapped (git worktree add must not run concurrently). */
  readonly preparing: { now: number; max: number };
}

export const MISSION = "001-harness";

export const missionFolder = (temps: TempDirs, graph: Readonly<Record<string, readonly string[]>>): string => {
  const root = temps.make("sk-orch-mem-");
  const dir = join(root, "kitty-specs", MISSION);
  mkdirSync(join(dir, "tasks"), { recursive: true });
  writeFileSync(join(dir, "meta.json"), `${JSON.stringify(missionMeta(MISSION, null), null, 2)}\n`);
  writeFileSync(join(dir, "status.events.jsonl"), seedLog(MISSION, null, Object.keys(graph).sort()));
  return root;
};

export const agentsYaml = (o: HarnessOptions): string => {
  const agents = o.agents ?? { alpha: {}, beta: {} };
  const lines = ["agents:"];
  for (const [id, a] of Object.entries(agents)) {
    lines.push(`  ${id}:`, `    command: [fake, ${id}]`, `    max_concurrent: ${a.maxConcurrent ?? 8}`, `    roles: [${(a.roles ?? ["implementation", "review"]).join(", ")}]`);
  }
  lines.push("defaults:", `  implementation: [${(o.implementation ?? Object.keys(agents)).join(", ")}]`, `  review: [${(o.review ?? Object.keys(agents).reverse()).join(", ")}]`);
  lines.push("max_retries: 1", "retry_backoff_seconds: 0", "kill_grace_seconds: 0", `global_concurrency: ${o.concurrency ?? 8}`);
  if (o.extraConfig !== undefined) lines.push(o.extraConfig);
  return `${lines.join("\n")}\n`;
};

const result = (exitCode: number | null, stdout = "", stderr = "", timedOut = false): InvocationResult => ({ exitCode, timedOut, aborted: false, stdout, stderr, spawnError: null });

export const startHarness = async (temps: TempDirs, o: HarnessOptions): Promise<Harness> => {
  const root = o.root ?? missionFolder(temps, o.graph);
  const rows: LaneTransitionRow[] = [];
  const seq: SeqEntry[] = [];
  const status = await MissionStatus.load(root, MISSION, {
    postCommitHooks: [
      (e: PostCommitEvent) =>
        void e.rows.forEach((r) => {
          if ("kind" in r) return;
          const row = r as LaneTransitionRow;
          rows.push(row);
          seq.push({ kind: "row", wpId: row.wp_id, lane: row.to_lane, eventId: row.event_id });
        }),
    ],
  });
  const config = parseAgentsConfig(agentsYaml(o), "agents.yaml");
  const emitter = recordingEmitter();
  const changes: OrchestrationChange[] = [];
  const trace: Trace[] = [];
  const heads = new Map<string, number>();
  const counts = new Map<string, number>();
  const prepared: string[] = [];
  const preparing = { now: 0, max: 0 };
  const workspaces: WorkspacePort = {
    async prepare({ wpId, actor }) {
      prepared.push(wpId);
      preparing.now += 1;
      preparing.max = Math.max(preparing.max, preparing.now);
      try {
        const lane = (await status.workPackage(wpId)).currentLane;
        if (lane === "planned") await status.transitionBatch([{ wpId, toLane: "claimed", actor }, { wpId, toLane: "in_progress", actor, workspaceContext: `memory:${wpId}` }]);
        return { path: root, branch: `${MISSION}-${wpId}`, baseCommit: "base" };
      } finally {
        preparing.now -= 1;
      }
    },
    head: async (ws) => `c${heads.get(ws.branch) ?? 0}`,
  };
  const invoke = async (req: InvocationRequest): Promise<InvocationResult> => {
    const key = `${req.wpId}:${req.phase}`;
    const n = counts.get(key) ?? 0;
    counts.set(key, n + 1);
    trace.push({ kind: "start", wpId: req.wpId, phase: req.phase, agent: req.agent.id, at: Date.now() });
    seq.push({ kind: "start", wpId: req.wpId, phase: req.phase, agent: req.agent.id });
    const outcome = o.script?.(req.wpId, req.phase, n, req.agent.id) ?? (req.phase === "implementation" ? "ok" : "approve");
    const delay = o.delayMs?.(req.wpId, req.phase) ?? 0;
    if (outcome === "hang") {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, req.timeoutMs);
        req.signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve();
        });
      });
    } else if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    else await Promise.resolve();
    trace.push({ kind: "end", wpId: req.wpId, phase: req.phase, agent: req.agent.id, at: Date.now() });
    seq.push({ kind: "end", wpId: req.wpId, phase: req.phase, agent: req.agent.id });
    if (req.signal.aborted) return { ...result(null), aborted: true };
    const branch = `${MISSION}-${req.wpId}`;
    switch (outcome) {
      case "ok":
        heads.set(branch, (heads.get(branch) ?? 0) + 1);
        return result(0, "done");
      case "noop":
        return result(0, "nothing");
      case "fail":
        return result(1, "", "crashed");
      case "timeout":
      case "hang":
        return result(null, "", "Execution timed out", true);
      case "auth":
        return result(1, "", "401 Unauthorized: invalid API key");
      case "ratelimit":
        return result(1, "", "429 Too Many Requests");
      case "approve":
        return result(0, "fine\nVERDICT: approved");
      case "reject":
        return result(0, `VERDICT: rejected - needs work on ${req.wpId}\n- fix it`);
      case "chatty":
        return result(0, "LGTM, looks good, approved, all tests pass");
    }
  };
  const store = o.store ?? memoryStateStore();
  const state: OrchestrationState = o.state ?? {
    version: 1,
    run_id: "01RUN",
    correlation_id: "01CORR",
    mission_slug: MISSION,
    mission_dir: MISSION,
    started_at: new Date().toISOString(),
    completed_at: null,
    status: "running",
    pid: process.pid,
    concurrency_limit: o.concurrency ?? 8,
    impl_agent: o.implAgent ?? null,
    review_agent: o.reviewAgent ?? null,
    merge: false,
    wps_total: Object.keys(o.graph).length,
    wps_completed: 0,
    wps_failed: 0,
    parallel_peak: 0,
    total_agent_invocations: 0,
    total_duration_seconds: null,
    mission_closed_emitted: false,
    dependencies_resolved: [],
    events: [],
    work_packages: Object.fromEntries(Object.keys(o.graph).map((id) => [id, newWpRecord(id)])),
  };
  const control = startScheduler(
    {
      plan: {
        missionSlug: MISSION,
        missionDir: MISSION,
        missionId: null,
        missionType: "software-dev",
        missionNumber: 1,
        graph: o.graph,
        wpPrompt: (id) => `# ${id}\nDo ${id}.`,
        repoName: "repo",
      },
      config,
      lanes: status,
      workspaces,
      invoke,
      emitter,
      store,
      logsDir: join(root, ".kittify", "logs"),
      onChange: (c) => changes.push(c),
    },
    state,
  );
  return { seq, root, status, control, facts: emitter.facts, rows, changes, trace, store, prepared, preparing };
};

export const lanesNow = async (h: Harness): Promise<Record<string, string>> => {
  const snap = await h.status.snapshot();
  return Object.fromEntries(Object.entries(snap.work_packages).map(([id, w]) => [id, w.lane]));
};
