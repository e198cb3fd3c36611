import * as Schema from "effect/Schema";
import { StatusTransitionPayload, StatusTransitionPayloadWire } from "./payload.ts";
import { validateTransition } from "./transition.ts";

/**
 * The full conformance contract of a `WPStatusChanged` payload: wire strictness (model AND published JSON Schema)
 * plus the lane rules, which run only once the payload itself is well formed (one issue per violation).
 */
export const WPStatusChangedPayload = StatusTransitionPayloadWire.pipe(
  Schema.filter(transitionRules),
).annotations({ identifier: "WPStatusChangedPayload" });

/**
 * The model-layer verdict only (no JSON Schema layer): the `doing` alias and lax scalars pass. This is what the
 * reference's fixture suite demands of fixtures marked valid.
 */
export const WPStatusChangedModelPayload = StatusTransitionPayload.pipe(
  Schema.filter(transitionRules),
).annotations({ identifier: "WPStatusChangedModelPayload" });

/** Status payload schemas by event type, for the conformance validator and the JSON Schema generator. */
export const STATUS_PAYLOAD_SCHEMAS: Readonly<Record<string, Schema.Schema.AnyNoContext>> = {
  WPStatusChanged: WPStatusChangedPayload,
};

/** The same registry at model-layer strictness only. */
export const STATUS_MODEL_SCHEMAS: Readonly<Record<string, Schema.Schema.AnyNoContext>> = {
  WPStatusChanged: WPStatusChangedModelPayload,
};

// ---------------------------------------------------------------------------------------------------------

// The semantic layer: lane rules run once the payload is well formed, one issue per violation.
function transitionRules(p: Parameters<typeof validateTransition>[0]) {
  const verdict = validateTransition(p);
  return verdict.valid || verdict.violations.map((message) => ({ path: [], message }));
}
