import type { ActorType } from "../template/types.ts";

/** The run's policy, persisted with the run (`policy_snapshot` in state.json). */
export interface PolicySnapshot {
  readonly strictness: "off" | "medium" | "max";
  readonly default_route: string;
  readonly extras: Readonly<Record<string, unknown>>;
}

export const DEFAULT_POLICY: PolicySnapshot = { strictness: "medium", default_route: "same_llm_context", extras: {} };

/** Who did something in a run; the wire shape of the events' runtime actor identity. */
export interface ActorIdentity {
  readonly actor_id: string;
  readonly actor_type: ActorType;
  readonly display_name: string;
  readonly provider: string | null;
  readonly model: string | null;
  readonly tool: string | null;
}

export const actorIdentity = (actor_id: string, actor_type: ActorType): ActorIdentity => ({
  actor_id,
  actor_type,
  display_name: "",
  provider: null,
  model: null,
  tool: null,
});

/** A decision the run waits for (an entry of `pending_decisions`). Extra keys read from disk are kept. */
export interface DecisionRequest {
  readonly decision_id: string;
  readonly step_id: string;
  readonly question: string;
  readonly options: ReadonlyArray<string>;
  readonly requested_by: ActorIdentity;
  readonly requested_at: string;
}

/**
 * The persisted state of one mission run (state.json). Field names are the wire names. `mission_id` and
 * `mission_slug` tie the run to its mission; files written before they existed read as null.
 */
export interface MissionRunSnapshot {
  readonly run_id: string;
  readonly mission_key: string;
  readonly template_path: string;
  readonly template_hash: string;
  readonly policy_snapshot: PolicySnapshot;
  readonly completed_steps: ReadonlyArray<string>;
  readonly issued_step_id: string | null;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly decisions: Readonly<Record<string, unknown>>;
  readonly pending_decisions: Readonly<Record<string, DecisionRequest>>;
  readonly blocked_reason: string | null;
  readonly mission_id: string | null;
  readonly mission_slug: string | null;
}

/** An in-memory handle on a run; never persisted by the engine. */
export interface MissionRunRef {
  readonly run_id: string;
  readonly run_dir: string;
  readonly mission_key: string;
  readonly mission_id: string | null;
  readonly mission_slug: string | null;
}

export const refOf = (snapshot: MissionRunSnapshot, runDir: string): MissionRunRef => ({
  run_id: snapshot.run_id,
  run_dir: runDir,
  mission_key: snapshot.mission_key,
  mission_id: snapshot.mission_id,
  mission_slug: snapshot.mission_slug,
});
