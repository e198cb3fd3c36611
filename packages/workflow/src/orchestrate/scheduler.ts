import { join } from "node:path";
import type { DoneEvidence, ReviewResult, TransitionRequest } from "@spec-kitty/status";
import { ulid } from "ulid";
import { dependencyResolvedFact, missionClosedFact, wpAssignedFact, type WorkflowEmitter, type WorkflowFact } from "../emit.ts";
import { directDependents, topologicalOrder, type DependencyGraph } from "../graph.ts";
import type { AgentConfig, AgentRole, OrchestratorConfig } from "./config.ts";
import { classifyFailure, isRetryable, parseVerdict, type FailureClass } from "./outcome.ts";
import { implementationPrompt, reviewPrompt } from "./prompts.ts";
import { newWpRecord, type OrchestrationState, type StateStore, type WpRecord } from "./state.ts";

/**
 * The scheduler: runs a mission's work packages through implementation and review in dependency order, as many at
 * a time as the global and per-agent limits allow. The status log decides where each work package is (its lane);
 * the state file records what the orchestrator decided. Every lane change goes through the `LaneStore`
 * (MissionStatus, whose post-commit hooks report it); every other event is a fact for the `WorkflowEmitter`.
 * Everything with side effects is a port, so the same code runs against real git and processes or in memory.
 */

/** The part of `MissionStatus` the scheduler uses. */
export interface LaneStore {
  workPackage(wpId: string): Promise<{ readonly currentLane: string }>;
  transition(request: TransitionRequest): Promise<unknown>;
}

export interface Workspace {
  /** Absolute path of the WP's worktree. */
  readonly path: string;
  readonly branch: string;
  readonly baseCommit: string | null;
}

/** Creates or reuses a work package's workspace; on first creation it moves the lane planned → claimed → in_progress. */
export interface WorkspacePort {
  prepare(request: { readonly wpId: string; readonly base: string | undefined; readonly actor: string }): Promise<Workspace>;
  /** The commit the workspace's branch points at. */
  head(workspace: Workspace): Promise<string>;
}

export interface InvocationRequest {
  readonly wpId: string;
  readonly phase: AgentRole;
  readonly agent: AgentConfig;
  readonly prompt: string;
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly graceMs: number;
  readonly logPath: string;
  readonly signal: AbortSignal;
}

export interface InvocationResult {
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly spawnError: string | null;
}

export type AgentInvoker = (request: InvocationRequest) => Promise<InvocationResult>;

/** The mission as the scheduler needs it. */
export interface MissionPlan {
  readonly missionSlug: string;
  readonly missionDir: string;
  readonly missionId: string | null;
  readonly missionType: string;
  /** meta.json `mission_number` or the directory's number prefix; null when neither exists. */
  readonly missionNumber: number | null;
  readonly graph: DependencyGraph;
  /** The WP prompt file's text. */
  readonly wpPrompt: (wpId: string) => string;
  /** The repository name recorded in approval evidence (`repos[].repo`). */
  readonly repoName: string;
}

/** One state change, as the CLI shows it (a table row update, a progress line, a --json object). */
export interface OrchestrationChange {
  readonly event: string;
  readonly at: string;
  readonly wp_id?: string;
  readonly [key: string]: unknown;
}

export interface SchedulerDeps {
  readonly plan: MissionPlan;
  readonly config: OrchestratorConfig;
  readonly lanes: LaneStore;
  readonly workspaces: WorkspacePort;
  readonly invoke: AgentInvoker;
  readonly emitter: WorkflowEmitter;
  readonly store: StateStore;
  /** Where per-invocation logs go (`.kittify/logs`). */
  readonly logsDir: string;
  readonly now?: () => Date;
  /** Waits `ms` or until `signal` aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly onChange?: (change: OrchestrationChange, state: OrchestrationState) => void;
  /** The orchestrator's own actor for lane moves it makes on nobody's behalf. */
  readonly actor?: string;
  /**
   * Report MissionClosed when every work package is approved (default true). False when the run merges at the end:
   * merge reports it once the work is integrated.
   */
  readonly closeMission?: boolean;
}

