import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import {
  abortOrchestration,
  orchestrationStatus,
  prepareOrchestration,
  skipWorkPackage,
  type OrchestrationChange,
  type OrchestrationState,
  type WpRecord,
} from "@spec-kitty/workflow";
import type { CommandSpec } from "../direct/parse.ts";
import { DomainFailure, UsageFailure } from "../failure.ts";
import { commandEmission } from "../emission.ts";
import { CliIO, printJson, printLine } from "../io.ts";
import { defaultActor, runWorkflow } from "./workflow-run.ts";

/** What `spec-kitty orchestrate` is given (the @effect/cli definition in orchestrate.ts parses the same). */
export interface OrchestrateConfig {
  readonly mission: Option.Option<string>;
  readonly implAgent: Option.Option<string>;
  readonly reviewAgent: Option.Option<string>;
  readonly maxParallel: Option.Option<string>;
  readonly merge: boolean;
  readonly json: boolean;
  readonly status: boolean;
  readonly resume: boolean;
  readonly abort: boolean;
  readonly cleanup: boolean;
  readonly skip: Option.Option<string>;
}

export const orchestrateSpec: CommandSpec = {
  positionals: [],
  options: {
    mission: { kind: "text", flag: "mission" },
    implAgent: { kind: "text", flag: "impl-agent" },
    reviewAgent: { kind: "text", flag: "review-agent" },
    maxParallel: { kind: "text", flag: "max-parallel" },
    merge: { kind: "flag", flag: "merge" },
    json: { kind: "flag", flag: "json" },
    status: { kind: "flag", flag: "status" },
    resume: { kind: "flag", flag: "resume" },
    abort: { kind: "flag", flag: "abort" },
    cleanup: { kind: "flag", flag: "cleanup" },
    skip: { kind: "text", flag: "skip" },
  },
};

/** Waiting for a stopped run to save and end is bounded; past it the process exits anyway (state is saved per change). */
const STOP_DEADLINE_MS = 30_000;

export const runOrchestrate = (o: OrchestrateConfig) => Effect.scoped(orchestrate(o));

