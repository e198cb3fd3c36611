import { runtimeError } from "../errors.ts";
import { AUDIT_PREFIX, INPUT_PREFIX } from "../planner/decision.ts";
import { planNext } from "../planner/planner.ts";
import type { ActorIdentity, MissionRunRef, MissionRunSnapshot } from "../snapshot/model.ts";
import { readSnapshotFile, writeSnapshotFile } from "../snapshot/store.ts";
import { logRow } from "./engine.ts";
import { defaultPorts, type EnginePorts, readFrozenTemplate } from "./run-files.ts";
import { appendRows, hasCompleted, type RunLogRow } from "./side-log.ts";
import { HIGH_OPTIONS, MEDIUM_OPTIONS, recordedBand } from "./significance.ts";
import { modelTimestamp } from "./time.ts";

export interface AnswerOptions {
  readonly decisionId: string;
  readonly answer: string;
  readonly actor: ActorIdentity;
}

/** Why an answer was refused; `denied` refusals are also written to the side log as DecisionAuthorityDenied. */
export type Refusal = { readonly kind: "not_found" | "invalid" | "denied" | "not_delegated"; readonly message: string };

/**
 * Answers a pending decision. Audit checkpoints (`audit:<step>`) take only the human whose id is the run's
 * `mission_owner_id` input; an LLM answers other decisions only with a delegation that carries a rationale.
 * Throws MissionRuntimeError (DECISION_NOT_FOUND, DECISION_AUTHORITY_DENIED, DECISION_ANSWER_INVALID) and then
 * leaves the state untouched. When the answer finishes the run, MissionRunCompleted is written (once per run).
 */
export const answerDecision = (ref: MissionRunRef, options: AnswerOptions, ports: EnginePorts = defaultPorts): MissionRunSnapshot => {
  const s = readSnapshotFile(ref.run_dir);
  const outcome = applyAnswer(s, options, modelTimestamp(ports.clock()));
  if (!outcome.ok) {
    if (outcome.refusal.kind === "denied")
      appendRows(ref.run_dir, [logRow(ports, "DecisionAuthorityDenied", outcome.denial)], ports.emitter);
    throw runtimeError(codeOf(outcome.refusal.kind), outcome.refusal.message, ref.run_dir);
  }
  const next = outcome.snapshot;
  const rows: Array<RunLogRow> = [
    logRow(ports, "DecisionInputAnswered", { run_id: s.run_id, decision_id: options.decisionId, answer: options.answer, actor: options.actor }),
  ];
  // The reference only announces completion after a step result; a run whose last act is an answer completes here.
  const template = readFrozenTemplate(ref.run_dir, s.mission_key);
  if (planNext(next, template, next.policy_snapshot).kind === "terminal" && !hasCompleted(ref.run_dir))
    rows.push(logRow(ports, "MissionRunCompleted", { run_id: s.run_id, mission_type: s.mission_key, actor: options.actor }));
  writeSnapshotFile(ref.run_dir, next);
  appendRows(ref.run_dir, rows, ports.emitter);
  return next;
};

type Outcome =
  | { readonly ok: true; readonly snapshot: MissionRunSnapshot }
  | { readonly ok: false; readonly refusal: Refusal; readonly denial: Record<string, unknown> };

const codeOf = (kind: Refusal["kind"]) =>
  kind === "not_found" ? "DECISION_NOT_FOUND" : kind === "invalid" ? "DECISION_ANSWER_INVALID" : "DECISION_AUTHORITY_DENIED";

const refuse = (kind: Refusal["kind"], message: string, denial: Record<string, unknown> = {}): Outcome => ({ ok: false, refusal: { kind, message }, denial });

const pyList = (items: ReadonlyArray<string>): string => `[${items.map((i) => `'${i}'`).join(", ")}]`;

const raciOf = (s: MissionRunSnapshot, stepId: string | null): { source: unknown; override_reason: unknown } | null => {
  if (stepId === null) return null;
  const rec = s.decisions[`raci:${stepId}`];
  if (typeof rec !== "object" || rec === null) return null;
  const r = rec as Record<string, unknown>;
  return { source: r["source"] ?? null, override_reason: r["override_reason"] ?? null };
};

