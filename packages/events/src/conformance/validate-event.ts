import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import {
  checkCutoverSignal,
  decodeEvent,
  decodePayload,
  findForbiddenKeys,
  makeIssue,
  pyRepr,
  type ValidationIssue,
} from "../core/index.ts";
import { compileValidator, type Validator } from "../core/fast-validator.ts";
import { ENVELOPE_EVENT_TYPE, isKnownEventType, MODEL_SCHEMAS, PAYLOAD_SCHEMAS } from "./registry.ts";

/** The verdict on one payload (or envelope) for one event type. */
export interface ConformanceResult {
  readonly event_type: string;
  readonly valid: boolean;
  /** Every problem found, in layer order: cutover gate, then the payload contract. */
  readonly violations: ReadonlyArray<ValidationIssue>;
  /** True when the input was recognised as an envelope carrying a payload of `event_type`. */
  readonly envelope: boolean;
}

/** The event type is not one the contract knows. */
export class UnknownEventTypeError extends Schema.TaggedError<UnknownEventTypeError>()("UnknownEventTypeError", {
  event_type: Schema.String,
  message: Schema.String,
}) {}

export interface ValidateEventOptions {
  /**
   * "wire" (default): the reference's dual verdict, model AND published JSON Schema. "model": the model layer
   * only (e.g. the `doing` lane alias passes), which is how the reference judges its fixtures marked valid.
   */
  readonly layer?: "wire" | "model";
}

/**
 * Judges a payload against the contract of `eventType`, as the reference's conformance validator does:
 * - `eventType` "Event": the input is a whole envelope; the cutover gate and the envelope contract apply.
 * - otherwise, an input that is itself an envelope of that type (`event_type` equal and an object `payload`)
 *   has its `payload` judged, after the cutover gate on the envelope; envelope identity fields are not checked.
 * - otherwise the input is the bare payload (no cutover gate: bare payloads may carry unknown keys).
 */
export const validateEvent = (
  payload: unknown,
  eventType: string,
  options?: ValidateEventOptions,
): Either.Either<ConformanceResult, UnknownEventTypeError> => {
  if (!isKnownEventType(eventType)) {
    return Either.left(
      new UnknownEventTypeError({ event_type: eventType, message: `Unknown event type: ${pyRepr(eventType)}` }),
    );
  }
  const isEnvelopeType = eventType === ENVELOPE_EVENT_TYPE;
  const wrapped =
    !isEnvelopeType &&
    isObject(payload) &&
    isObject(payload["payload"]) &&
    payload["event_type"] === eventType;
  const violations: Array<ValidationIssue> = [];

  if (isEnvelopeType || wrapped) {
    if (isObject(payload)) violations.push(...cutoverIssues(payload));
  }

  const subject = wrapped ? (payload as Record<string, unknown>)["payload"] : payload;
  const prefix: ReadonlyArray<string> = wrapped ? ["payload"] : [];
  if (isEnvelopeType) {
    const r = decodeEvent(subject);
    if (Either.isLeft(r)) violations.push(...r.left);
  } else {
    const registry = options?.layer === "model" ? MODEL_SCHEMAS : PAYLOAD_SCHEMAS;
    const schema = registry[eventType] as Schema.Schema.AnyNoContext;
    // The compiled predicate answers the schema's verdict cheaply; issues are only built for failures.
    const r = validatorFor(schema)(subject) ? undefined : decodePayload(schema, subject);
    if (r !== undefined && Either.isLeft(r)) {
      for (const i of r.left) violations.push(prefix.length === 0 ? i : { ...i, path: [...prefix, ...i.path] });
    }
  }
  return Either.right({ event_type: eventType, valid: violations.length === 0, violations, envelope: wrapped });
};

/**
 * The cutover gate as issues: forbidden keys are reported one by one with their paths (FORBIDDEN_KEY); any
 * other gate failure is one ENVELOPE_SHAPE_INVALID issue carrying the gate's message.
 */
export const cutoverIssues = (envelope: Readonly<Record<string, unknown>>): ReadonlyArray<ValidationIssue> => {
  const message = checkCutoverSignal(envelope);
  if (message === undefined) return [];
  if (message.startsWith("payload contains forbidden legacy keys")) return findForbiddenKeys(envelope);
  const path = message.includes("event names") ? ["event_type"] : message.includes("aggregate") ? ["aggregate_id"] : ["schema_version"];
  return [makeIssue("ENVELOPE_SHAPE_INVALID", path, message, { rule: "cutover_policy" })];
};

const validators = new WeakMap<object, Validator>();

const validatorFor = (schema: Schema.Schema.AnyNoContext): Validator => {
  const cached = validators.get(schema);
  if (cached !== undefined) return cached;
  const v = compileValidator(schema);
  validators.set(schema, v);
  return v;
};

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u);
