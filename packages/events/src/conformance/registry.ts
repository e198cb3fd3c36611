import type * as Schema from "effect/Schema";
import { COLLABORATION_PAYLOAD_SCHEMAS } from "../collaboration/index.ts";
import { Event } from "../core/index.ts";
import { LIFECYCLE_MODEL_SCHEMAS, LIFECYCLE_PAYLOAD_SCHEMAS } from "../lifecycle/index.ts";
import { STATUS_MODEL_SCHEMAS, STATUS_PAYLOAD_SCHEMAS } from "../status/index.ts";

/** The pseudo event type under which a whole envelope is validated. */
export const ENVELOPE_EVENT_TYPE = "Event";

/**
 * Every contract the conformance validator knows, by event type, at wire strictness (the reference's model
 * AND its published JSON Schema must both accept). `Event` is the envelope itself.
 */
export const PAYLOAD_SCHEMAS: Readonly<Record<string, Schema.Schema.AnyNoContext>> = {
  [ENVELOPE_EVENT_TYPE]: Event,
  ...STATUS_PAYLOAD_SCHEMAS,
  ...LIFECYCLE_PAYLOAD_SCHEMAS,
  ...COLLABORATION_PAYLOAD_SCHEMAS,
};

/** The same contracts at model-layer strictness only (the reference's fixture suite judges valid fixtures so). */
export const MODEL_SCHEMAS: Readonly<Record<string, Schema.Schema.AnyNoContext>> = {
  [ENVELOPE_EVENT_TYPE]: Event,
  ...STATUS_MODEL_SCHEMAS,
  ...LIFECYCLE_MODEL_SCHEMAS,
  ...COLLABORATION_PAYLOAD_SCHEMAS,
};

/** Event types the validator accepts, sorted. */
export const KNOWN_EVENT_TYPES: ReadonlyArray<string> = Object.keys(PAYLOAD_SCHEMAS).sort();

export const isKnownEventType = (t: string): boolean => Object.hasOwn(PAYLOAD_SCHEMAS, t);
