import { compareCodePoints } from "../json/python-json.ts";
import type { MissionRunSnapshot, PolicySnapshot } from "../snapshot/model.ts";
import type { AuditStep, MissionTemplate, PromptStep } from "../template/types.ts";
import { AUDIT_PREFIX, INPUT_PREFIX, type NextDecision, REASONS } from "./decision.ts";

export interface PlanOptions {
  /** sha256 of the live template; when it differs from the run's frozen hash the run is blocked. Null skips the check. */
  readonly liveTemplateHash?: string | null;
  readonly actorContext?: Readonly<Record<string, unknown>>;
}

/**
 * Decides what a run needs next. Pure and deterministic; the priority order is:
 * 1. a sticky blocked_reason; 2. template drift; 3. the pending decision with the smallest key;
 * 4. the first eligible step (steps in template order, then audit_steps); 5. blocked on dependencies, or terminal.
 */
export const planNext = (snapshot: MissionRunSnapshot, template: MissionTemplate, policy: PolicySnapshot, options: PlanOptions = {}): NextDecision => {
  const base = blank(snapshot);
  if (snapshot.blocked_reason !== null) return { ...base, kind: "blocked", reason: snapshot.blocked_reason };
  const live = options.liveTemplateHash ?? null;
  if (live !== null && live !== snapshot.template_hash) return { ...base, kind: "blocked", reason: REASONS.templateDrift };

  const pendingIds = Object.keys(snapshot.pending_decisions).sort(compareCodePoints);
  const firstPending = pendingIds[0];
  if (firstPending !== undefined) {
    const request = snapshot.pending_decisions[firstPending];
    const stepId = request?.step_id ?? null;
    return {
      ...base,
      kind: "decision_required",
      step_id: stepId,
      step_title: stepId === null ? null : (titleOf(template, stepId) ?? null),
      decision_id: firstPending,
      input_key: firstPending.startsWith(INPUT_PREFIX) ? firstPending.slice(INPUT_PREFIX.length) : null,
      question: request?.question ?? null,
      options: [...(request?.options ?? [])],
      reason: REASONS.pendingDecision,
    };
  }

  const done = new Set(snapshot.completed_steps);
  const eligible = (step: { id: string; depends_on: ReadonlyArray<string> }): boolean =>
    !done.has(step.id) && step.id !== snapshot.issued_step_id && step.depends_on.every((d) => done.has(d));
  const prompt = template.steps.find(eligible);
  if (prompt !== undefined) return planPromptStep(snapshot, prompt, policy, options, base);
  const audit = template.audit_steps.find(eligible);
  if (audit !== undefined) return planAuditStep(snapshot, audit, policy, options, base);

  const remaining = [...template.steps, ...template.audit_steps].some((s) => !done.has(s.id));
  return remaining ? { ...base, kind: "blocked", reason: REASONS.unmetDependencies } : { ...base, kind: "terminal", reason: REASONS.allCompleted };
};

/** The step (prompt or audit) with this id, if the template has one. */
export const findStep = (template: MissionTemplate, id: string): PromptStep | AuditStep | undefined =>
  template.steps.find((s) => s.id === id) ?? template.audit_steps.find((s) => s.id === id);

export const auditQuestion = (step: AuditStep): string => `Audit checkpoint: ${step.title}. Approve to continue?`;

export const defaultPrompt = (step: PromptStep): string => step.prompt ?? `Execute step '${step.id}': ${step.title}`;

const titleOf = (template: MissionTemplate, id: string): string | undefined => findStep(template, id)?.title;

const blank = (snapshot: MissionRunSnapshot): NextDecision => ({
  kind: "blocked",
  run_id: snapshot.run_id,
  mission_key: snapshot.mission_key,
  step_id: null,
  step_title: null,
  prompt: null,
  context: null,
  decision_id: null,
  input_key: null,
  question: null,
  options: null,
  reason: null,
});

const contextOf = (
  snapshot: MissionRunSnapshot,
  step: { id: string; title: string; description: string },
  extra: { expected_output: string | null; prompt_template: string | null },
  policy: PolicySnapshot,
  options: PlanOptions,
) => ({
  run_id: snapshot.run_id,
  mission_key: snapshot.mission_key,
  step_id: step.id,
  step_title: step.title,
  step_description: step.description,
  expected_output: extra.expected_output,
  prompt_template: extra.prompt_template,
  policy_snapshot: policy,
  actor_context: options.actorContext ?? {},
});

const planPromptStep = (snapshot: MissionRunSnapshot, step: PromptStep, policy: PolicySnapshot, options: PlanOptions, base: NextDecision): NextDecision => {
  const missing = step.requires_inputs.find((k) => !(k in snapshot.inputs) && !(k in snapshot.decisions));
  if (missing !== undefined)
    return {
      ...base,
      kind: "decision_required",
      step_id: step.id,
      step_title: step.title,
      decision_id: `${INPUT_PREFIX}${missing}`,
      input_key: missing,
      question: `Input required before step '${step.id}': provide value for '${missing}'.`,
      options: [],
      reason: REASONS.missingInput,
    };
  return {
    ...base,
    kind: "step",
    step_id: step.id,
    step_title: step.title,
    prompt: defaultPrompt(step),
    context: contextOf(snapshot, step, step, policy, options),
  };
};

const planAuditStep = (snapshot: MissionRunSnapshot, step: AuditStep, policy: PolicySnapshot, options: PlanOptions, base: NextDecision): NextDecision => {
  if (step.audit.enforcement === "blocking")
    return {
      ...base,
      kind: "decision_required",
      step_id: step.id,
      step_title: step.title,
      decision_id: `${AUDIT_PREFIX}${step.id}`,
      question: auditQuestion(step),
      options: ["approve", "reject"],
    };
  return {
    ...base,
    kind: "step",
    step_id: step.id,
    step_title: step.title,
    prompt: `Execute audit step '${step.id}': ${step.title}`,
    context: contextOf(snapshot, step, { expected_output: null, prompt_template: null }, policy, options),
  };
};

/**
 * The step decision for a step that is already issued (asking again returns the same step). Pure.
 * Null when the id is not a step the run could have issued.
 */
export const presentIssuedStep = (snapshot: MissionRunSnapshot, template: MissionTemplate, stepId: string, policy: PolicySnapshot, options: PlanOptions = {}): NextDecision | null => {
  const base = blank(snapshot);
  const prompt = template.steps.find((s) => s.id === stepId);
  if (prompt !== undefined)
    return { ...base, kind: "step", step_id: prompt.id, step_title: prompt.title, prompt: defaultPrompt(prompt), context: contextOf(snapshot, prompt, prompt, policy, options) };
  const audit = template.audit_steps.find((s) => s.id === stepId);
  if (audit === undefined) return null;
  return planAuditStep(snapshot, audit, policy, options, base);
};
