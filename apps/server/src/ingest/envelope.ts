import * as Either from "effect/Either";
import {
  cutoverIssues,
  decodeEvent,
  hasForbiddenKeys,
  REQUIRED_ENVELOPE_FIELDS,
  isKnownEventType,
  normalizeEventId,
  normalizeLegacyEnvelope,
  normalizeUuid,
  NormalizedEnvelope,
  validateEvent,
  WP_STATUS_CHANGED,
  type ValidationIssue,
} from "@spec-kitty/events";
import { fastStatusPayloadAccepted } from "./fast-status.ts";

/**
 * How one incoming envelope is judged (ADR-0014). Two generations arrive on the wire:
 * - 028-era envelopes (no `schema_version`, `feature_*` keys, `Feature*` types, the 4-lane status vocabulary):
 *   checked against the rules those clients validated with (required payload fields and enums), then
 *   upgraded to canonical form (our map for what the events package's `legacy_envelope_v1` does not cover,
 *   then that normaliser) so the views can read them;
 * - canonical 3.0.0 envelopes: transport extras removed, then validated with `@spec-kitty/events`
 *   (`validateEnvelope`, and `validateEvent` at model strictness for every known type).
 * An envelope that fails is kept and quarantined with its violations; it never blocks the rest of a batch.
 */
export interface Judged {
  readonly rawEventId: string;
  /** Dedup key: the normalised id (ULID upper case, UUID lower-case hyphenated), else the raw id trimmed. */
  readonly eventId: string;
  readonly eventType: string;
  readonly projectUuid: string | null;
  readonly missionKey: string | null;
  readonly lamportClock: number | null;
  readonly timestamp: string | null;
  readonly generation: "legacy" | "canonical";
  readonly canonical: Record<string, unknown> | null;
  readonly violations: ReadonlyArray<Violation>;
}

export interface Violation {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

/** An item that cannot be adjudicated at all (not an object, no usable `event_id`): a request-level error. */
export interface Unusable {
  readonly index: number;
  readonly eventId: string | null;
  readonly message: string;
  readonly path: string;
}

/** Keys the current client adds for transport; they are not part of the event. */
export const TRANSPORT_KEYS = ["type", "spec_kitty_delivery_identity", "admission_generation", "binding_audience", "drain_blocked_reason"] as const;

const MAX_EVENT_ID_LENGTH = 128;

/** First check of an item: is it an object with a usable `event_id` and `event_type`? */
export const checkItem = (item: unknown, index: number): Unusable | undefined => {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    return { index, eventId: null, path: `events[${index}]`, message: `Invalid event at events[${index}]: expected a JSON object, got ${kind(item)}` };
  }
  const o = item as Record<string, unknown>;
  const id = o["event_id"];
  if (typeof id !== "string" || id.trim() === "" || id.length > MAX_EVENT_ID_LENGTH) {
    return {
      index,
      eventId: typeof id === "string" ? id.slice(0, MAX_EVENT_ID_LENGTH) : null,
      path: `events[${index}].event_id`,
      message:
        typeof id === "string"
          ? `Invalid event at events[${index}]: event_id must be 1-${MAX_EVENT_ID_LENGTH} characters`
          : `Invalid event at events[${index}]: missing required field 'event_id'`,
    };
  }
  if (typeof o["event_type"] !== "string" || o["event_type"] === "") {
    return { index, eventId: id, path: `events[${index}].event_type`, message: `Invalid event at events[${index}]: missing required field 'event_type'` };
  }
  if (nestedDeeperThan(o, MAX_DEPTH)) {
    return { index, eventId: id, path: `events[${index}]`, message: `Invalid event at events[${index}]: nested deeper than ${MAX_DEPTH} levels` };
  }
  return undefined;
};

/** Deeper envelopes are refused before anything recursive (validation, serialisation) touches them. */
export const MAX_DEPTH = 64;

/** Iterative, so an absurdly deep value cannot exhaust the stack while being measured. */
const nestedDeeperThan = (root: unknown, max: number): boolean => {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (d > max) return true;
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (typeof c === "object" && c !== null) stack.push([c, d + 1]);
  }
  return false;
};

