import * as Schema from "effect/Schema";
import { StatusTransitionPayloadWire } from "./payload.ts";
import { validateTransition } from "./transition.ts";

/**
 * The full conformance contract of a `WPStatusChanged` payload: wire strictness (model AND published JSON Schema)
 * plus the lane rules, which run only once the payload itself is well formed (one issue per violation).
 */
export const WPStatusChangedPayload = StatusTransitionPayloadWire.pipe(
  Schema.filter((p) => {
    const verdict = validateTransition(p);
    return verdict.valid || verdict.violations.map((message) => ({ path: [], message }));
  }),
).annotations({ identifier: "WPStatusChangedPayload" });

/** Status payload schemas by event type, for the conformance validator and the JSON Schema generator. */
export const STATUS_PAYLOAD_SCHEMAS: Readonly<Record<string, Schema.Schema.Any>> = {
  WPStatusChanged: WPStatusChangedPayload,
};
