import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { MissionStatusOptions } from "@spec-kitty/status";
import { ulid } from "ulid";
import { dependencyResolvedFact, type WorkflowEmitter } from "../emit.ts";
import { WorkflowError } from "../errors.ts";
import { parseFront, frontList, splitFrontmatter } from "../frontmatter.ts";
import { git, locateRepo, requireRepo } from "../git.ts";
import { directDependents, findCycles, graphProblems, type DependencyGraph } from "../graph.ts";
import { merge } from "../merge.ts";
import { listWorkPackageFiles, missionStatus, openMission, type MissionContext } from "../mission.ts";
import {
  AGENTS_FILE,
  canonicalAgentId,
  DEFAULTS,
  generateAgentsConfig,
  KNOWN_AGENT_BINARIES,
  loadAgentsConfig,
  onPath,
  type AgentConfig,
  type OrchestratorConfig,
} from "./config.ts";
import { agentExecutable, agentInvocation } from "./invocation.ts";
import { runAgentProcess } from "./process.ts";
import {
  startScheduler,
  type AgentInvoker,
  type MissionPlan,
  type OrchestrationChange,
  type RunControl,
  type WorkspacePort,
} from "./scheduler.ts";
import { fileStateStore, newWpRecord, type OrchestrationState, type StateStore } from "./state.ts";
import { implementWorkspacePort } from "./workspace.ts";

/**
 * The orchestrate command's domain functions: prepare a run (validate the mission, the configuration and the state
 * before anything is written), run it, and the state commands (--status, --skip, --abort).
 */