/** Judges one item that passed `checkItem`. Pure. */
export const judge = (o: Record<string, unknown>): Judged => {
  const rawEventId = o["event_id"] as string;
  const eventType = o["event_type"] as string;
  const eventId = normalizeEventId(rawEventId) ?? rawEventId.trim();
  const lamport = o["lamport_clock"];
  const ts = o["timestamp"];
  const base = {
    rawEventId,
    eventId,
    eventType,
    lamportClock: typeof lamport === "number" && Number.isSafeInteger(lamport) ? lamport : null,
    timestamp: typeof ts === "string" ? ts.slice(0, 64) : null,
  };
  const stripped = stripTransport(o);
  const legacy = isLegacy(stripped);
  const violations: Array<Violation> = [];
  let canonical: Record<string, unknown> | null;
  if (legacy) {
    violations.push(...legacyViolations(stripped));
    canonical = upgradeLegacy(stripped);
  } else {
    canonical = stripped;
    violations.push(...canonicalViolations(stripped));
  }
  const projectUuid = projectOf(o);
  if (typeof o["event_id"] === "string" && normalizeEventId(rawEventId) === undefined) {
    violations.unshift({ code: "ENVELOPE_SHAPE_INVALID", path: "event_id", message: `Invalid envelope: event_id ${JSON.stringify(rawEventId)} is not a ULID or UUID` });
  }
  if (o["project_uuid"] != null && projectUuid === null) {
    violations.unshift({ code: "ENVELOPE_SHAPE_INVALID", path: "project_uuid", message: `Invalid envelope: project_uuid is not a UUID` });
  }
  return {
    ...base,
    projectUuid,
    missionKey: missionOf(canonical ?? stripped),
    generation: legacy ? "legacy" : "canonical",
    canonical,
    violations,
  };
};

const kind = (u: unknown): string => (u === null ? "null" : Array.isArray(u) ? "an array" : typeof u);

const stripTransport = (o: Record<string, unknown>): Record<string, unknown> => {
  let out: Record<string, unknown> | undefined;
  for (const k of TRANSPORT_KEYS) {
    if (k in o) {
      out ??= { ...o };
      delete out[k];
    }
  }
  // v3.1.2 … v3.1.10 repeat from_lane/to_lane/actor at the top level of WPStatusChanged (#1188).
  if (o["event_type"] === "WPStatusChanged") {
    for (const k of ["from_lane", "to_lane", "actor"]) {
      if (k in o) {
        out ??= { ...o };
        delete out[k];
      }
    }
  }
  // Explicit-context captures of the current client send an empty build_id; the envelope contract wants text.
  if (o["build_id"] === "") {
    out ??= { ...o };
    out["build_id"] = UNRESOLVED_BUILD_ID;
  }
  return out ?? o;
};

/** Stands in (in the canonical copy only) for the empty `build_id` of explicit-context captures. */
export const UNRESOLVED_BUILD_ID = "unresolved";

const projectOf = (o: Record<string, unknown>): string | null => {
  const p = o["project_uuid"];
  return typeof p === "string" ? (normalizeUuid(p) ?? null) : null;
};

const missionOf = (o: Record<string, unknown>): string | null => {
  const p = o["payload"];
  if (typeof p === "object" && p !== null && !Array.isArray(p)) {
    const pl = p as Record<string, unknown>;
    for (const k of ["mission_slug", "mission_id"]) {
      const v = pl[k];
      if (typeof v === "string" && v !== "" && v.length <= 200) return v;
    }
  }
  if (o["aggregate_type"] === "Mission" && typeof o["aggregate_id"] === "string" && o["aggregate_id"] !== "" && o["aggregate_id"].length <= 200) {
    return o["aggregate_id"];
  }
  return null;
};

// --- 028-era envelopes ---

const isLegacy = (o: Record<string, unknown>): boolean =>
  !("schema_version" in o) ||
  o["aggregate_type"] === "Feature" ||
  (typeof o["event_type"] === "string" && o["event_type"].startsWith("Feature")) ||
  hasForbiddenKeys(o);

const SYNC_V1_LANES = new Set(["planned", "doing", "for_review", "done"]);
const LANES = new Set(["planned", "claimed", "in_progress", "doing", "for_review", "in_review", "approved", "done", "blocked", "canceled"]);

type Rule = { readonly field: string; readonly oneOf?: ReadonlyArray<string>; readonly alt?: string; readonly optional?: boolean };

/** Payload rules the 028-era clients validated with before sending (reference-server.md §15.2). */
const LEGACY_PAYLOAD_RULES: Readonly<Record<string, ReadonlyArray<Rule>>> = {
  WPCreated: [{ field: "wp_id" }, { field: "title", alt: "wp_title" }],
  WPAssigned: [{ field: "wp_id" }, { field: "agent_id" }, { field: "phase", oneOf: ["implementation", "review"] }],
  FeatureCreated: [{ field: "feature_slug" }, { field: "feature_number" }, { field: "target_branch" }, { field: "wp_count" }],
  FeatureCompleted: [{ field: "feature_slug" }, { field: "total_wps" }],
  HistoryAdded: [{ field: "wp_id" }, { field: "entry_type", oneOf: ["note", "review", "error", "comment"] }, { field: "entry_content" }],
  ErrorLogged: [{ field: "error_type", oneOf: ["validation", "runtime", "network", "auth", "unknown"] }, { field: "error_message" }],
  DependencyResolved: [{ field: "wp_id" }, { field: "dependency_wp_id" }, { field: "resolution_type", oneOf: ["completed", "skipped", "merged"] }],
};

