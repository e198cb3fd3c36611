import * as Either from "effect/Either";
import {
  decodeEvent,
  decodePayload,
  describeValue,
  firstForbiddenKey,
  makeIssue,
  pyRepr,
  type ValidationIssue,
} from "../core/index.ts";
import { LIFECYCLE_MODEL_SCHEMAS } from "../lifecycle/index.ts";
import { normalizeLane, StatusTransitionPayload, WP_STATUS_CHANGED } from "../status/index.ts";

/** Fields an envelope must carry for the ingress pipeline (here `payload` is required too). */
export const REQUIRED_ENVELOPE_FIELDS = [
  "event_id",
  "event_type",
  "aggregate_id",
  "payload",
  "timestamp",
  "build_id",
  "node_id",
  "lamport_clock",
  "correlation_id",
  "project_uuid",
] as const;

// Payload contracts the envelope pipeline checks (at model strictness), beyond the envelope itself.
const TYPED_PAYLOADS = {
  MissionCreated: LIFECYCLE_MODEL_SCHEMAS["MissionCreated"],
  MissionClosed: LIFECYCLE_MODEL_SCHEMAS["MissionClosed"],
  [WP_STATUS_CHANGED]: StatusTransitionPayload,
} as const;

/**
 * Classifies one envelope as the ingress pipeline sees it, returning the first problem (with its stable
 * code) or undefined when it is acceptable. Checks in order, first failure wins:
 * not an object or a required field missing (ENVELOPE_SHAPE_INVALID); a forbidden legacy key anywhere
 * (FORBIDDEN_KEY); payload not an object (PAYLOAD_SCHEMA_FAIL); a WPStatusChanged lane that is not text
 * (PAYLOAD_SCHEMA_FAIL) or not a lane or alias (UNKNOWN_LANE); the envelope contract (PAYLOAD_SCHEMA_FAIL
 * for problems under `payload`, else ENVELOPE_SHAPE_INVALID); the typed payload contract for MissionCreated,
 * MissionClosed and WPStatusChanged (PAYLOAD_SCHEMA_FAIL). The cutover signal is not checked here.
 */
export const validateEnvelope = (u: unknown): ValidationIssue | undefined => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) {
    return makeIssue("ENVELOPE_SHAPE_INVALID", [], `envelope must be a JSON object, got ${describeValue(u)}`);
  }
  const o = u as Record<string, unknown>;
  const missing = REQUIRED_ENVELOPE_FIELDS.filter((f) => !(f in o));
  if (missing.length > 0) {
    return makeIssue("ENVELOPE_SHAPE_INVALID", [missing[0] ?? ""], `missing required envelope fields: ${missing.join(", ")}`, {
      missing,
    });
  }
  const forbidden = firstForbiddenKey(o);
  if (forbidden !== undefined) return forbidden;
  const payload = o["payload"];
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return makeIssue("PAYLOAD_SCHEMA_FAIL", ["payload"], `payload must be a JSON object, got ${describeValue(payload)}`);
  }
  const p = payload as Record<string, unknown>;
  if (o["event_type"] === WP_STATUS_CHANGED) {
    for (const field of ["from_lane", "to_lane"] as const) {
      const v = p[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== "string") {
        return makeIssue("PAYLOAD_SCHEMA_FAIL", ["payload", field], `${field} must be text, got ${describeValue(v)}`);
      }
      if (Either.isLeft(normalizeLane(v))) {
        return makeIssue("UNKNOWN_LANE", ["payload", field], `Unknown lane value: ${pyRepr(v)}`, { lane: v });
      }
    }
  }
  const envelope = decodeEvent(o);
  if (Either.isLeft(envelope)) return envelope.left[0];
  const eventType = o["event_type"] as string;
  const typed = Object.hasOwn(TYPED_PAYLOADS, eventType) ? TYPED_PAYLOADS[eventType as keyof typeof TYPED_PAYLOADS] : undefined;
  if (typed !== undefined) {
    const r = decodePayload(typed, p);
    if (Either.isLeft(r)) {
      const first = r.left[0];
      return first === undefined ? undefined : { ...first, path: ["payload", ...first.path] };
    }
  }
  return undefined;
};

/**
 * Resolves a legacy lane spelling: valid when it is a canonical lane or an alias and, if `canonical` is
 * given, resolves to it; otherwise an UNKNOWN_LANE issue.
 */
export const resolveLegacyLane = (legacy: unknown, canonical?: unknown): ValidationIssue | undefined => {
  if (typeof legacy !== "string") {
    return makeIssue("UNKNOWN_LANE", ["legacy_lane"], `legacy lane must be text, got ${describeValue(legacy)}`);
  }
  const r = normalizeLane(legacy);
  if (Either.isLeft(r)) return makeIssue("UNKNOWN_LANE", ["legacy_lane"], `Unknown lane value: ${pyRepr(legacy)}`);
  if (canonical !== undefined && canonical !== null && r.right !== canonical) {
    return makeIssue(
      "UNKNOWN_LANE",
      ["canonical_lane"],
      `lane ${pyRepr(legacy)} resolves to ${pyRepr(r.right)}, not ${typeof canonical === "string" ? pyRepr(canonical) : describeValue(canonical)}`,
    );
  }
  return undefined;
};
