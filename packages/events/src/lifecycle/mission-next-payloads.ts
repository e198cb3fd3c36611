import * as Schema from "effect/Schema";
import { ignoreExtra, NonEmptyString, optionalNullable } from "../status/fields.ts";

// Mission-next runtime events (reference `S/mission_next.py`): one mission run, its issued and auto-completed
// steps, and the decisions it asks for. Payloads and the actor identity drop unknown keys.

export const MISSION_RUN_STARTED = "MissionRunStarted";
export const NEXT_STEP_ISSUED = "NextStepIssued";
export const NEXT_STEP_AUTO_COMPLETED = "NextStepAutoCompleted";
export const DECISION_INPUT_REQUESTED = "DecisionInputRequested";
export const DECISION_INPUT_ANSWERED = "DecisionInputAnswered";
export const MISSION_RUN_COMPLETED = "MissionRunCompleted";

/** The mission-next runtime event types with a payload contract. */
export const MISSION_NEXT_EVENT_TYPES: ReadonlySet<string> = new Set([
  MISSION_RUN_STARTED,
  NEXT_STEP_ISSUED,
  NEXT_STEP_AUTO_COMPLETED,
  DECISION_INPUT_REQUESTED,
  DECISION_INPUT_ANSWERED,
  MISSION_RUN_COMPLETED,
]);

/** Identity of a runtime actor: a human, an LLM or a service. */
export const RuntimeActorIdentity = Schema.Struct({
  actor_id: NonEmptyString,
  actor_type: Schema.String.pipe(Schema.pattern(/^(human|llm|service)$/)),
  display_name: Schema.optionalWith(Schema.String, { default: () => "" }),
  provider: optionalNullable(Schema.String),
  model: optionalNullable(Schema.String),
  tool: optionalNullable(Schema.String),
}).annotations({ identifier: "RuntimeActorIdentity", ...ignoreExtra });
export type RuntimeActorIdentity = typeof RuntimeActorIdentity.Type;

/** MissionRunStarted: a run of a mission template begins. */
export const MissionRunStartedPayload = Schema.Struct({
  run_id: NonEmptyString,
  mission_type: NonEmptyString,
  actor: RuntimeActorIdentity,
}).annotations({ identifier: "MissionRunStartedPayload", ...ignoreExtra });

/** NextStepIssued: the runtime hands a step to an agent. */
export const NextStepIssuedPayload = Schema.Struct({
  run_id: NonEmptyString,
  step_id: NonEmptyString,
  agent_id: NonEmptyString,
  actor: RuntimeActorIdentity,
}).annotations({ identifier: "NextStepIssuedPayload", ...ignoreExtra });

/** NextStepAutoCompleted: a step finished without a decision, with its result. */
export const NextStepAutoCompletedPayload = Schema.Struct({
  run_id: NonEmptyString,
  step_id: NonEmptyString,
  agent_id: NonEmptyString,
  result: NonEmptyString,
  actor: RuntimeActorIdentity,
}).annotations({ identifier: "NextStepAutoCompletedPayload", ...ignoreExtra });

/** DecisionInputRequested: a step needs an answer, optionally from a list of options. */
export const DecisionInputRequestedPayload = Schema.Struct({
  run_id: NonEmptyString,
  decision_id: NonEmptyString,
  step_id: NonEmptyString,
  question: NonEmptyString,
  options: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  input_key: optionalNullable(Schema.String),
  actor: RuntimeActorIdentity,
}).annotations({ identifier: "DecisionInputRequestedPayload", ...ignoreExtra });

/** DecisionInputAnswered: the answer to a requested decision. */
export const DecisionInputAnsweredPayload = Schema.Struct({
  run_id: NonEmptyString,
  decision_id: NonEmptyString,
  answer: NonEmptyString,
  actor: RuntimeActorIdentity,
}).annotations({ identifier: "DecisionInputAnsweredPayload", ...ignoreExtra });

/** MissionRunCompleted: the run ends. */
export const MissionRunCompletedPayload = Schema.Struct({
  run_id: NonEmptyString,
  mission_type: NonEmptyString,
  actor: RuntimeActorIdentity,
}).annotations({ identifier: "MissionRunCompletedPayload", ...ignoreExtra });