const ENVELOPE_RULES = ["event_type", "aggregate_id", "payload", "timestamp", "node_id", "lamport_clock"] as const;

const legacyViolations = (o: Record<string, unknown>): ReadonlyArray<Violation> => {
  const out: Array<Violation> = [];
  for (const f of ENVELOPE_RULES) {
    if (o[f] === undefined || o[f] === null) out.push({ code: "ENVELOPE_SHAPE_INVALID", path: f, message: `Invalid envelope: missing required field '${f}'` });
  }
  if (out.length > 0) return out;
  const lamport = o["lamport_clock"];
  if (typeof lamport !== "number" || !Number.isSafeInteger(lamport) || lamport < 0) {
    out.push({ code: "ENVELOPE_SHAPE_INVALID", path: "lamport_clock", message: "Invalid envelope: lamport_clock must be a non-negative integer" });
  }
  if (typeof o["timestamp"] !== "string" || Number.isNaN(Date.parse(o["timestamp"]))) {
    out.push({ code: "ENVELOPE_SHAPE_INVALID", path: "timestamp", message: "Invalid envelope: timestamp must be an ISO 8601 date-time" });
  }
  for (const f of ["aggregate_id", "node_id"] as const) {
    if (typeof o[f] !== "string") out.push({ code: "ENVELOPE_SHAPE_INVALID", path: f, message: `Invalid envelope: field '${f}' must be text` });
  }
  const payload = o["payload"];
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    out.push({ code: "PAYLOAD_SCHEMA_FAIL", path: "payload", message: "Invalid envelope: field 'payload' must be an object" });
    return out;
  }
  const p = payload as Record<string, unknown>;
  const type = o["event_type"] as string;
  if (type === "WPStatusChanged") {
    if (p["wp_id"] == null) out.push(missingField(type, "wp_id"));
    if ("new_status" in p || "previous_status" in p) {
      checkLane(out, type, p, "new_status", SYNC_V1_LANES, false);
      checkLane(out, type, p, "previous_status", SYNC_V1_LANES, true);
    } else {
      checkLane(out, type, p, "to_lane", LANES, false);
      checkLane(out, type, p, "from_lane", new Set([...LANES, "genesis"]), true);
    }
    return out;
  }
  for (const rule of LEGACY_PAYLOAD_RULES[type] ?? []) {
    const v = p[rule.field] ?? (rule.alt === undefined ? undefined : p[rule.alt]);
    if (v === undefined || v === null) {
      if (rule.optional !== true) out.push(missingField(type, rule.field));
      continue;
    }
    if (rule.oneOf !== undefined && !rule.oneOf.includes(String(v))) {
      out.push({ code: "PAYLOAD_SCHEMA_FAIL", path: `payload.${rule.field}`, message: `Invalid payload for ${type}: field '${rule.field}' must be one of ${rule.oneOf.join(", ")}` });
    }
  }
  return out;
};

const missingField = (type: string, field: string): Violation => ({
  code: "PAYLOAD_SCHEMA_FAIL",
  path: `payload.${field}`,
  message: `Invalid payload for ${type}: missing required field '${field}'`,
});

const checkLane = (out: Array<Violation>, type: string, p: Record<string, unknown>, field: string, lanes: ReadonlySet<string>, nullable: boolean): void => {
  const v = p[field];
  if (v === undefined || v === null) {
    if (!nullable) out.push(missingField(type, field));
    return;
  }
  if (typeof v !== "string" || !lanes.has(v)) {
    out.push({ code: "UNKNOWN_LANE", path: `payload.${field}`, message: `Invalid payload for ${type}: unknown lane value in field '${field}'` });
  }
};

const LEGACY_TYPES: Readonly<Record<string, string>> = { FeatureCreated: "MissionCreated", FeatureCompleted: "MissionCompleted", FeatureClosed: "MissionClosed" };
const V1_LANE_TO_CANONICAL: Readonly<Record<string, string>> = { planned: "planned", doing: "in_progress", for_review: "for_review", done: "done" };

