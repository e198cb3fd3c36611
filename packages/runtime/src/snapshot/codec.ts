import { type MissionRuntimeError, runtimeError } from "../errors.ts";
import { dumpsIndented } from "../json/python-json.ts";
import { DEFAULT_POLICY, type DecisionRequest, type MissionRunSnapshot, type PolicySnapshot } from "./model.ts";

export type DecodeResult = { readonly ok: true; readonly snapshot: MissionRunSnapshot } | { readonly ok: false; readonly error: MissionRuntimeError };

/**
 * Reads state.json text. Unknown keys are ignored and fields added after a file was written (mission_id,
 * mission_slug, ...) read as their defaults, so files from every reference version load. Pure.
 */
export const decodeSnapshot = (text: string, file: string): DecodeResult => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(file, `${file}: state is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return { ok: true, snapshot: readSnapshot(raw) };
  } catch (e) {
    if (e instanceof BadField) return fail(file, `${file}: field '${e.field}' ${e.message}`);
    throw e;
  }
};

/** state.json bytes in the reference's layout: indent 2, sorted keys, ASCII escapes, no trailing newline. */
export const encodeSnapshot = (snapshot: MissionRunSnapshot): string =>
  dumpsIndented({
    run_id: snapshot.run_id,
    mission_key: snapshot.mission_key,
    template_path: snapshot.template_path,
    template_hash: snapshot.template_hash,
    policy_snapshot: snapshot.policy_snapshot,
    completed_steps: snapshot.completed_steps,
    issued_step_id: snapshot.issued_step_id,
    inputs: snapshot.inputs,
    decisions: snapshot.decisions,
    pending_decisions: snapshot.pending_decisions,
    blocked_reason: snapshot.blocked_reason,
    mission_id: snapshot.mission_id,
    mission_slug: snapshot.mission_slug,
  });

const fail = (file: string, message: string): DecodeResult => ({ ok: false, error: runtimeError("RUN_STATE_INVALID", message, file) });

class BadField {
  readonly field: string;
  readonly message: string;
  constructor(field: string, message: string) {
    this.field = field;
    this.message = message;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const str = (o: Record<string, unknown>, key: string, path = key): string => {
  const v = o[key];
  if (typeof v !== "string") throw new BadField(path, v === undefined ? "is required" : "must be a string");
  return v;
};

const nullableStr = (o: Record<string, unknown>, key: string, path = key): string | null => {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new BadField(path, "must be a string or null");
  return v;
};

const obj = (o: Record<string, unknown>, key: string): Record<string, unknown> => {
  const v = o[key];
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) throw new BadField(key, "must be an object");
  return v;
};

const strings = (v: unknown, path: string): ReadonlyArray<string> => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) throw new BadField(path, "must be a list of strings");
  return v as ReadonlyArray<string>;
};

const STRICTNESS = ["off", "medium", "max"] as const;

const readPolicy = (v: unknown): PolicySnapshot => {
  if (v === undefined || v === null) return DEFAULT_POLICY;
  if (!isRecord(v)) throw new BadField("policy_snapshot", "must be an object");
  const strictness = v["strictness"] ?? DEFAULT_POLICY.strictness;
  if (!(STRICTNESS as ReadonlyArray<unknown>).includes(strictness)) throw new BadField("policy_snapshot.strictness", "must be off, medium or max");
  const route = v["default_route"] ?? DEFAULT_POLICY.default_route;
  if (typeof route !== "string") throw new BadField("policy_snapshot.default_route", "must be a string");
  const extras = v["extras"] ?? {};
  if (!isRecord(extras)) throw new BadField("policy_snapshot.extras", "must be an object");
  return { strictness: strictness as PolicySnapshot["strictness"], default_route: route, extras };
};

const readPending = (raw: Record<string, unknown>): Record<string, DecisionRequest> => {
  const out: Record<string, DecisionRequest> = {};
  for (const [id, entry] of Object.entries(raw)) {
    const path = `pending_decisions.${id}`;
    if (!isRecord(entry)) throw new BadField(path, "must be an object");
    str(entry, "step_id", `${path}.step_id`);
    str(entry, "question", `${path}.question`);
    strings(entry["options"], `${path}.options`);
    // Kept as read so that keys this version does not know survive a rewrite.
    out[id] = { ...entry, decision_id: typeof entry["decision_id"] === "string" ? entry["decision_id"] : id } as unknown as DecisionRequest;
  }
  return out;
};

const readSnapshot = (raw: unknown): MissionRunSnapshot => {
  if (!isRecord(raw)) throw new BadField("(root)", "must be a JSON object");
  return {
    run_id: str(raw, "run_id"),
    mission_key: str(raw, "mission_key"),
    template_path: str(raw, "template_path"),
    template_hash: str(raw, "template_hash"),
    policy_snapshot: readPolicy(raw["policy_snapshot"]),
    completed_steps: strings(raw["completed_steps"], "completed_steps"),
    issued_step_id: nullableStr(raw, "issued_step_id"),
    inputs: obj(raw, "inputs"),
    decisions: obj(raw, "decisions"),
    pending_decisions: readPending(obj(raw, "pending_decisions")),
    blocked_reason: nullableStr(raw, "blocked_reason"),
    mission_id: nullableStr(raw, "mission_id"),
    mission_slug: nullableStr(raw, "mission_slug"),
  };
};