/** Validates and applies an answer to a snapshot. Pure. */
export const applyAnswer = (s: MissionRunSnapshot, o: AnswerOptions, answeredAt: string): Outcome => {
  const id = o.decisionId;
  const request = s.pending_decisions[id];
  if (request === undefined) return refuse("not_found", `Decision '${id}' not found in pending_decisions for run '${s.run_id}'`);
  if (o.answer.trim() === "") return refuse("invalid", `Answer for decision '${id}' must not be empty`);
  const isAudit = id.startsWith(AUDIT_PREFIX);
  const raci = raciOf(s, isAudit ? id.slice(AUDIT_PREFIX.length) : s.issued_step_id);
  let authorityRole: string;
  let rationale: string | null = null;

  if (isAudit) {
    const owner = s.inputs["mission_owner_id"];
    const denial = (reason: string) =>
      refuse("denied", reason, {
        run_id: s.run_id,
        decision_id: id,
        actor_id: o.actor.actor_id,
        actor_type: o.actor.actor_type,
        authority_role: "mission_owner",
        rationale_linkage: null,
        reason,
        raci_source: raci?.source ?? null,
        override_reason: raci?.override_reason ?? null,
      });
    if (o.actor.actor_type !== "human") return denial("Audit decisions require a human actor");
    if (typeof owner !== "string" || owner === "") return denial("Audit decisions require mission_owner_id to be set in inputs");
    if (owner !== o.actor.actor_id) return denial(`Audit decisions require mission owner '${owner}'`);
    const band = recordedBand(s.decisions, id);
    if (band === "medium" && !(MEDIUM_OPTIONS as ReadonlyArray<string>).includes(o.answer))
      return refuse("invalid", `Medium-band decision requires one of ${pyList([...MEDIUM_OPTIONS].sort())}, got: '${o.answer}'`);
    if (band === "high" && !(HIGH_OPTIONS as ReadonlyArray<string>).includes(o.answer))
      return refuse("invalid", `High-band decision requires one of {'approve', 'reject'}, got: '${o.answer}'`);
    if (band === null && !(HIGH_OPTIONS as ReadonlyArray<string>).includes(o.answer))
      return refuse("invalid", `Invalid audit answer '${o.answer}': must be 'approve' or 'reject'`);
    authorityRole = "mission_owner";
  } else {
    if (request.options.length > 0 && !request.options.includes(o.answer))
      return refuse("invalid", `Invalid answer '${o.answer}' for decision '${id}': must be one of ${pyList(request.options)}`);
    authorityRole = o.actor.actor_type;
    if (o.actor.actor_type === "llm") {
      const delegations = s.inputs["llm_delegations"];
      const table = typeof delegations === "object" && delegations !== null ? (delegations as Record<string, unknown>) : {};
      const record = table[id] ?? table["*"];
      if (typeof record !== "object" || record === null)
        return refuse("not_delegated", `LLM actor '${o.actor.actor_id}' is not delegated for decision '${id}'`);
      const r = record as Record<string, unknown>;
      const link = r["rationale_linkage"];
      if (typeof link !== "string" || link.trim() === "")
        return refuse("not_delegated", `LLM delegation for decision '${id}' must include non-empty rationale_linkage`);
      rationale = link.trim();
      authorityRole = typeof r["authority_role"] === "string" ? r["authority_role"] : "delegated_llm";
    }
  }

  const answerRecord: Record<string, unknown> = {
    decision_id: id,
    answer: o.answer,
    answered_by: o.actor,
    answered_at: answeredAt,
    actor_id: o.actor.actor_id,
    actor_type: o.actor.actor_type,
    authority_role: authorityRole,
    rationale_linkage: rationale,
    ...(raci === null ? {} : { raci_source: raci.source, override_reason: raci.override_reason }),
  };
  const { [id]: _answered, ...rest } = s.pending_decisions;
  let next: MissionRunSnapshot = { ...s, pending_decisions: rest, decisions: { ...s.decisions, [id]: answerRecord } };

  if (isAudit) {
    const stepId = id.slice(AUDIT_PREFIX.length);
    const soft = (outcome: string | null) => ({
      [`soft_gate:${id}`]: { decision_id: id, action: o.answer, outcome, actor: { actor_type: o.actor.actor_type, actor_id: o.actor.actor_id } },
    });
    if (o.answer === "approve") next = { ...next, completed_steps: [...next.completed_steps, stepId] };
    else if (o.answer === "decide_solo")
      next = { ...next, completed_steps: [...next.completed_steps, stepId], decisions: { ...next.decisions, ...soft("decide_solo") } };
    else if (o.answer === "reject") next = { ...next, blocked_reason: `Audit step '${stepId}' rejected by ${o.actor.actor_id}` };
    else next = { ...next, pending_decisions: { ...next.pending_decisions, [id]: request }, decisions: { ...next.decisions, ...soft(null) } };
  } else if (id.startsWith(INPUT_PREFIX)) {
    next = { ...next, inputs: { ...next.inputs, [id.slice(INPUT_PREFIX.length)]: o.answer } };
  }
  return { ok: true, snapshot: next };
};