/** Rewrites a 028-era envelope into canonical vocabulary; best effort (the views tolerate what is left). */
const upgradeLegacy = (o: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...o };
  const type = String(o["event_type"]);
  if (LEGACY_TYPES[type] !== undefined) out["event_type"] = LEGACY_TYPES[type];
  if (out["aggregate_type"] === "Feature") out["aggregate_type"] = "Mission";
  const payload = o["payload"];
  if (typeof payload === "object" && payload !== null && !Array.isArray(payload)) {
    const p: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
    if (type === "WPStatusChanged") {
      move(p, "previous_status", "from_lane", (v) => (typeof v === "string" ? (V1_LANE_TO_CANONICAL[v] ?? v) : v));
      move(p, "new_status", "to_lane", (v) => (typeof v === "string" ? (V1_LANE_TO_CANONICAL[v] ?? v) : v));
      move(p, "changed_by", "actor");
      if (p["to_lane"] === "doing") p["to_lane"] = "in_progress";
      if (p["from_lane"] === "doing") p["from_lane"] = "in_progress";
      // 028-era clients worked in worktrees only and never sent the field.
      if (!("execution_mode" in p)) p["execution_mode"] = "worktree";
      // Their lanes (SyncLaneV1) skip the intermediate lanes and no bootstrap event exists, so the
      // transition rules cannot hold: the upgraded event is applied as a forced move.
      if (!("force" in p)) {
        p["force"] = true;
        p["reason"] ??= "028-era sync lanes: transition not checked";
      }
    }
    if (type === "WPCreated") {
      move(p, "title", "wp_title");
      move(p, "dependencies", "depends_on");
    }
    move(p, "feature_slug", "mission_slug");
    move(p, "feature_number", "mission_number");
    out["payload"] = p;
  }
  if (!("schema_version" in out)) out["schema_version"] = "3.0.0";
  if (!("correlation_id" in out) && typeof o["event_id"] === "string") out["correlation_id"] = o["event_id"];
  if (!("build_id" in out) && typeof o["node_id"] === "string") out["build_id"] = `legacy-${o["node_id"]}`;
  // Then the events package's named normaliser, for the shapes it knows (top-level feature keys, the
  // awaiting-review lane, envelopes without project_uuid); its shapes do not chain, hence the loop.
  let current = out;
  for (let i = 0; i < 3; i++) {
    const n = normalizeLegacyEnvelope(current);
    if (!(n instanceof NormalizedEnvelope)) break;
    current = { ...n.canonical };
  }
  return current;
};

const move = (p: Record<string, unknown>, from: string, to: string, f: (v: unknown) => unknown = (v) => v): void => {
  if (!(from in p)) return;
  const v = p[from];
  delete p[from];
  if (!(to in p)) p[to] = f(v);
};

// --- canonical envelopes ---

/**
 * The checks of `validateEnvelope` in a cheaper order: required fields, forbidden keys, payload shape and the
 * envelope contract (`decodeEvent`), then the payload contract of every known type through `validateEvent`
 * (which covers the typed payloads `validateEnvelope` would decode a second time, at several times the cost).
 */
const canonicalViolations = (o: Record<string, unknown>): ReadonlyArray<Violation> => {
  const type = o["event_type"] as string;
  const missing = REQUIRED_ENVELOPE_FIELDS.filter((f) => !(f in o));
  if (missing.length > 0) {
    return [{ code: "ENVELOPE_SHAPE_INVALID", path: missing[0]!, message: `Invalid envelope: missing required envelope fields: ${missing.join(", ")}` }];
  }
  // No forbidden-key check here: an envelope carrying one is judged as 028-era (`isLegacy`), never canonical.
  const payload = o["payload"];
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return [{ code: "PAYLOAD_SCHEMA_FAIL", path: "payload", message: `Invalid payload for ${type}: payload must be a JSON object` }];
  }
  const envelope = decodeEvent(o);
  if (Either.isLeft(envelope)) return envelope.left.map((i) => toViolation(i, type));
  if (!isKnownEventType(type)) return [];
  // The commonest payload first meets a cheap check that only ever accepts what the Schema accepts; then
  // `validateEvent`'s answer is exactly its cutover gate on the envelope. Anything else goes to the Schema.
  if (type === WP_STATUS_CHANGED && fastStatusPayloadAccepted(payload)) return cutoverIssues(o).map((i) => toViolation(i, type));
  const r = validateEvent(o, type, { layer: "model" });
  if (Either.isLeft(r)) return [];
  return r.right.violations.map((i) => toViolation(i, type));
};

const toViolation = (i: ValidationIssue, type?: string): Violation => {
  const path = i.path.join(".");
  const inPayload = i.path[0] === "payload" || (type !== undefined && i.path[0] !== undefined && !["payload"].includes(String(i.path[0])) && i.code === "PAYLOAD_SCHEMA_FAIL");
  const prefix = inPayload ? `Invalid payload for ${type ?? "event"}` : "Invalid envelope";
  return { code: i.code, path, message: `${prefix}: ${i.message}` };
};
