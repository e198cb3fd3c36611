import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runtimeError } from "../errors.ts";
import { AUDIT_PREFIX, type NextDecision } from "../planner/decision.ts";
import { findStep, planNext } from "../planner/planner.ts";
import { actorIdentity, DEFAULT_POLICY, type MissionRunRef, type MissionRunSnapshot, type PolicySnapshot, refOf } from "../snapshot/model.ts";
import { readSnapshotFile, writeSnapshotFile } from "../snapshot/store.ts";
import type { LoadedTemplate, MissionTemplate } from "../template/types.ts";
import { defaultPorts, type EnginePorts, FROZEN_TEMPLATE_FILE, liveTemplateHash, readFrozenTemplate, sha256Hex } from "./run-files.ts";
import { appendRows, hasCompleted, type RunLogRow } from "./side-log.ts";
import { evaluateSignificance, MEDIUM_OPTIONS } from "./significance.ts";
import { logTimestamp, modelTimestamp } from "./time.ts";

export type StepResult = "success" | "failed" | "blocked";
export const STEP_RESULTS: ReadonlyArray<StepResult> = ["success", "failed", "blocked"];

export interface StartOptions {
  readonly template: LoadedTemplate;
  /** Folder holding run folders (`<repo>/.kittify/runtime/runs`). */
  readonly runStore: string;
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly policy?: PolicySnapshot;
  readonly missionId: string | null;
  readonly missionSlug: string | null;
}

/**
 * Starts a run: a new run folder with the frozen template, its hash, the initial state and a MissionRunStarted row.
 * Throws MissionRuntimeError.
 */
export const startRun = (options: StartOptions, ports: EnginePorts = defaultPorts): MissionRunRef => {
  const runId = ports.newRunId();
  const runDir = join(options.runStore, runId);
  try {
    mkdirSync(options.runStore, { recursive: true });
    mkdirSync(runDir);
  } catch (e) {
    throw runtimeError("RUN_DIR_EXISTS", `${runDir}: cannot create run folder: ${(e as Error).message}`, runDir);
  }
  writeFileSync(join(runDir, FROZEN_TEMPLATE_FILE), options.template.text);
  const key = options.template.template.mission.key;
  const snapshot: MissionRunSnapshot = {
    run_id: runId,
    mission_key: key,
    template_path: options.template.path,
    template_hash: sha256Hex(options.template.text),
    policy_snapshot: options.policy ?? DEFAULT_POLICY,
    completed_steps: [],
    issued_step_id: null,
    inputs: { ...(options.inputs ?? {}) },
    decisions: {},
    pending_decisions: {},
    blocked_reason: null,
    mission_id: options.missionId,
    mission_slug: options.missionSlug,
  };
  writeSnapshotFile(runDir, snapshot);
  const row = logRow(ports, "MissionRunStarted", { run_id: runId, mission_type: key, actor: actorIdentity("system", "service") });
  appendRows(runDir, [row], ports.emitter);
  return refOf(snapshot, runDir);
};

export interface NextOptions {
  readonly agentId: string;
  /** Outcome of the issued step; ignored when no step is issued. */
  readonly result?: StepResult;
  readonly policy?: PolicySnapshot;
  readonly actorContext?: Readonly<Record<string, unknown>>;
}

/**
 * Records the issued step's result, plans the next decision and persists it: issues a step, requests a decision
 * (once), or reports blocked/terminal. MissionRunCompleted is written the first time the run is seen terminal.
 */
