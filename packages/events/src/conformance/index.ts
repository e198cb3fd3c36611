/** Conformance: the validator every producer and consumer can call, and the tools around it. */
export { ENVELOPE_EVENT_TYPE, KNOWN_EVENT_TYPES, MODEL_SCHEMAS, PAYLOAD_SCHEMAS, isKnownEventType } from "./registry.ts";
export type { ConformanceResult, ValidateEventOptions } from "./validate-event.ts";
export { UnknownEventTypeError, cutoverIssues, validateEvent } from "./validate-event.ts";
export { REQUIRED_ENVELOPE_FIELDS, resolveLegacyLane, validateEnvelope } from "./validate-envelope.ts";
export { TimestampSubstitutionError, assertProducerOccurrencePreserved } from "./timestamp-semantics.ts";
export type { JsonSchemaFile } from "./json-schema.ts";
export { generateJsonSchema, generateJsonSchemaFiles, renderJson, schemaName, snakeCase } from "./json-schema.ts";