export interface RunControl {
  /** First stop: start nothing new, let running invocations finish, save, end paused. */
  pause(): void;
  /** Second stop: also stop running agents (their work packages restart from their lanes on resume). */
  stop(): void;
  readonly done: Promise<OrchestrationState>;
}

export const ESCALATION_ACTIONS = (wpId: string): string[] => [
  "spec-kitty orchestrate --resume (retry it after fixing the cause)",
  `spec-kitty orchestrate --skip ${wpId} (treat it as done and continue with its dependents)`,
  "spec-kitty orchestrate --abort (end the orchestration)",
];

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });

/** A counting semaphore per agent; waiting is bounded by the running invocations' own deadlines. */
class Slots {
  readonly #used = new Map<string, number>();
  readonly #waiters: Array<{ id: string; limit: number; wake: () => void }> = [];
  peak = new Map<string, number>();
  used(id: string): number {
    return this.#used.get(id) ?? 0;
  }
  async acquire(id: string, limit: number, signal: AbortSignal): Promise<boolean> {
    while (this.used(id) >= limit) {
      if (signal.aborted) return false;
      await new Promise<void>((wake) => {
        const waiter = { id, limit, wake };
        this.#waiters.push(waiter);
        signal.addEventListener("abort", () => wake(), { once: true });
      });
    }
    if (signal.aborted) return false;
    const n = this.used(id) + 1;
    this.#used.set(id, n);
    if (n > (this.peak.get(id) ?? 0)) this.peak.set(id, n);
    return true;
  }
  release(id: string): void {
    this.#used.set(id, Math.max(0, this.used(id) - 1));
    const i = this.#waiters.findIndex((w) => w.id === id);
    if (i >= 0) this.#waiters.splice(i, 1)[0]?.wake();
  }
}

/** Why a work package's processing stopped short of completion. */
class Halt extends Error {
  readonly kind: "escalated" | "stopped";
  constructor(kind: "escalated" | "stopped") {
    super(kind);
    this.kind = kind;
  }
}

