import * as Schema from "effect/Schema";
import { SCHEMA_VERSION } from "./event.ts";
import { NAMESPACE_URL, uuid5 } from "./uuid5.ts";

/** Name of the frozen legacy contract this normaliser implements (a change needs a `_v2`). */
export const LEGACY_ENVELOPE_CONTRACT = "legacy_envelope_v1";

export const LegacyShape = Schema.Literal("pre_3_0_envelope", "feature_keys_envelope", "awaiting_review_synonym");
export type LegacyShape = typeof LegacyShape.Type;
export const RECOGNIZED_LEGACY_SHAPES: ReadonlyArray<LegacyShape> = LegacyShape.literals;

const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown });

/** A legacy envelope rewritten into canonical form, with the input kept beside it. */
export class NormalizedEnvelope extends Schema.TaggedClass<NormalizedEnvelope>()("NormalizedEnvelope", {
  canonical: JsonObject,
  raw: JsonObject,
  legacy_shape: LegacyShape,
}) {}

/** Why a legacy envelope could not be normalised, with hints about its shape. */
export class UnnormalizableLegacyDiagnostic extends Schema.TaggedClass<UnnormalizableLegacyDiagnostic>()(
  "UnnormalizableLegacyDiagnostic",
  {
    reason: Schema.String,
    shape_hints: Schema.Array(Schema.String),
    raw: Schema.Unknown,
  },
) {}

/** Namespace of the project UUIDs minted for pre-3.0 envelopes: uuid5(URL, "spec-kitty-events/legacy"). */
export const LEGACY_PROJECT_NAMESPACE = uuid5(NAMESPACE_URL, "spec-kitty-events/legacy");

/**
 * Rewrites one recognised legacy envelope into canonical form. Pure and non-mutating (shallow copies).
 * The first matching shape wins and shapes are not chained:
 * 1. pre-3.0 envelope (no `project_uuid`): mint `project_uuid` = uuid5(namespace, "node_id/build_id"),
 *    default `schema_version`, default `correlation_id` to `event_id`; needs non-empty node_id and build_id.
 * 2. `feature_slug`/`feature_number` keys (top level, and inside `payload`): renamed to mission_* unless
 *    the mission_* key already exists, in which case the legacy value is dropped.
 * 3. `payload.to_lane == "awaiting-review"`: becomes "in_review".
 * Anything else, including an already canonical envelope, is a diagnostic.
 */
export const normalizeLegacyEnvelope = (raw: unknown): NormalizedEnvelope | UnnormalizableLegacyDiagnostic => {
  if (!isObject(raw)) return new UnnormalizableLegacyDiagnostic({ reason: "unrecognized_legacy_shape", shape_hints: [], raw });
  const payload = raw["payload"];

  if (typeof raw["event_type"] === "string" && isObject(payload) && !("project_uuid" in raw)) {
    const nodeId = raw["node_id"];
    const buildId = raw["build_id"];
    const hints: Array<string> = [];
    if (typeof nodeId !== "string" || nodeId === "") hints.push("missing node_id");
    if (typeof buildId !== "string" || buildId === "") hints.push("missing build_id");
    if (hints.length > 0) {
      return new UnnormalizableLegacyDiagnostic({ reason: "pre_3_0_envelope_missing_identity", shape_hints: hints, raw });
    }
    const canonical: Record<string, unknown> = { ...raw };
    canonical["project_uuid"] = uuid5(LEGACY_PROJECT_NAMESPACE, `${String(nodeId)}/${String(buildId)}`);
    if (!("schema_version" in canonical)) canonical["schema_version"] = SCHEMA_VERSION;
    if (!("correlation_id" in canonical) && typeof raw["event_id"] === "string") {
      canonical["correlation_id"] = raw["event_id"];
    }
    return new NormalizedEnvelope({ canonical, raw, legacy_shape: "pre_3_0_envelope" });
  }

  if ("feature_slug" in raw || "feature_number" in raw) {
    const canonical = renameFeatureKeys(raw);
    if (isObject(payload)) canonical["payload"] = renameFeatureKeys(payload);
    return new NormalizedEnvelope({ canonical, raw, legacy_shape: "feature_keys_envelope" });
  }

  if (isObject(payload) && payload["to_lane"] === "awaiting-review") {
    const canonical: Record<string, unknown> = { ...raw, payload: { ...payload, to_lane: "in_review" } };
    return new NormalizedEnvelope({ canonical, raw, legacy_shape: "awaiting_review_synonym" });
  }

  return new UnnormalizableLegacyDiagnostic({
    reason: "unrecognized_legacy_shape",
    shape_hints: Object.keys(raw).sort(),
    raw,
  });
};

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u);

// setdefault(pop(...)): an existing mission_* key wins and the legacy value is discarded.
const renameFeatureKeys = (o: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...o };
  for (const [from, to] of [
    ["feature_slug", "mission_slug"],
    ["feature_number", "mission_number"],
  ] as const) {
    if (!(from in out)) continue;
    const v = out[from];
    delete out[from];
    if (!(to in out)) out[to] = v;
  }
  return out;
};
