/** The mission template model: a YAML workflow of prompt steps and audit checkpoints. */

export type ActorType = "human" | "llm" | "service";

export interface RaciRole {
  readonly actor_type: ActorType;
  readonly actor_id: string | null;
}

export interface RaciAssignment {
  readonly responsible: RaciRole;
  readonly accountable: RaciRole;
  readonly consulted: ReadonlyArray<RaciRole>;
  readonly informed: ReadonlyArray<RaciRole>;
}

export interface PromptStep {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly depends_on: ReadonlyArray<string>;
  readonly prompt: string | null;
  readonly prompt_template: string | null;
  readonly expected_output: string | null;
  readonly requires_inputs: ReadonlyArray<string>;
  readonly agent_profile: string | null;
  readonly contract_ref: string | null;
  readonly raci: RaciAssignment | null;
  readonly raci_override_reason: string | null;
}

export const TRIGGER_MODES = ["manual", "post_merge", "both"] as const;
export type TriggerMode = (typeof TRIGGER_MODES)[number];
export const ENFORCEMENTS = ["advisory", "blocking"] as const;
export type Enforcement = (typeof ENFORCEMENTS)[number];

export const SIGNIFICANCE_DIMENSIONS = [
  "user_customer_impact",
  "architectural_system_impact",
  "data_security_compliance_impact",
  "operational_reliability_impact",
  "financial_commercial_impact",
  "cross_team_blast_radius",
] as const;
export type SignificanceDimension = (typeof SIGNIFICANCE_DIMENSIONS)[number];

export interface Significance {
  readonly dimensions: Readonly<Record<SignificanceDimension, number>>;
  readonly hard_triggers: ReadonlyArray<string>;
}

export interface AuditConfig {
  readonly trigger_mode: TriggerMode;
  readonly enforcement: Enforcement;
  readonly label: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface AuditStep {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly depends_on: ReadonlyArray<string>;
  readonly audit: AuditConfig;
  readonly significance: Significance | null;
}

export interface MissionHeader {
  readonly key: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
}

export interface MissionTemplate {
  readonly mission: MissionHeader;
  readonly steps: ReadonlyArray<PromptStep>;
  readonly audit_steps: ReadonlyArray<AuditStep>;
}

/** A template together with the bytes it was read from and where they came from. */
export interface LoadedTemplate {
  readonly template: MissionTemplate;
  /** The exact text of the template file; frozen into each run and hashed. */
  readonly text: string;
  /** Absolute file path, or a `builtin:` path for templates shipped inside the package. */
  readonly path: string;
}