export const nextStep = (ref: MissionRunRef, options: NextOptions, ports: EnginePorts = defaultPorts): NextDecision => {
  const before = readSnapshotFile(ref.run_dir);
  const template = readFrozenTemplate(ref.run_dir, before.mission_key);
  const policy = options.policy ?? before.policy_snapshot;
  const agent = actorIdentity(options.agentId, "llm");
  const rows: Array<RunLogRow> = [];
  let s: MissionRunSnapshot = before;

  if (s.issued_step_id !== null) {
    const stepId = s.issued_step_id;
    const result = options.result ?? "success";
    s =
      result === "success"
        ? { ...s, completed_steps: [...s.completed_steps, stepId], issued_step_id: null }
        : {
            ...s,
            issued_step_id: null,
            blocked_reason:
              result === "failed" ? `Previous step '${stepId}' failed; manual intervention required.` : `Previous step '${stepId}' reported blocked state.`,
          };
    rows.push(logRow(ports, "NextStepAutoCompleted", { run_id: s.run_id, step_id: stepId, agent_id: options.agentId, result, actor: agent }));
  }

  const plan = { liveTemplateHash: liveTemplateHash(s.template_path), actorContext: options.actorContext ?? {} };
  let decision = planNext(s, template, policy, plan);
  // A low-significance audit completes itself; keep planning until something else comes up.
  for (;;) {
    const evaluated = evaluateAudit(s, template, decision, ports, rows);
    s = evaluated.snapshot;
    if (!evaluated.autoCompleted) {
      decision = evaluated.decision;
      break;
    }
    decision = planNext(s, template, policy, plan);
  }

  if (decision.kind === "step" && decision.step_id !== null) {
    const step = template.steps.find((p) => p.id === decision.step_id);
    const raci = step?.raci ? { [`raci:${step.id}`]: { source: "explicit", override_reason: step.raci_override_reason, raci: step.raci } } : {};
    s = { ...s, issued_step_id: decision.step_id, decisions: { ...s.decisions, ...raci } };
    rows.push(logRow(ports, "NextStepIssued", { run_id: s.run_id, step_id: decision.step_id, agent_id: options.agentId, actor: agent }));
  } else if (decision.kind === "decision_required" && decision.decision_id !== null && !(decision.decision_id in s.pending_decisions)) {
    const request = {
      decision_id: decision.decision_id,
      step_id: decision.step_id ?? "",
      question: decision.question ?? "",
      options: [...(decision.options ?? [])],
      requested_by: agent,
      requested_at: modelTimestamp(ports.clock()),
    };
    s = { ...s, pending_decisions: { ...s.pending_decisions, [decision.decision_id]: request } };
    rows.push(
      logRow(ports, "DecisionInputRequested", {
        run_id: s.run_id,
        decision_id: request.decision_id,
        step_id: request.step_id,
        question: request.question,
        options: request.options,
        input_key: decision.input_key,
        actor: agent,
      }),
    );
  } else if (decision.kind === "terminal" && !hasCompleted(ref.run_dir)) {
    rows.push(logRow(ports, "MissionRunCompleted", { run_id: s.run_id, mission_type: s.mission_key, actor: agent }));
  }

  writeSnapshotFile(ref.run_dir, s);
  appendRows(ref.run_dir, rows, ports.emitter);
  return decision;
};

/** Reads a run's current state. */
export const readRun = (ref: MissionRunRef): MissionRunSnapshot => readSnapshotFile(ref.run_dir);

/** A handle on the run stored in `runDir`. */
export const openRun = (runDir: string): MissionRunRef => refOf(readSnapshotFile(runDir), runDir);

export const logRow = (ports: EnginePorts, event_type: RunLogRow["event_type"], payload: Record<string, unknown>): RunLogRow => ({
  event_type,
  timestamp: logTimestamp(ports.clock()),
  payload,
});

interface Evaluated {
  readonly snapshot: MissionRunSnapshot;
  readonly decision: NextDecision;
  readonly autoCompleted: boolean;
}

/** Scores an audit checkpoint that has a significance block, the first time it comes up. */
const evaluateAudit = (
  s: MissionRunSnapshot,
  template: MissionTemplate,
  decision: NextDecision,
  ports: EnginePorts,
  rows: Array<RunLogRow>,
): Evaluated => {
  const id = decision.decision_id;
  if (decision.kind !== "decision_required" || id === null || !id.startsWith(AUDIT_PREFIX) || id in s.pending_decisions)
    return { snapshot: s, decision, autoCompleted: false };
  const step = findStep(template, id.slice(AUDIT_PREFIX.length));
  if (step === undefined || !("audit" in step) || step.significance === null) return { snapshot: s, decision, autoCompleted: false };
  const record = evaluateSignificance(id, step.id, step.significance);
  const next: MissionRunSnapshot = { ...s, decisions: { ...s.decisions, [`significance:${id}`]: record } };
  rows.push(
    logRow(ports, "SignificanceEvaluated", {
      run_id: s.run_id,
      decision_id: id,
      step_id: step.id,
      composite_score: record.composite_score,
      band: record.effective_band.name,
      hard_triggers: record.hard_triggers,
    }),
  );
  if (record.effective_band.name === "low") return { snapshot: { ...next, completed_steps: [...next.completed_steps, step.id] }, decision, autoCompleted: true };
  if (record.effective_band.name === "medium") return { snapshot: next, decision: { ...decision, options: [...MEDIUM_OPTIONS] }, autoCompleted: false };
  return { snapshot: next, decision, autoCompleted: false };
};
