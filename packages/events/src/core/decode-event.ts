import * as Either from "effect/Either";
import type { Event } from "./event.ts";
import { SCHEMA_VERSION } from "./event.ts";
import { eventIdMessage, normalizeEventId, normalizeUuid } from "./event-id.ts";
import type { ValidationIssue } from "./issues.ts";
import { parsePyDateTime } from "./timestamp.ts";

/**
 * Decodes one envelope. Accepts exactly what the `Event` schema accepts (a property test holds the two
 * together) but is written by hand so hot paths (reducers over 10k-event streams, bulk validation) do not
 * pay for the generic decoder. Reports every problem, each with the field path; problems with `payload`
 * carry PAYLOAD_SCHEMA_FAIL, all others ENVELOPE_SHAPE_INVALID.
 */
export const decodeEvent = (u: unknown): Either.Either<Event, ReadonlyArray<ValidationIssue>> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) {
    return Either.left([shape([], `envelope must be a JSON object, got ${describe(u)}`)]);
  }
  const o = u as Record<string, unknown>;
  const issues: Array<ValidationIssue> = [];

  const event_id = id(o, "event_id", false, issues);
  const event_type = nonEmpty(o, "event_type", issues);
  const aggregate_id = nonEmpty(o, "aggregate_id", issues);

  let payload: Record<string, unknown> = {};
  const rawPayload = o["payload"];
  if (rawPayload !== undefined) {
    if (typeof rawPayload === "object" && rawPayload !== null && !Array.isArray(rawPayload)) {
      payload = rawPayload as Record<string, unknown>;
    } else {
      issues.push({
        code: "PAYLOAD_SCHEMA_FAIL",
        path: ["payload"],
        message: `payload must be a JSON object, got ${describe(rawPayload)}`,
      });
    }
  }

  const rawTs = o["timestamp"];
  let timestamp = EPOCH;
  if (rawTs === undefined) issues.push(missing("timestamp"));
  else if (typeof rawTs !== "string") issues.push(shape(["timestamp"], `timestamp must be text, got ${describe(rawTs)}`));
  else {
    const t = parsePyDateTime(rawTs);
    if (typeof t === "string") issues.push(shape(["timestamp"], t));
    else timestamp = t;
  }

  const build_id = nonEmpty(o, "build_id", issues);
  const node_id = nonEmpty(o, "node_id", issues);

  const rawClock = o["lamport_clock"];
  let lamport_clock = 0;
  if (rawClock === undefined) issues.push(missing("lamport_clock"));
  else if (typeof rawClock !== "number" || !Number.isSafeInteger(rawClock)) {
    issues.push(shape(["lamport_clock"], `lamport_clock must be an integer, got ${describe(rawClock)}`));
  } else if (rawClock < 0) issues.push(shape(["lamport_clock"], `lamport_clock must be >= 0, got ${rawClock}`));
  else lamport_clock = rawClock;

  const causation_id = o["causation_id"] == null ? null : id(o, "causation_id", true, issues);

  const rawUuid = o["project_uuid"];
  let project_uuid = "";
  if (rawUuid === undefined) issues.push(missing("project_uuid"));
  else if (typeof rawUuid !== "string") issues.push(shape(["project_uuid"], `project_uuid must be text, got ${describe(rawUuid)}`));
  else {
    const n = normalizeUuid(rawUuid);
    if (n === undefined) issues.push(shape(["project_uuid"], `invalid UUID ${JSON.stringify(rawUuid)}`));
    else project_uuid = n;
  }

  const rawSlug = o["project_slug"];
  let project_slug: string | null = null;
  if (rawSlug != null) {
    if (typeof rawSlug === "string") project_slug = rawSlug;
    else issues.push(shape(["project_slug"], `project_slug must be text or null, got ${describe(rawSlug)}`));
  }

  const correlation_id = id(o, "correlation_id", false, issues);

  const rawVersion = o["schema_version"];
  let schema_version = SCHEMA_VERSION;
  if (rawVersion !== undefined) {
    if (typeof rawVersion === "string" && SEMVER.test(rawVersion)) schema_version = rawVersion;
    else issues.push(shape(["schema_version"], `schema_version must be text like "3.0.0", got ${describe(rawVersion)}`));
  }

  const rawTier = o["data_tier"];
  let data_tier = 0;
  if (rawTier !== undefined) {
    if (typeof rawTier === "number" && Number.isSafeInteger(rawTier) && rawTier >= 0 && rawTier <= 4) data_tier = rawTier;
    else issues.push(shape(["data_tier"], `data_tier must be an integer from 0 to 4, got ${describe(rawTier)}`));
  }

  if (issues.length > 0) return Either.left(issues);
  return Either.right({
    event_id,
    event_type,
    aggregate_id,
    payload,
    timestamp,
    build_id,
    node_id,
    lamport_clock,
    causation_id,
    project_uuid,
    project_slug,
    correlation_id,
    schema_version,
    data_tier,
  });
};

/** Renders a value's kind (and short text) for messages. */
export const describe = (u: unknown): string => {
  if (u === null) return "null";
  if (Array.isArray(u)) return "an array";
  switch (typeof u) {
    case "string":
      return u.length > 40 ? `text ${JSON.stringify(u.slice(0, 40) + "...")}` : `text ${JSON.stringify(u)}`;
    case "number":
      return `number ${u}`;
    case "boolean":
      return `boolean ${u}`;
    case "object":
      return "an object";
    default:
      return typeof u;
  }
};

// ---------------------------------------------------------------------------------------------------------

const SEMVER = /^[0-9]+\.[0-9]+\.[0-9]+$/;
const EPOCH = parsePyDateTime(0) as Exclude<ReturnType<typeof parsePyDateTime>, string>;

const shape = (path: ReadonlyArray<string | number>, message: string): ValidationIssue => ({
  code: "ENVELOPE_SHAPE_INVALID",
  path,
  message,
});

const missing = (field: string): ValidationIssue => shape([field], `${field} is required`);

const nonEmpty = (o: Record<string, unknown>, field: string, issues: Array<ValidationIssue>): string => {
  const v = o[field];
  if (v === undefined) issues.push(missing(field));
  else if (typeof v !== "string") issues.push(shape([field], `${field} must be text, got ${describe(v)}`));
  else if (v.length === 0) issues.push(shape([field], `${field} must not be empty`));
  else return v;
  return "";
};

const id = (o: Record<string, unknown>, field: string, nullable: boolean, issues: Array<ValidationIssue>): string => {
  const v = o[field];
  if (v === undefined) issues.push(missing(field));
  else if (typeof v !== "string") {
    issues.push(shape([field], `${field} must be text${nullable ? " or null" : ""}, got ${describe(v)}`));
  } else {
    const n = normalizeEventId(v);
    if (n === undefined) issues.push(shape([field], eventIdMessage(v)));
    else return n;
  }
  return "";
};