const orchestrate = (o: OrchestrateConfig) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const modes = [Option.isSome(o.mission) && !o.resume ? "--mission" : null, o.status ? "--status" : null, o.resume ? "--resume" : null, o.abort ? "--abort" : null, Option.isSome(o.skip) ? "--skip" : null].filter(
      (m): m is string => m !== null,
    );
    if (modes.length !== 1) {
      return yield* new UsageFailure({
        message: modes.length === 0 ? "nothing to do: give --mission HANDLE to start, or --status, --resume, --abort, --skip WPnn" : `only one of --mission, --status, --resume, --abort, --skip can be used (got ${modes.join(", ")})`,
        hint: "run 'spec-kitty orchestrate --help'",
      });
    }
    if (o.cleanup && !o.abort) return yield* new UsageFailure({ message: "--cleanup goes with --abort" });
    if (o.merge && !(Option.isSome(o.mission) || o.resume)) return yield* new UsageFailure({ message: "--merge goes with --mission or --resume" });
    let maxParallel: number | undefined;
    if (Option.isSome(o.maxParallel)) {
      const n = Number(o.maxParallel.value);
      if (!/^\d+$/.test(o.maxParallel.value) || n < 1) return yield* new UsageFailure({ message: `--max-parallel must be a whole number ≥ 1 (got '${o.maxParallel.value}')` });
      maxParallel = n;
    }
    const quiet = commandEmission(io);
    if (o.status) {
      const { state, path, running } = yield* runWorkflow(async () => orchestrationStatus(io.cwd), { json: o.json, emitter: quiet.workflowEmitter });
      if (o.json) return yield* printJson(state === null ? { orchestration: null } : { ...state, live: running, state_file: path });
      if (state === null) return yield* printLine("No orchestration in progress");
      for (const line of statusLines(state, running, Date.now())) yield* printLine(line);
      return;
    }
    if (o.abort) {
      const { state, removedWorktrees } = yield* runWorkflow(() => abortOrchestration(io.cwd, { cleanup: o.cleanup }), { json: o.json, emitter: quiet.workflowEmitter });
      if (o.json) return yield* printJson({ aborted: true, run_id: state.run_id, mission: state.mission_dir, removed_worktrees: removedWorktrees });
      yield* printLine(`Orchestration of ${state.mission_dir} aborted (run ${state.run_id}).${removedWorktrees.length > 0 ? ` Removed ${removedWorktrees.length} worktree(s).` : ""}`);
      return;
    }
    if (Option.isSome(o.skip)) {
      const wpId = o.skip.value;
      const existing = yield* runWorkflow(async () => orchestrationStatus(io.cwd), { json: o.json, emitter: quiet.workflowEmitter });
      const emission = commandEmission(io, undefined, existing.state === null ? {} : { correlationId: existing.state.correlation_id });
      yield* Effect.addFinalizer(() => Effect.promise(() => emission.settle()));
      const state = yield* runWorkflow(() => skipWorkPackage(io.cwd, wpId, emission.workflowEmitter), { json: o.json, emitter: emission.workflowEmitter, context: { wpId } });
      if (o.json) return yield* printJson({ skipped: wpId, status: state.status, work_packages: summary(state) });
      yield* printLine(`${wpId} skipped: its dependents may start. Continue with 'spec-kitty orchestrate --resume'.`);
      return;
    }

    const prepared = yield* runWorkflow(
      () =>
        prepareOrchestration({
          cwd: io.cwd,
          mode: o.resume ? "resume" : "start",
          ...(Option.isSome(o.mission) ? { mission: o.mission.value } : {}),
          ...(Option.isSome(o.implAgent) ? { implAgent: o.implAgent.value } : {}),
          ...(Option.isSome(o.reviewAgent) ? { reviewAgent: o.reviewAgent.value } : {}),
          ...(maxParallel === undefined ? {} : { maxParallel }),
          ...(o.merge ? { merge: true } : {}),
          actor: defaultActor(undefined),
        }),
      { json: o.json, emitter: quiet.workflowEmitter },
    );
    // Every event of the run shares its correlation id, also across --resume.
    const emission = commandEmission(io, prepared.mission.repo.mainRoot, { correlationId: prepared.correlationId });
    yield* Effect.addFinalizer(() => Effect.promise(() => emission.settle()));
    if (prepared.generatedConfig !== null) io.stderr(`wrote .kittify/agents.yaml from the agent CLIs found on PATH\n`);
    const view = progressView(io, o.json);
    const final = yield* runWorkflow(
      async () => {
        const control = await prepared.run({ emitter: emission.workflowEmitter, statusOptions: { postCommitHooks: emission.postCommitHooks }, onChange: view.change });
        let interrupts = 0;
        const onSignal = (signal: NodeJS.Signals): void => {
          interrupts += 1;
          if (interrupts === 1 && signal === "SIGINT") {
            io.stderr("\npausing: no new work starts; running agents finish first (Ctrl-C again to stop them now)\n");
            control.pause();
          } else {
            io.stderr("\nstopping: running agents are being stopped; their work packages restart on --resume\n");
            control.stop();
            setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
          }
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
        const ticker = setInterval(() => view.tick(), 1000);
        try {
          return await control.done;
        } finally {
          clearInterval(ticker);
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          view.close();
        }
      },
      { json: o.json, emitter: emission.workflowEmitter, context: { missionSlug: prepared.mission.slug } },
    );
    if (!o.json) for (const line of summaryLines(final)) yield* printLine(line);
    const allCompleted = Object.values(final.work_packages).every((w) => w.status === "completed");
    if (final.status === "completed" && allCompleted) return;
    const escalated = Object.values(final.work_packages).filter((w) => w.escalation !== null);
    const message =
      final.status === "completed"
        ? `orchestration finished with skipped work packages: ${Object.values(final.work_packages).filter((w) => w.status === "skipped").map((w) => w.wp_id).join(", ")}`
        : escalated.length > 0
          ? `orchestration paused: ${escalated.map((w) => `${w.wp_id}: ${w.escalation?.reason ?? ""}`).join("; ")}`
          : "orchestration paused";
    const hint = `continue with 'spec-kitty orchestrate --resume'${escalated[0] === undefined ? "" : `, skip with '--skip ${escalated[0].wp_id}'`}, or end it with '--abort'`;
    return yield* new DomainFailure(final.status === "completed" ? { message } : { message, hint });
  });

const summary = (state: OrchestrationState) => Object.fromEntries(Object.values(state.work_packages).map((w) => [w.wp_id, w.status]));