export interface OrchestrateOptions {
  readonly cwd: string;
  readonly mission?: string;
  readonly implAgent?: string;
  readonly reviewAgent?: string;
  readonly maxParallel?: number;
  /** Merge the approved work packages into the target branch at the end (`merge()`), which moves them to done. */
  readonly merge?: boolean;
  /** Who merges (the user running the command). */
  readonly actor?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunPorts {
  readonly emitter: WorkflowEmitter;
  readonly statusOptions?: MissionStatusOptions;
  readonly onChange?: (change: OrchestrationChange, state: OrchestrationState) => void;
  /** Replaces agent processes (tests, the benchmark). */
  readonly invoke?: AgentInvoker;
  /** Replaces the workspace port (default: the `implement` command's worktrees). */
  readonly workspaces?: (p: {
    readonly mission: MissionContext;
    readonly status: Awaited<ReturnType<typeof missionStatus>>;
    readonly emitter: WorkflowEmitter;
    readonly statusOptions: MissionStatusOptions;
  }) => WorkspacePort;
}

export interface PreparedRun {
  readonly mission: MissionContext;
  readonly config: OrchestratorConfig;
  readonly state: OrchestrationState;
  readonly store: StateStore;
  readonly resumed: boolean;
  /** Set when the configuration was generated from the agents on PATH (and written there). */
  readonly generatedConfig: string | null;
  /** The run's correlation id: every event of the run (also after --resume) shares it. */
  readonly correlationId: string;
  run(ports: RunPorts): Promise<RunControl>;
}

const usage = (message: string, hint?: string): WorkflowError =>
  new WorkflowError({ code: "ORCHESTRATE_USAGE", kind: "usage", message, ...(hint === undefined ? {} : { hint }) });

/** Whether a process id is alive on this machine. */
const alive = (pid: number | null): boolean => {
  if (pid === null || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** The work packages and their dependencies from the WP prompt files' front matter; errors name file and key. */
export const readPlanGraph = (mission: MissionContext): { graph: DependencyGraph; files: Map<string, string> } => {
  const files = new Map<string, string>();
  const graph: Record<string, readonly string[]> = {};
  for (const file of listWorkPackageFiles(mission)) {
    const front = splitFrontmatter(readFileSync(file.path, "utf8"), file.path);
    graph[file.wpId] = [...new Set(frontList(parseFront(front), "dependencies", front) ?? [])];
    files.set(file.wpId, file.path);
  }
  if (files.size === 0) {
    throw new WorkflowError({ code: "NO_WORK_PACKAGES", kind: "input", message: `${join(mission.relPath, "tasks")}: the mission has no work packages`, hint: "write tasks.md and the WP files, then run finalize-tasks" });
  }
  const problem = graphProblems(graph)[0];
  if (problem !== undefined) {
    throw new WorkflowError({ code: "DEPENDENCY_INVALID", kind: "input", message: `${files.get(problem.wpId) ?? problem.wpId}: dependencies: ${problem.message}`, file: files.get(problem.wpId), field: "dependencies", wpId: problem.wpId });
  }
  const cycle = findCycles(graph)[0];
  if (cycle !== undefined) {
    throw new WorkflowError({ code: "DEPENDENCY_CYCLE", kind: "input", message: `dependency cycle: ${cycle.join(" → ")}`, file: files.get(cycle[0] ?? ""), field: "dependencies", details: { cycle } });
  }
  return { graph, files };
};

/** The configuration with agents that are disabled or not installed removed, and the command-line overrides applied. */
const effectiveConfig = (base: OrchestratorConfig, o: OrchestrateOptions, env: NodeJS.ProcessEnv): OrchestratorConfig => {
  const agents = new Map<string, AgentConfig>();
  const add = (id: string): AgentConfig | undefined => {
    const known = base.agents.get(id) ?? (KNOWN_AGENT_BINARIES.some(([k]) => k === id) ? defaultAgent(id) : undefined);
    return known;
  };
  for (const [id, agent] of base.agents) if (agent.enabled && onPath(agentExecutable(agent), env)) agents.set(id, agent);
  const override = (flag: string, raw: string | undefined): string | null => {
    if (raw === undefined) return null;
    const id = canonicalAgentId(raw);
    const agent = agents.get(id) ?? add(id);
    if (agent === undefined) throw usage(`${flag} ${raw}: unknown agent`, `configured agents: ${[...base.agents.keys()].join(", ") || "(none)"}; known agents: ${KNOWN_AGENT_BINARIES.map(([k]) => k).join(", ")}`);
    if (!onPath(agentExecutable(agent), env)) throw usage(`${flag} ${raw}: '${agentExecutable(agent)}' is not on PATH`);
    agents.set(id, { ...agent, enabled: true });
    return id;
  };
  const impl = override("--impl-agent", o.implAgent);
  const review = override("--review-agent", o.reviewAgent);
  const keep = (ids: readonly string[]): string[] => ids.filter((id) => agents.has(id));
  const config: OrchestratorConfig = {
    ...base,
    agents,
    defaults: { implementation: keep(base.defaults.implementation), review: keep(base.defaults.review) },
    singleAgentMode:
      base.singleAgentMode.enabled && base.singleAgentMode.agent !== null && agents.has(base.singleAgentMode.agent)
        ? base.singleAgentMode
        : { enabled: false, agent: null },
  };
  if (impl === null && config.defaults.implementation.length === 0 && !config.singleAgentMode.enabled) {
    throw new WorkflowError({
      code: "NO_AGENTS_AVAILABLE",
      kind: "input",
      message: `no agent available for implementation: the agents configured${base.source === null ? "" : ` in ${base.source}`} are disabled or not on PATH`,
      ...(base.source === null ? {} : { file: base.source }),
      field: "agents",
      hint: `install one of ${KNOWN_AGENT_BINARIES.map(([, b]) => b).join(", ")} or configure an agent with a 'command' in ${AGENTS_FILE}`,
    });
  }
  return config;
};

const defaultAgent = (id: string): AgentConfig => ({
  id,
  enabled: true,
  roles: ["implementation", "review"],
  priority: 50,
  maxConcurrent: DEFAULTS.maxConcurrent,
  timeoutSeconds: DEFAULTS.timeoutSeconds,
  command: null,
  reviewCommand: null,
});

const missionNumberOf = (mission: MissionContext): number | null => {
  const raw = mission.meta["mission_number"];
  const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : null;
  if (n !== null && n >= 1) return n;
  const m = /^(\d{3})-/.exec(mission.dir);
  return m?.[1] === undefined || Number(m[1]) < 1 ? null : Number(m[1]);
};

/**
 * Validates everything a run needs and returns it ready to start: `mode` start refuses while another orchestration
 * is running or paused; resume continues a paused (or killed) one, retrying the work packages it escalated.
 */
export const prepareOrchestration = async (o: OrchestrateOptions & { readonly mode: "start" | "resume" }): Promise<PreparedRun> => {
  const env = o.env ?? process.env;
  if (o.maxParallel !== undefined && (!Number.isInteger(o.maxParallel) || o.maxParallel < 1)) throw usage(`--max-parallel must be a whole number ≥ 1 (got ${o.maxParallel})`);
  const store = fileStateStore(requireRepo(o.cwd).mainRoot);
  const existing = store.load();
  let missionHandle = o.mission;
  if (o.mode === "resume") {
    if (existing === null) throw new WorkflowError({ code: "NO_ORCHESTRATION", message: "no orchestration to resume", hint: "start one with 'spec-kitty orchestrate --mission HANDLE'" });
    if (existing.status === "completed") throw new WorkflowError({ code: "ORCHESTRATION_COMPLETED", message: "Orchestration already completed.", hint: "start a new one with --mission, or remove it with --abort" });
    if (existing.status === "running" && alive(existing.pid)) throw new WorkflowError({ code: "ORCHESTRATION_RUNNING", message: `the orchestration is already running (pid ${existing.pid})`, hint: "stop it with Ctrl-C first" });
    missionHandle = existing.mission_dir;
  } else if (existing !== null && (existing.status === "running" || existing.status === "paused")) {
    throw new WorkflowError({
      code: "ORCHESTRATION_EXISTS",
      message: `an orchestration of ${existing.mission_dir} is ${existing.status === "running" && !alive(existing.pid) ? "interrupted" : existing.status}`,
      hint: "continue it with 'spec-kitty orchestrate --resume', or end it with 'spec-kitty orchestrate --abort'",
    });
  }
  const mission = await openMission(o.cwd, missionHandle);
  const root = mission.repo.mainRoot;
  const { graph, files } = readPlanGraph(mission);
  let generatedConfig: string | null = null;
  let base = loadAgentsConfig(root);
  if (base === null) {
    const generated = generateAgentsConfig(env);
    if (generated === null) {
      throw new WorkflowError({
        code: "NO_AGENTS_INSTALLED",
        kind: "input",
        message: `${AGENTS_FILE} does not exist and no AI agent CLI is on PATH`,
        hint: `install one of ${KNOWN_AGENT_BINARIES.map(([, b]) => b).join(", ")}, or write ${AGENTS_FILE} with an agent 'command'`,
      });
    }
    base = generated.config;
    generatedConfig = generated.yaml;
  }
  const config = effectiveConfig(base, o, env);
  // Nothing is written before this point.
  if (generatedConfig !== null) {
    mkdirSync(dirname(join(root, AGENTS_FILE)), { recursive: true });
    writeFileSync(join(root, AGENTS_FILE), generatedConfig);
  }
  let state: OrchestrationState;
  const resumed = o.mode === "resume" && existing !== null;
  if (resumed) {
    state = existing;
    for (const rec of Object.values(state.work_packages)) {
      if (rec.status !== "failed") continue;
      // The user resumes after fixing the cause: the escalated work package gets a fresh budget.
      rec.status = "pending";
      rec.escalation = null;
      rec.implementation.retries = 0;
      rec.review.retries = 0;
      rec.fallback_agents_tried = [];
      if (rec.review_cycles >= config.maxReviewCycles) rec.review_cycles = 0;
    }
    if (o.maxParallel !== undefined) state.concurrency_limit = Math.min(o.maxParallel, config.globalConcurrency);
    if (o.merge === true) state.merge = true;
  } else {
    const started = new Date().toISOString();
    state = {
      version: 1,
      run_id: ulid(),
      correlation_id: ulid(),
      mission_slug: mission.slug,
      mission_dir: mission.dir,
      started_at: started,
      completed_at: null,
      status: "running",
      pid: process.pid,
      concurrency_limit: Math.min(o.maxParallel ?? config.globalConcurrency, config.globalConcurrency),
      impl_agent: o.implAgent === undefined ? null : canonicalAgentId(o.implAgent),
      review_agent: o.reviewAgent === undefined ? null : canonicalAgentId(o.reviewAgent),
      merge: o.merge === true,
      wps_total: files.size,
      wps_completed: 0,
      wps_failed: 0,
      parallel_peak: 0,
      total_agent_invocations: 0,
      total_duration_seconds: null,
      mission_closed_emitted: false,
      dependencies_resolved: [],
      events: [],
      work_packages: Object.fromEntries([...files.keys()].sort().map((id) => [id, newWpRecord(id)])),
    };
  }
  if (o.implAgent !== undefined) state.impl_agent = canonicalAgentId(o.implAgent);
  if (o.reviewAgent !== undefined) state.review_agent = canonicalAgentId(o.reviewAgent);
  const plan: MissionPlan = {
    missionSlug: mission.slug,
    missionDir: mission.dir,
    missionId: mission.missionId,
    missionType: mission.missionType,
    missionNumber: missionNumberOf(mission),
    graph,
    repoName: basename(root),
    wpPrompt: (wpId) => {
      const path = files.get(wpId) ?? "";
      const text = readFileSync(path, "utf8");
      try {
        return splitFrontmatter(text, path).body;
      } catch {
        return text;
      }
    },
  };
  return {
    mission,
    config,
    state,
    store,
    resumed,
    generatedConfig,
    correlationId: state.correlation_id,
    async run(ports) {
      const statusOptions = ports.statusOptions ?? {};
      const status = await missionStatus(mission, statusOptions);
      if (resumed) await replayRun(state, status, statusOptions, ports.emitter);
      const workspaces = (ports.workspaces ?? implementWorkspacePort)({ mission, status, emitter: ports.emitter, statusOptions });
      const logsDir = join(root, ".kittify", "logs");
      const control = startScheduler(
        {
          plan,
          config,
          lanes: status,
          workspaces,
          invoke: ports.invoke ?? processInvoker(mission, env),
          emitter: ports.emitter,
          store,
          logsDir,
          closeMission: !state.merge,
          ...(ports.onChange === undefined ? {} : { onChange: ports.onChange }),
        },
        state,
      );
      if (!state.merge) return control;
      const merged = control.done.then(async (final) => {
        if (final.status !== "completed" || !Object.values(final.work_packages).every((w) => w.status === "completed")) return final;
        ports.onChange?.({ event: "merge_started", at: new Date().toISOString() }, final);
        try {
          const result = await merge({ cwd: root, mission: mission.dir, actor: o.actor ?? "spec-kitty", emitter: ports.emitter, statusOptions });
          final.merge_result = { status: result.status, error: null, merged: result.merged.map((m) => m.wpId) };
          store.save(final);
          ports.onChange?.({ event: "merge_finished", at: new Date().toISOString(), status: result.status, merged: final.merge_result.merged, mission_closed: result.missionClosed }, final);
          return final;
        } catch (error) {
          final.merge_result = { status: "failed", error: error instanceof Error ? error.message : String(error), merged: [] };
          store.save(final);
          ports.onChange?.({ event: "merge_failed", at: new Date().toISOString(), message: final.merge_result.error }, final);
          throw error;
        }
      });
      return { pause: control.pause, stop: control.stop, done: merged };
    },
  };
};

/**
 * What a killed run may not have reported: every fact in the journal, and every lane transition of the run's work
 * packages since it started, through the status post-commit hooks. Both carry their event ids, so what was
 * captured before is not captured twice.
 */
const replayRun = async (
  state: OrchestrationState,
  status: Awaited<ReturnType<typeof missionStatus>>,
  statusOptions: MissionStatusOptions,
  emitter: WorkflowEmitter,
): Promise<void> => {
  for (const e of state.events ?? []) {
    emitter.emit({ eventType: e.event_type, aggregateId: e.aggregate_id, aggregateType: e.aggregate_type, payload: e.payload, eventId: e.event_id });
  }
  const hooks = statusOptions.postCommitHooks ?? [];
  if (hooks.length === 0) return;
  const since = state.started_at;
  const rows = status.readLog().transitions.filter((r) => Object.hasOwn(state.work_packages, r.wp_id) && r.from_lane !== "genesis" && Date.parse(r.at) >= Date.parse(since));
  if (rows.length === 0) return;
  const receipt = {
    commitSha: null,
    committedAt: new Date().toISOString(),
    destinationRef: null,
    worktreeRoot: status.repoRoot,
    eventIds: rows.map((r) => r.event_id),
    isNoop: false,
    committed: true,
    note: "reported again after an interrupted orchestration",
  };
  for (const hook of hooks) {
    try {
      await hook({ missionSlug: status.missionSlug, missionId: status.missionId, receipt, rows });
    } catch {
      // reporting never changes the run
    }
  }
};

/** Agent invocations as real processes (the built-in command lines or the configured templates). */
export const processInvoker =
  (mission: MissionContext, env: NodeJS.ProcessEnv = process.env): AgentInvoker =>
  async (req) => {
    const promptFile = req.logPath.replace(/\.log$/, ".prompt.md");
    const inv = agentInvocation(req.agent, req.phase, req.prompt, promptFile);
    if (inv.promptFile !== null) {
      mkdirSync(dirname(inv.promptFile), { recursive: true });
      writeFileSync(inv.promptFile, req.prompt);
    }
    const header = [
      `# spec-kitty orchestrate: ${req.wpId} ${req.phase} by ${req.agent.id}`,
      `# mission: ${mission.dir}`,
      `# started: ${new Date().toISOString()}`,
      `# cwd: ${req.cwd}`,
      `# command: ${inv.argv.map((a) => (a === req.prompt ? "<prompt>" : a)).join(" ")}`,
      `# timeout: ${req.timeoutMs / 1000} s`,
    ].join("\n");
    return runAgentProcess({
      argv: inv.argv,
      cwd: req.cwd,
      stdin: inv.stdin,
      env: { ...env, SPEC_KITTY_MISSION: mission.dir, SPEC_KITTY_WP: req.wpId, SPEC_KITTY_PHASE: req.phase, SPEC_KITTY_AGENT: req.agent.id },
      timeoutMs: req.timeoutMs,
      graceMs: req.graceMs,
      logPath: req.logPath,
      header,
      signal: req.signal,
    });
  };

/** The saved orchestration of the repository containing `cwd`, or null. */
export const orchestrationStatus = (cwd: string): { state: OrchestrationState | null; path: string; running: boolean } => {
  const root = requireRoot(cwd);
  const store = fileStateStore(root);
  const state = store.load();
  return { state, path: store.path, running: state !== null && state.status === "running" && alive(state.pid) };
};

const requireRoot = (cwd: string): string => {
  const repo = locateRepo(cwd);
  if (repo === null) throw new WorkflowError({ code: "NOT_A_GIT_REPOSITORY", message: `not in a git repository: ${cwd}` });
  return repo.mainRoot;
};

/**
 * `--skip WPnn`: the escalated (or pending) work package counts as done for its dependents (DependencyResolved with
 * resolution `skipped`, journaled like the run's other facts); its lane is not changed. Refused while the run runs.
 */
export const skipWorkPackage = async (cwd: string, wpId: string, emitter: WorkflowEmitter): Promise<OrchestrationState> => {
  const root = requireRoot(cwd);
  const store = fileStateStore(root);
  const state = store.load();
  if (state === null) throw new WorkflowError({ code: "NO_ORCHESTRATION", message: "No orchestration in progress" });
  if (state.status === "running" && alive(state.pid)) throw new WorkflowError({ code: "ORCHESTRATION_RUNNING", message: `the orchestration is running (pid ${state.pid}); stop it first` });
  const rec = state.work_packages[wpId];
  if (rec === undefined) throw new WorkflowError({ code: "WP_NOT_FOUND", kind: "usage", message: `${wpId} is not part of the orchestration of ${state.mission_dir}`, hint: `work packages: ${Object.keys(state.work_packages).join(", ")}` });
  if (rec.status === "completed" || rec.status === "skipped") throw new WorkflowError({ code: "WP_ALREADY_FINISHED", message: `${wpId} is already ${rec.status}`, wpId });
  const { graph } = readPlanGraph(await openMission(root, state.mission_dir));
  rec.status = "skipped";
  rec.escalation = null;
  state.wps_failed = Object.values(state.work_packages).filter((w) => w.status === "failed").length;
  if (state.status === "running") state.status = "paused";
  for (const dependent of directDependents(graph, wpId)) {
    const key = `${dependent}<-${wpId}`;
    if (state.dependencies_resolved.includes(key)) continue;
    state.dependencies_resolved.push(key);
    const fact = dependencyResolvedFact({ wpId: dependent, dependencyWpId: wpId, resolutionType: "skipped" });
    const eventId = ulid();
    (state.events ??= []).push({ event_id: eventId, event_type: fact.eventType, aggregate_id: fact.aggregateId, aggregate_type: fact.aggregateType, payload: fact.payload, occurred_at: new Date().toISOString() });
    store.save(state);
    emitter.emit({ ...fact, eventId });
  }
  store.save(state);
  return state;
};

/**
 * `--abort [--cleanup]`: ends the orchestration (its state file and copy are removed); with cleanup the WP
 * worktrees it recorded are removed too (their branches stay). Refused while the run is running.
 */
export const abortOrchestration = async (cwd: string, o: { readonly cleanup: boolean }): Promise<{ state: OrchestrationState; removedWorktrees: string[] }> => {
  const root = requireRoot(cwd);
  const store = fileStateStore(root);
  const state = store.load();
  if (state === null) throw new WorkflowError({ code: "NO_ORCHESTRATION", message: "No orchestration in progress" });
  if (state.status === "running" && alive(state.pid)) throw new WorkflowError({ code: "ORCHESTRATION_RUNNING", message: `the orchestration is running (pid ${state.pid}); stop it first (Ctrl-C)` });
  const removed: string[] = [];
  if (o.cleanup) {
    for (const rec of Object.values(state.work_packages)) {
      if (rec.worktree_path === null || !existsSync(rec.worktree_path)) continue;
      const r = await git(root, ["worktree", "remove", "--force", rec.worktree_path], { allowFail: true });
      if (r.code === 0) removed.push(rec.worktree_path);
    }
  }
  state.status = "aborted";
  state.pid = null;
  store.remove();
  return { state, removedWorktrees: removed };
};
