import { findForbiddenKeys, FORBIDDEN_LEGACY_KEYS, hasForbiddenKeys } from "./forbidden-keys.ts";
import { pyRepr } from "./py-repr.ts";

/** The published cutover artifact: what a canonical (post-cutover) envelope must look like. */
export const CUTOVER_ARTIFACT = {
  artifact_version: "1.0.0",
  release_version: "3.0.0",
  signal_field_name: "schema_version",
  signal_location: "event_envelope",
  cutover_contract_version: "3.0.0",
  accepted_major: 3,
  forbidden_legacy_keys: ["feature_slug", "feature_number", "mission_key"],
  forbidden_legacy_event_names: ["FeatureCreated", "FeatureClosed"],
  forbidden_legacy_aggregate_names: ["feature", "feature_catalog"],
  forbidden_legacy_contract_surfaces: ["legacy-cleanup"],
} as const;

const FORBIDDEN_EVENT_NAMES: ReadonlySet<string> = new Set(CUTOVER_ARTIFACT.forbidden_legacy_event_names);
const FORBIDDEN_AGGREGATES: ReadonlySet<string> = new Set(CUTOVER_ARTIFACT.forbidden_legacy_aggregate_names);

/**
 * The cutover gate for live ingress. Checks, first failure wins: the `schema_version` signal is present,
 * has numeric major 3 and equals "3.0.0"; no forbidden legacy key at any depth (the four-key set); the
 * event type is not a forbidden legacy name; the aggregate id's first `/` segment is not a forbidden
 * legacy aggregate. Returns the failure message, or undefined when the envelope passes.
 */
export const checkCutoverSignal = (envelope: Readonly<Record<string, unknown>>): string | undefined => {
  const v = envelope["schema_version"];
  if (v === undefined || v === null) return "missing canonical cutover signal 'schema_version'";
  if (typeof v !== "string") return `cutover signal 'schema_version' must be a string; got ${pyTypeName(v)}`;
  const major = v.split(".", 1)[0] ?? "";
  if (!/^\p{Nd}+$/u.test(major)) return `cutover signal must start with a numeric major version: ${pyRepr(v)}`;
  if (digitValue(major) !== CUTOVER_ARTIFACT.accepted_major) {
    return `unsupported cutover major version in 'schema_version': ${pyRepr(v)}`;
  }
  if (v !== CUTOVER_ARTIFACT.cutover_contract_version) {
    return `cutover signal must equal ${pyRepr(CUTOVER_ARTIFACT.cutover_contract_version)}; got ${pyRepr(v)}`;
  }
  // The allocation-free scan first: clean envelopes (the common case) never build issue paths.
  if (hasForbiddenKeys(envelope, FORBIDDEN_LEGACY_KEYS)) {
    const keys = [...new Set(findForbiddenKeys(envelope, FORBIDDEN_LEGACY_KEYS).map((i) => String(i.details?.["key"])))];
    return `payload contains forbidden legacy keys: ${pyList(keys)}`;
  }
  const eventType = envelope["event_type"];
  if (typeof eventType === "string" && FORBIDDEN_EVENT_NAMES.has(eventType)) {
    return `payload contains forbidden legacy event names: ${pyList([eventType])}`;
  }
  const aggregate = envelope["aggregate_id"];
  if (typeof aggregate === "string") {
    const prefix = aggregate.split("/", 1)[0] ?? "";
    if (FORBIDDEN_AGGREGATES.has(prefix)) return `payload contains forbidden legacy aggregate names: ${pyList([prefix])}`;
  }
  return undefined;
};

/** True when the envelope does not pass the cutover gate (a pre-cutover or legacy envelope). */
export const isPreCutoverPayload = (envelope: Readonly<Record<string, unknown>>): boolean =>
  checkCutoverSignal(envelope) !== undefined;

/** Python's rendering of a sorted list of strings: `['a', 'b']`. */
const pyList = (xs: ReadonlyArray<string>): string =>
  `[${[...xs].sort(codePointCompare).map(pyRepr).join(", ")}]`;

const codePointCompare = (a: string, b: string): number => {
  const x = [...a].map((c) => c.codePointAt(0) ?? 0);
  const y = [...b].map((c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return x.length - y.length;
};

// int() of the major token. Non-ASCII decimal digits (which Python also accepts) are rare enough that
// they are read as "not 3" only when an ASCII reading is impossible; such a value then fails the exact
// "3.0.0" comparison either way, so only the wording of the message can differ.
const digitValue = (digits: string): number =>
  /^[0-9]+$/.test(digits) ? Number(digits) : CUTOVER_ARTIFACT.accepted_major;

const pyTypeName = (u: unknown): string =>
  Array.isArray(u)
    ? "list"
    : typeof u === "number"
      ? Number.isInteger(u)
        ? "int"
        : "float"
      : typeof u === "boolean"
        ? "bool"
        : typeof u === "object"
          ? "dict"
          : typeof u;
