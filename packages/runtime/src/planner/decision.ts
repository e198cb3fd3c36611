import type { PolicySnapshot } from "../snapshot/model.ts";

export type DecisionKind = "step" | "decision_required" | "blocked" | "terminal";

/** Everything an agent needs to carry out one step. */
export interface StepContextBundle {
  readonly run_id: string;
  readonly mission_key: string;
  readonly step_id: string;
  readonly step_title: string;
  readonly step_description: string;
  readonly expected_output: string | null;
  readonly prompt_template: string | null;
  readonly policy_snapshot: PolicySnapshot;
  readonly actor_context: Readonly<Record<string, unknown>>;
}

/** What the run wants next. Fields that do not apply to a kind are null (the reference's flat shape). */
export interface NextDecision {
  readonly kind: DecisionKind;
  readonly run_id: string;
  readonly mission_key: string;
  readonly step_id: string | null;
  readonly step_title: string | null;
  readonly prompt: string | null;
  readonly context: StepContextBundle | null;
  readonly decision_id: string | null;
  readonly input_key: string | null;
  readonly question: string | null;
  readonly options: ReadonlyArray<string> | null;
  readonly reason: string | null;
}

export const REASONS = {
  templateDrift: "Template changed during active run. Migration required.",
  unmetDependencies: "No eligible steps: remaining steps have unmet dependencies.",
  allCompleted: "All mission steps completed",
  pendingDecision: "pending_decision",
  missingInput: "missing_required_input",
} as const;

export const INPUT_PREFIX = "input:";
export const AUDIT_PREFIX = "audit:";
