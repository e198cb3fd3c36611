import * as Data from "effect/Data";
import * as Either from "effect/Either";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isJsonObject, type JsonObject, type JsonValue, parseJson } from "../log/json.ts";
import { pyRepr } from "../log/pyrepr.ts";
import type { MissionIdentity } from "./snapshot.ts";

export const META_FILENAME = "meta.json";

/** `meta.json` exists but cannot be used: unreadable, not a JSON object, or a malformed identity field. */
export class MetaReadError extends Data.TaggedError("MetaReadError")<{
  readonly code: "META_UNREADABLE" | "META_INVALID_JSON" | "META_INVALID_FIELD";
  readonly message: string;
  readonly path: string;
}> {}

/**
 * Reads the identity `status.json` carries from `<missionDir>/meta.json`. A missing file is an empty
 * identity (older missions have none); a corrupt one fails closed rather than guessing.
 */
export const readMissionIdentity = (missionDir: string): Either.Either<MissionIdentity, MetaReadError> => {
  const path = join(missionDir, META_FILENAME);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return Either.right({ mission_number: "", mission_type: "" });
    return Either.left(new MetaReadError({ code: "META_UNREADABLE", message: `${path}: cannot read: ${code}`, path }));
  }
  let meta: JsonValue;
  try {
    meta = parseJson(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return Either.left(new MetaReadError({ code: "META_INVALID_JSON", message: `${path}: malformed JSON: ${detail}`, path }));
  }
  if (!isJsonObject(meta)) {
    return Either.left(new MetaReadError({ code: "META_INVALID_JSON", message: `${path}: expected a JSON object`, path }));
  }
  return identityFromMeta(meta, path);
};

/** The identity fields of a parsed `meta.json`; pure. */
export const identityFromMeta = (meta: JsonObject, path = META_FILENAME): Either.Either<MissionIdentity, MetaReadError> => {
  const number = coerceMissionNumber(meta["mission_number"]);
  if (typeof number === "object" && number !== null) {
    return Either.left(new MetaReadError({ code: "META_INVALID_FIELD", message: `${path}: ${number.problem}`, path }));
  }
  const type = meta["mission_type"];
  return Either.right({
    mission_number: number === null ? "" : String(number),
    mission_type: typeof type === "string" ? type.trim() : "",
  });
};

const SENTINELS: ReadonlySet<string> = new Set(["pending", "unassigned", "TBD"]);

/** The reference's coercion: null or "" is none, an int is itself, "042" is 42, anything else is refused. */
const coerceMissionNumber = (raw: JsonValue | undefined): number | bigint | null | { problem: string } => {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === "number" && Number.isInteger(raw)) return raw;
  if (typeof raw === "bigint") return raw;
  if (typeof raw === "string") {
    const trimmed = raw.trim();
    if (trimmed === "") return null;
    if (!SENTINELS.has(trimmed) && /^[+-]?\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
    return { problem: `mission_number must be int or null, got ${pyRepr(raw)}` };
  }
  return { problem: `mission_number must be int, str, or null, got ${pyRepr(raw)}` };
};

/** The number an `NNN-` slug prefix stands for, as a display string, or "". */
export const missionNumberFromSlug = (slug: string): string => {
  const match = /^(\d+)-/.exec(slug.trim());
  return match === null ? "" : String(Number.parseInt(match[1] as string, 10));
};