/** Starts (or resumes, when `state` comes from the store) the orchestration; `done` resolves with the final state. */
export const startScheduler = (deps: SchedulerDeps, state: OrchestrationState): RunControl => {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? defaultSleep;
  const iso = (): string => now().toISOString();
  const { plan, config } = deps;
  const pausing = new AbortController();
  const stopping = new AbortController();
  const slots = new Slots();
  const running = new Map<string, Promise<void>>();
  let escalated = false;
  // `git worktree add` is not safe to run concurrently in one repository (one add reads the administrative
  // directory another is still creating), so workspaces are prepared one at a time.
  let preparing: Promise<unknown> = Promise.resolve();
  let wake: () => void = () => undefined;
  const limit = Math.max(1, state.concurrency_limit);

  const save = (): void => deps.store.save(state);
  /** Journal first (saved), then report: a resumed run replays the journal, the outbox keeps one per event id. */
  const report = (fact: WorkflowFact): void => {
    const entry = {
      event_id: ulid(),
      event_type: fact.eventType,
      aggregate_id: fact.aggregateId,
      aggregate_type: fact.aggregateType,
      payload: fact.payload,
      occurred_at: iso(),
    };
    (state.events ??= []).push(entry);
    save();
    deps.emitter.emit({ ...fact, eventId: entry.event_id });
  };
  const change = (event: string, fields: Record<string, unknown> = {}): void => {
    deps.onChange?.({ event, at: iso(), ...fields }, state);
  };
  const recount = (): void => {
    const all = Object.values(state.work_packages);
    state.wps_completed = all.filter((w) => w.status === "completed").length;
    state.wps_failed = all.filter((w) => w.status === "failed").length;
  };
  const record = (wpId: string): WpRecord => (state.work_packages[wpId] ??= newWpRecord(wpId));
  const agentsFor = (role: AgentRole): AgentConfig[] =>
    (config.defaults[role] ?? [])
      .map((id) => config.agents.get(id))
      .filter((a): a is AgentConfig => a !== undefined && a.enabled && a.roles.includes(role));
  const agentById = (id: string): AgentConfig | undefined => config.agents.get(id);

  const pickImplementer = (): AgentConfig | undefined => {
    if (state.impl_agent !== null) return agentById(state.impl_agent);
    if (config.singleAgentMode.enabled && config.singleAgentMode.agent !== null) return agentById(config.singleAgentMode.agent);
    const candidates = agentsFor("implementation");
    return candidates.find((a) => slots.used(a.id) < a.maxConcurrent) ?? candidates[0];
  };
  const pickReviewer = (implementer: string | null): AgentConfig | undefined => {
    if (state.review_agent !== null) return agentById(state.review_agent);
    if (config.singleAgentMode.enabled && config.singleAgentMode.agent !== null) return agentById(config.singleAgentMode.agent);
    const candidates = agentsFor("review");
    const others = candidates.filter((a) => a.id !== implementer);
    return others.find((a) => slots.used(a.id) < a.maxConcurrent) ?? others[0] ?? candidates[0] ?? (implementer === null ? undefined : agentById(implementer));
  };
  const nextFallback = (role: AgentRole, tried: readonly string[], current: string, avoid: string | null): AgentConfig | undefined => {
    if (config.fallbackStrategy !== "next_in_list") return undefined;
    const untried = agentsFor(role).filter((a) => a.id !== current && !tried.includes(a.id));
    return untried.find((a) => a.id !== avoid) ?? untried[0];
  };

  const escalate = (rec: WpRecord, reason: string, failureClass: string | null = null): never => {
    rec.status = "failed";
    rec.last_error = reason;
    rec.failure_class = failureClass;
    rec.escalation = { reason, actions: ESCALATION_ACTIONS(rec.wp_id) };
    escalated = true;
    recount();
    save();
    change("wp_escalated", { wp_id: rec.wp_id, reason, actions: rec.escalation.actions });
    throw new Halt("escalated");
  };
  const checkStop = (): void => {
    if (pausing.signal.aborted || stopping.signal.aborted) throw new Halt("stopped");
  };

  const laneOf = async (wpId: string): Promise<string> => (await deps.lanes.workPackage(wpId)).currentLane;
  const move = async (rec: WpRecord, request: Omit<TransitionRequest, "wpId">): Promise<void> => {
    try {
      await deps.lanes.transition({ wpId: rec.wp_id, ...request });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      escalate(rec, `cannot move ${rec.wp_id} to ${request.toLane}: ${message}`);
    }
    change("lane", { wp_id: rec.wp_id, lane: request.toLane, actor: request.actor });
  };

  const logPath = (wpId: string, phase: AgentRole): string => {
    const d = now();
    const p = (n: number): string => String(n).padStart(2, "0");
    const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${String(d.getUTCMilliseconds()).padStart(3, "0")}`;
    return join(deps.logsDir, `${wpId}-${phase}-${stamp}.log`);
  };

  /**
   * Runs one phase's agent with retries (same agent, backoff; auth is not retried) and then fallbacks; `accept`
   * judges a finished invocation (exit 0 is not enough: an implementation must commit, a review must give a
   * verdict). Escalates when every option failed.
   */
  const runPhase = async <T>(
    rec: WpRecord,
    phase: AgentRole,
    first: AgentConfig,
    prompt: string,
    cwd: string,
    accept: (result: InvocationResult, agent: AgentConfig) => Promise<{ ok: true; value: T } | { ok: false; message: string; failureClass?: FailureClass }>,
    avoid: string | null,
  ): Promise<{ value: T; agent: AgentConfig }> => {
    let agent = first;
    const phaseRec = phase === "implementation" ? rec.implementation : rec.review;
    for (;;) {
      phaseRec.agent = agent.id;
      phaseRec.started = iso();
      phaseRec.completed = null;
      rec.status = phase;
      report(wpAssignedFact({ wpId: rec.wp_id, agentId: agent.id, phase, retryCount: phaseRec.retries + rec.fallback_agents_tried.length }));
      change("wp_assigned", { wp_id: rec.wp_id, phase, agent: agent.id, retry_count: phaseRec.retries + rec.fallback_agents_tried.length });
      let attempts = 0;
      let lastClass: FailureClass = "general";
      let lastMessage = "";
      for (;;) {
        checkStop();
        if (!(await slots.acquire(agent.id, agent.maxConcurrent, stopping.signal))) throw new Halt("stopped");
        let result: InvocationResult;
        const log = logPath(rec.wp_id, phase);
        rec.log_file = log;
        state.total_agent_invocations += 1;
        save();
        change("agent_started", { wp_id: rec.wp_id, phase, agent: agent.id, log_file: log });
        try {
          result = await deps.invoke({
            wpId: rec.wp_id,
            phase,
            agent,
            prompt,
            cwd,
            timeoutMs: Math.min(agent.timeoutSeconds, config.globalTimeout) * 1000,
            graceMs: config.killGraceSeconds * 1000,
            logPath: log,
            signal: stopping.signal,
          });
        } finally {
          slots.release(agent.id);
          wake();
        }
        phaseRec.exit_code = result.exitCode;
        if (result.aborted || stopping.signal.aborted) throw new Halt("stopped");
        let verdict: Awaited<ReturnType<typeof accept>>;
        if (result.exitCode === 0 && !result.timedOut && result.spawnError === null) {
          verdict = await accept(result, agent);
        } else {
          const failureClass = result.spawnError !== null ? "general" : classifyFailure({ agentId: agent.id, ...result });
          verdict = {
            ok: false,
            failureClass,
            message:
              result.spawnError ??
              (result.timedOut
                ? `${agent.id} timed out after ${Math.min(agent.timeoutSeconds, config.globalTimeout)} s`
                : `${agent.id} exited ${result.exitCode ?? "by signal"}: ${(result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" | ").slice(0, 500)}`),
          };
        }
        if (verdict.ok) {
          phaseRec.completed = iso();
          save();
          change("agent_finished", { wp_id: rec.wp_id, phase, agent: agent.id, ok: true });
          return { value: verdict.value, agent };
        }
        lastClass = verdict.failureClass ?? "general";
        lastMessage = verdict.message;
        rec.last_error = verdict.message;
        rec.failure_class = lastClass;
        save();
        change("agent_failed", { wp_id: rec.wp_id, phase, agent: agent.id, failure_class: lastClass, message: verdict.message });
        if (!isRetryable(lastClass) || attempts >= config.maxRetries) break;
        attempts += 1;
        phaseRec.retries += 1;
        save();
        const delay = Math.min(60_000, config.retryBackoffSeconds * 1000 * 2 ** (attempts - 1));
        change("retry", { wp_id: rec.wp_id, phase, agent: agent.id, attempt: attempts, delay_ms: delay });
        await sleep(delay, stopping.signal);
      }
      const fallback = nextFallback(phase, rec.fallback_agents_tried, agent.id, avoid);
      if (fallback === undefined) {
        escalate(rec, `${phase} of ${rec.wp_id} failed (${lastClass}): ${lastMessage}`, lastClass);
      }
      rec.fallback_agents_tried.push(agent.id);
      change("fallback", { wp_id: rec.wp_id, phase, from: agent.id, to: (fallback as AgentConfig).id });
      agent = fallback as AgentConfig;
    }
  };

  const completeWp = (rec: WpRecord): void => {
    rec.status = "completed";
    rec.escalation = null;
    rec.last_error = null;
    recount();
    for (const dependent of directDependents(plan.graph, rec.wp_id)) {
      const key = `${dependent}<-${rec.wp_id}`;
      if (state.dependencies_resolved.includes(key)) continue;
      state.dependencies_resolved.push(key);
      report(dependencyResolvedFact({ wpId: dependent, dependencyWpId: rec.wp_id, resolutionType: "completed" }));
    }
    save();
    change("wp_completed", { wp_id: rec.wp_id });
  };

  /** One work package from wherever its lane is to approved (or an escalation, or a stop). */
  const processWp = async (wpId: string): Promise<void> => {
    const rec = record(wpId);
    rec.escalation = null;
    let workspace: Workspace | null = null;
    const implementer = (): AgentConfig => {
      const chosen = (rec.implementation.agent === null ? undefined : agentById(rec.implementation.agent)) ?? pickImplementer();
      if (chosen === undefined) return escalate(rec, "no agent is configured for implementation");
      return chosen;
    };
    const ensureWorkspace = async (): Promise<Workspace> => {
      if (workspace !== null) return workspace;
      const depsOf = plan.graph[wpId] ?? [];
      const agent = implementer();
      try {
        const next = preparing.then(() => deps.workspaces.prepare({ wpId, base: depsOf.length === 1 ? depsOf[0] : undefined, actor: agent.id }));
        preparing = next.catch(() => undefined);
        workspace = await next;
      } catch (error) {
        return escalate(rec, `cannot prepare the workspace of ${wpId}: ${error instanceof Error ? error.message : String(error)}`);
      }
      rec.worktree_path = workspace.path;
      rec.branch = workspace.branch;
      save();
      return workspace;
    };

    for (let guard = 0; guard < 1000; guard += 1) {
      checkStop();
      const lane = await laneOf(wpId);
      if (lane === "approved" || lane === "done") {
        completeWp(rec);
        return;
      }
      if (lane === "uninitialized" || lane === "genesis") return escalate(rec, `${wpId} is not finalized (lane ${lane}); run 'spec-kitty agent mission finalize-tasks'`);
      if (lane === "blocked" || lane === "canceled") return escalate(rec, `${wpId} is ${lane}; move it back to in_progress (agent tasks move-task) or skip it`);
      if (lane === "planned" || lane === "claimed") {
        rec.status = "implementation";
        await ensureWorkspace();
        const after = await laneOf(wpId);
        if (after === "planned" || after === "claimed") return escalate(rec, `preparing the workspace of ${wpId} left it in lane ${after}`);
        change("lane", { wp_id: wpId, lane: after });
        continue;
      }
      if (lane === "in_progress") {
        const ws = await ensureWorkspace();
        if (rec.implementation.completed === null) {
          const first = implementer();
          const before = await deps.workspaces.head(ws);
          const prompt = implementationPrompt({
            wpId,
            missionSlug: plan.missionSlug,
            wpPrompt: plan.wpPrompt(wpId),
            workspacePath: ws.path,
            branch: ws.branch,
            reviewCycle: rec.review_cycles,
            feedback: rec.review.feedback,
          });
          await runPhase(rec, "implementation", first, prompt, ws.path, async (_result, agent) => {
            const after = await deps.workspaces.head(ws);
            return after !== before
              ? { ok: true, value: after }
              : { ok: false, message: `${agent.id} exited 0 but committed nothing on ${ws.branch} (implementation evidence missing)` };
          }, null);
          rec.implementations_completed += 1;
          save();
        }
        checkStop();
        await move(rec, { toLane: "for_review", actor: rec.implementation.agent ?? deps.actor ?? "orchestrator", implementationEvidencePresent: true });
        rec.status = "review";
        save();
        continue;
      }
      if (lane === "for_review" || lane === "in_review") {
        const ws = await ensureWorkspace();
        const reviewer = pickReviewer(rec.implementation.agent);
        if (reviewer === undefined) return escalate(rec, "no agent is configured for review");
        if (lane === "for_review") {
          await move(rec, { toLane: "in_review", actor: reviewer.id });
        }
        // A review run starts its own invocation retries and fallbacks.
        rec.review.retries = 0;
        rec.fallback_agents_tried = [];
        const prompt = reviewPrompt({ wpId, missionSlug: plan.missionSlug, wpPrompt: plan.wpPrompt(wpId), workspacePath: ws.path, branch: ws.branch, baseCommit: ws.baseCommit });
        const { value: verdict, agent } = await runPhase(
          rec,
          "review",
          reviewer,
          prompt,
          ws.path,
          async (result) => {
            const v = parseVerdict(result.stdout);
            return v.kind === "missing" ? { ok: false, message: `${v.message} (exit 0)` } : { ok: true, value: v };
          },
          rec.implementation.agent,
        );
        const cycle = rec.review_cycles + 1;
        if (verdict.kind === "approved") {
          const head = await deps.workspaces.head(ws);
          const reference = `orchestrate://${state.run_id}/${wpId}/review-${cycle}`;
          const review: ReviewResult = { reviewer: agent.id, verdict: "approved", reference };
          const evidence: DoneEvidence = { review, repos: [{ repo: plan.repoName, branch: ws.branch, commit: head }] };
          await move(rec, { toLane: "approved", actor: agent.id, reviewResult: review, evidence, reviewRef: reference });
          rec.approved_commit = head;
          rec.review.feedback = null;
          completeWp(rec);
          return;
        }
        if (verdict.kind !== "rejected") return escalate(rec, "review gave no verdict");
        rec.review_cycles = cycle;
        rec.review.feedback = verdict.feedback;
        const reference = `feedback://${plan.missionDir}/${wpId}/review-${cycle}`;
        const review: ReviewResult = { reviewer: agent.id, verdict: "rejected", reference };
        await move(rec, { toLane: "in_progress", actor: agent.id, reviewResult: review, reviewRef: reference, reason: verdict.reason });
        rec.implementation.completed = null;
        rec.implementation.retries = 0;
        rec.fallback_agents_tried = [];
        rec.status = "rework";
        save();
        change("wp_rejected", { wp_id: wpId, reviewer: agent.id, review_cycle: cycle, reason: verdict.reason });
        if (rec.review_cycles >= config.maxReviewCycles) {
          return escalate(rec, `${wpId} was rejected ${rec.review_cycles} times (max_review_cycles ${config.maxReviewCycles}); last reason: ${verdict.reason}`);
        }
        continue;
      }
      return escalate(rec, `${wpId} is in an unexpected lane '${lane}'`);
    }
    escalate(rec, `${wpId} did not settle after 1000 steps`);
  };

  const isSatisfied = (wpId: string): boolean => {
    const s = state.work_packages[wpId]?.status;
    return s === "completed" || s === "skipped";
  };
  const ready = (): string[] =>
    topologicalOrder(plan.graph).filter((wpId) => {
      const rec = record(wpId);
      if (running.has(wpId)) return false;
      if (rec.status === "completed" || rec.status === "skipped" || rec.status === "failed") return false;
      return (plan.graph[wpId] ?? []).every(isSatisfied);
    });

  const loop = async (): Promise<OrchestrationState> => {
    state.status = "running";
    state.pid = process.pid;
    for (const wpId of Object.keys(plan.graph).sort(byId)) record(wpId);
    state.wps_total = Object.keys(plan.graph).length;
    recount();
    save();
    change("run_started", { run_id: state.run_id, wps_total: state.wps_total, concurrency_limit: limit });
    for (;;) {
      if (!escalated && !pausing.signal.aborted && !stopping.signal.aborted) {
        for (const wpId of ready()) {
          if (running.size >= limit) break;
          const task = processWp(wpId)
            .catch((error: unknown) => {
              if (error instanceof Halt) return;
              const rec = record(wpId);
              try {
                escalate(rec, `internal error while processing ${wpId}: ${error instanceof Error ? error.message : String(error)}`);
              } catch {
                // escalate always throws Halt
              }
            })
            .finally(() => {
              running.delete(wpId);
              wake();
            });
          running.set(wpId, task);
          if (running.size > state.parallel_peak) state.parallel_peak = running.size;
        }
      }
      if (running.size === 0) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        for (const t of running.values()) void t.then(resolve);
      });
    }
    recount();
    const all = Object.values(state.work_packages);
    const allCompleted = all.every((w) => w.status === "completed");
    const allSettled = all.every((w) => w.status === "completed" || w.status === "skipped");
    state.status = allSettled ? "completed" : "paused";
    state.pid = null;
    if (allSettled) {
      state.completed_at = iso();
      state.total_duration_seconds = Math.round((Date.parse(state.completed_at) - Date.parse(state.started_at)) / 100) / 10;
    }
    // MissionClosed needs the mission's number (≥ 1); a mission that has none yet gets it, and the event, at merge.
    if (allCompleted && deps.closeMission !== false && !state.mission_closed_emitted && plan.missionNumber !== null) {
      state.mission_closed_emitted = true;
      report(missionClosedFact({ missionId: plan.missionId, missionSlug: plan.missionSlug, missionNumber: plan.missionNumber, missionType: plan.missionType }));
    }
    save();
    change("run_finished", { status: state.status, wps_completed: state.wps_completed, wps_failed: state.wps_failed, total_duration_seconds: state.total_duration_seconds });
    return state;
  };

  return {
    pause: () => {
      pausing.abort();
      wake();
    },
    stop: () => {
      pausing.abort();
      stopping.abort();
      wake();
    },
    done: loop(),
  };
};