const elapsed = (fromIso: string | null, now: number): string => {
  if (fromIso === null) return "";
  const s = Math.max(0, Math.round((now - Date.parse(fromIso)) / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
};

const activePhase = (w: WpRecord): { phase: string; agent: string; since: string | null } =>
  w.status === "review"
    ? { phase: "review", agent: w.review.agent ?? "", since: w.review.started }
    : w.status === "implementation" || w.status === "rework"
      ? { phase: w.status, agent: w.implementation.agent ?? "", since: w.implementation.started }
      : { phase: w.status, agent: "", since: null };

/** The table: one row per work package (WP, status, phase, agent, elapsed) under a progress line. */
export const tableLines = (state: OrchestrationState, now: number): string[] => {
  const rows = Object.values(state.work_packages).map((w) => {
    const a = activePhase(w);
    const running = w.status === "implementation" || w.status === "review" || w.status === "rework";
    return [w.wp_id, w.status, running ? a.agent : w.status === "completed" ? (w.review.agent ?? "") : "", running ? elapsed(a.since, now) : "", w.escalation?.reason.slice(0, 60) ?? ""];
  });
  const header = ["WP", "STATUS", "AGENT", "ELAPSED", "NOTE"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [
    `orchestrate ${state.mission_dir}: ${state.wps_completed}/${state.wps_total} completed, ${state.wps_failed} failed, ${state.status} (elapsed ${elapsed(state.started_at, state.completed_at === null ? now : Date.parse(state.completed_at))})`,
    fmt(header),
    ...rows.map(fmt),
  ];
};

const statusLines = (state: OrchestrationState, running: boolean, now: number): string[] => {
  const by = (s: string) => Object.values(state.work_packages).filter((w) => w.status === s).map((w) => w.wp_id);
  const lines = [...tableLines(state, now)];
  if (state.status === "running" && !running) lines.push("the orchestrating process is gone (killed?): continue with 'spec-kitty orchestrate --resume'");
  lines.push(`completed: ${by("completed").join(", ") || "-"}`, `failed: ${by("failed").join(", ") || "-"}`, `pending: ${by("pending").join(", ") || "-"}`);
  for (const w of Object.values(state.work_packages)) if (w.escalation !== null) lines.push(`${w.wp_id} needs attention: ${w.escalation.reason}`, ...w.escalation.actions.map((a) => `  - ${a}`));
  return lines;
};

const summaryLines = (state: OrchestrationState): string[] => {
  const lines = [
    `orchestration ${state.status}: ${state.wps_completed}/${state.wps_total} work packages completed, ${state.wps_failed} failed`,
    `agent invocations: ${state.total_agent_invocations}, peak parallelism: ${state.parallel_peak}${state.total_duration_seconds === null ? "" : `, duration: ${state.total_duration_seconds.toFixed(1)}s`}`,
  ];
  for (const w of Object.values(state.work_packages)) if (w.escalation !== null) lines.push(`${w.wp_id} needs attention: ${w.escalation.reason}`, ...w.escalation.actions.map((a) => `  - ${a}`));
  if (state.merge_result !== undefined && state.merge_result !== null) {
    lines.push(`merge: ${state.merge_result.status}${state.merge_result.merged.length > 0 ? ` (${state.merge_result.merged.join(", ")})` : ""}`);
  }
  return lines;
};

/** How progress is shown: a table redrawn in place on a terminal, one line per change when piped, JSON with --json. */
export const progressView = (io: { stdout: (t: string) => void; isTTY: boolean }, json: boolean) => {
  let last: OrchestrationState | null = null;
  let drawn = 0;
  const redraw = (): void => {
    if (last === null) return;
    const lines = tableLines(last, Date.now());
    io.stdout(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ""}${lines.join("\n")}\n`);
    drawn = lines.length;
  };
  return {
    change: (c: OrchestrationChange, state: OrchestrationState): void => {
      last = state;
      if (json) io.stdout(`${JSON.stringify(c)}\n`);
      else if (io.isTTY) redraw();
      else io.stdout(`${progressLine(c)}\n`);
    },
    tick: (): void => {
      if (!json && io.isTTY) redraw();
    },
    close: (): void => {
      if (!json && io.isTTY) redraw();
    },
  };
};

export const progressLine = (c: OrchestrationChange): string => {
  const t = c.at.slice(11, 19);
  const wp = c.wp_id === undefined ? "" : `${c.wp_id} `;
  const f = c as Record<string, unknown>;
  switch (c.event) {
    case "run_started":
      return `${t} run ${String(f["run_id"])}: ${String(f["wps_total"])} work packages, up to ${String(f["concurrency_limit"])} at a time`;
    case "wp_assigned":
      return `${t} ${wp}${String(f["phase"])} assigned to ${String(f["agent"])}${Number(f["retry_count"]) > 0 ? ` (retry count ${String(f["retry_count"])})` : ""}`;
    case "agent_started":
      return `${t} ${wp}${String(f["phase"])} by ${String(f["agent"])} started (log ${String(f["log_file"])})`;
    case "agent_finished":
      return `${t} ${wp}${String(f["phase"])} by ${String(f["agent"])} finished`;
    case "lane":
      return `${t} ${wp}-> ${String(f["lane"])}`;
    case "agent_failed":
      return `${t} ${wp}${String(f["agent"])} failed (${String(f["failure_class"])}): ${String(f["message"])}`;
    case "retry":
      return `${t} ${wp}retrying ${String(f["agent"])} (attempt ${String(f["attempt"])})`;
    case "fallback":
      return `${t} ${wp}falling back from ${String(f["from"])} to ${String(f["to"])}`;
    case "wp_rejected":
      return `${t} ${wp}rejected by ${String(f["reviewer"])}: ${String(f["reason"])}`;
    case "wp_escalated":
      return `${t} ${wp}needs attention: ${String(f["reason"])}`;
    case "wp_completed":
      return `${t} ${wp}completed`;
    case "merge_started":
      return `${t} merging the approved work packages`;
    case "merge_finished":
      return `${t} merge ${String(f["status"])}`;
    case "merge_failed":
      return `${t} merge failed: ${String(f["message"])}`;
    case "run_finished":
      return `${t} run ${String(f["status"])}`;
    default:
      return `${t} ${wp}${c.event}`;
  }
};
