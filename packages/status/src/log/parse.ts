import * as Either from "effect/Either";
import type { DoneEvidence, ReviewResult } from "../fsm/evidence.ts";
import { isLane, UNINITIALIZED } from "../fsm/lanes.ts";
import { LogReadError } from "./errors.ts";
import { isJsonObject, type JsonObject, type JsonValue, parseJson } from "./json.ts";
import { pyRepr, pyStr } from "./pyrepr.ts";
import type {
  ActorField,
  InnerStateChangedRow,
  LaneTransitionRow,
  LocatedRow,
  ParsedLog,
  WireLane,
  WpInnerStateDelta,
} from "./rows.ts";

/**
 * Parses the text of a `status.events.jsonl`. Partitioning follows the reference: `kind: "annotation"`
 * rows are annotations and any other `kind` is an error; lifecycle envelopes (`event_type`),
 * `retrospective.*` rows and `Retrospective*` typed rows are skipped in place; every other row must be a
 * lane transition. Blank lines are ignored. The first problem stops the read and names its line.
 */
export const parseEventLog = (text: string, path?: string): Either.Either<ParsedLog, LogReadError> => {
  const transitions: LaneTransitionRow[] = [];
  const annotations: InnerStateChangedRow[] = [];
  const rows: LocatedRow[] = [];
  const retrospective: JsonObject[] = [];
  const skippedLines: number[] = [];
  const lines = splitLogLines(text);
  for (let index = 0; index < lines.length; index++) {
    const raw = pyStrip(lines[index] as string);
    if (raw === "") continue;
    const line = index + 1;
    let value: JsonValue;
    try {
      value = parseJson(raw);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      return Either.left(fail("LOG_INVALID_JSON", `Invalid JSON on line ${line}: ${detail}`, line, path));
    }
    if (!isJsonObject(value)) {
      return Either.left(
        fail("LOG_INVALID_STRUCTURE", `Invalid event structure on line ${line}: expected JSON object`, line, path),
      );
    }
    if (Object.hasOwn(value, "kind")) {
      if (value["kind"] !== "annotation") {
        const kind = value["kind"] as JsonValue;
        return Either.left(fail("LOG_UNKNOWN_KIND", `Unknown event kind ${pyRepr(kind)} on line ${line}`, line, path));
      }
      const annotation = decodeAnnotation(value);
      if (typeof annotation === "string") {
        return Either.left(
          fail("LOG_INVALID_STRUCTURE", `Invalid annotation on line ${line}: ${annotation}`, line, path),
        );
      }
      annotations.push(annotation);
      rows.push({ line, row: annotation });
      continue;
    }
    const skip = skipReason(value);
    if (skip !== null) {
      if (skip === "retrospective") retrospective.push(value);
      skippedLines.push(line);
      continue;
    }
    const transition = decodeTransition(value);
    if (typeof transition === "string") {
      return Either.left(
        fail("LOG_INVALID_STRUCTURE", `Invalid event structure on line ${line}: ${transition}`, line, path),
      );
    }
    transitions.push(transition);
    rows.push({ line, row: transition });
  }
  return Either.right({ exists: true, transitions, annotations, rows, retrospective, skippedLines });
};

/**
 * Where the reference's lines are: it reads the file in text mode (`\r\n` and a lone `\r` become `\n`)
 * and splits it with `str.splitlines`, which also breaks at `\v`, `\f`, `\x1c`-`\x1e`, U+0085, U+2028
 * and U+2029. A log written by either implementation holds none of them (rows are ASCII with controls
 * escaped), so one test usually settles it; where one occurs, line numbers and verdicts still match.
 */
const LINE_BREAK_BEYOND_LF = /[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]/;
const PYTHON_LINE_BREAK = /\r\n?|[\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]/;

export const splitLogLines = (text: string): string[] =>
  LINE_BREAK_BEYOND_LF.test(text) ? text.split(PYTHON_LINE_BREAK) : text.split("\n");

/** Python's whitespace (`str.isspace`): JS `trim` differs (it strips U+FEFF, keeps `\x1c`-`\x1f` and U+0085). */
const PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");

/** `str.strip()`; a row as written (`{...}` alone on its line) has nothing to strip. */
const pyStrip = (line: string): string =>
  line.charCodeAt(0) === 0x7b && line.charCodeAt(line.length - 1) === 0x7d ? line : line.replace(PY_STRIP, "");

/** The empty log: what a missing file reads as. */
export const EMPTY_LOG: ParsedLog = {
  exists: false,
  transitions: [],
  annotations: [],
  rows: [],
  retrospective: [],
  skippedLines: [],
};

const fail = (code: LogReadError["code"], message: string, line: number, path: string | undefined) =>
  new LogReadError(path === undefined ? { code, message, line } : { code, message: `${path}: ${message}`, line, path });

const RETRO_TYPES: ReadonlySet<string> = new Set([
  "RetrospectiveCaptured",
  "RetrospectiveCaptureFailed",
  "RetrospectiveSkipped",
]);

/** Rows that share the file but are not lane transitions; the reference skips them without decoding. */
const skipReason = (obj: JsonObject): "retrospective" | "other" | null => {
  const eventName = obj["event_name"];
  if (typeof eventName === "string" && eventName.startsWith("retrospective.")) return "retrospective";
  const type = obj["type"];
  if (typeof type === "string" && RETRO_TYPES.has(type)) return "other";
  if (Object.hasOwn(obj, "event_type")) return "other";
  return null;
};

/** A lane a row may name: one of the table's lanes, or the read sentinel the reference tolerates. */
const isWireLane = (value: string): value is WireLane => isLane(value) || value === UNINITIALIZED;

const REQUIRED = ["event_id", "wp_id", "from_lane", "to_lane", "at", "actor", "force", "execution_mode"] as const;

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const optionalString = (obj: JsonObject, key: string): string | null | "invalid" => {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  return typeof v === "string" ? v : "invalid";
};

const optionalObject = (obj: JsonObject, key: string): JsonObject | null | "invalid" => {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  return isJsonObject(v) ? v : "invalid";
};

/** Returns the decoded row, or a description of what is wrong with it. */
const decodeTransition = (obj: JsonObject): LaneTransitionRow | string => {
  const { event_id, wp_id, from_lane, to_lane, at, force, execution_mode } = obj;
  // A row whose required fields all have their types holds them all; only another row needs the
  // field-by-field walk that names what is missing.
  const wellTyped =
    typeof event_id === "string" && typeof wp_id === "string" && typeof from_lane === "string" &&
    typeof to_lane === "string" && typeof at === "string" && typeof force === "boolean" &&
    typeof execution_mode === "string" && obj["actor"] !== undefined;
  if (!wellTyped) for (const key of REQUIRED) if (!Object.hasOwn(obj, key)) return `missing field '${key}'`;
  if (typeof event_id !== "string" || event_id === "") return "field 'event_id' must be a non-empty string";
  if (typeof wp_id !== "string") return "field 'wp_id' must be a string";
  if (typeof from_lane !== "string" || !isWireLane(from_lane)) return `field 'from_lane': unknown lane ${String(from_lane)}`;
  if (typeof to_lane !== "string" || !isWireLane(to_lane)) return `field 'to_lane': unknown lane ${String(to_lane)}`;
  if (typeof at !== "string") return "field 'at' must be a string";
  if (typeof force !== "boolean") return "field 'force' must be a boolean";
  if (typeof execution_mode !== "string") return "field 'execution_mode' must be a string";
  const reason = optionalString(obj, "reason");
  if (reason === "invalid") return "field 'reason' must be a string or null";
  const reviewRef = optionalString(obj, "review_ref");
  if (reviewRef === "invalid") return "field 'review_ref' must be a string or null";
  const evidence = optionalObject(obj, "evidence");
  if (evidence === "invalid") return "field 'evidence' must be an object or null";
  const policy = optionalObject(obj, "policy_metadata");
  if (policy === "invalid") return "field 'policy_metadata' must be an object or null";
  const slug = obj["mission_slug"] || obj["feature_slug"] || "";
  if (typeof slug !== "string") return "field 'mission_slug' must be a string";
  const row: {
    -readonly [K in keyof LaneTransitionRow]: LaneTransitionRow[K];
  } = {
    event_id,
    mission_slug: slug,
    wp_id,
    from_lane,
    to_lane,
    at,
    actor: decodeActor(obj["actor"] as JsonValue),
    force,
    execution_mode,
    reason,
    review_ref: reviewRef,
    evidence: evidence as DoneEvidence | null,
    policy_metadata: policy,
  };
  if (Object.hasOwn(obj, "review_result")) {
    const result = optionalObject(obj, "review_result");
    if (result === "invalid") return "field 'review_result' must be an object or null";
    row.review_result = result as ReviewResult | null;
  }
  const missionId = obj["mission_id"];
  if (typeof missionId === "string" && missionId !== "") row.mission_id = missionId;
  else if (missionId !== undefined && missionId !== null && missionId !== "") return "field 'mission_id' must be a string";
  return row;
};

const decodeAnnotation = (obj: JsonObject): InnerStateChangedRow | string => {
  for (const key of ["event_id", "wp_id", "at", "actor", "delta"] as const) {
    if (!Object.hasOwn(obj, key)) return `missing field '${key}'`;
  }
  const { event_id, wp_id, at, delta } = obj;
  if (typeof event_id !== "string" || !ULID.test(event_id)) return `field 'event_id' is not a ULID: ${String(event_id)}`;
  if (typeof wp_id !== "string") return "field 'wp_id' must be a string";
  if (typeof at !== "string") return "field 'at' must be a string";
  if (!isJsonObject(delta)) return "field 'delta' must be an object";
  return {
    event_id,
    kind: "annotation",
    wp_id,
    at,
    actor: decodeActor(obj["actor"] as JsonValue),
    delta: delta as WpInnerStateDelta,
  };
};

const ACTOR_KEYS = ["model", "profile", "role", "tool"];

/** A structured actor is kept only with exactly its four string-or-null fields; anything else becomes text. */
export const decodeActor = (value: JsonValue): ActorField => {
  if (typeof value === "string") return value;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    if (
      keys.length === 4 &&
      keys.every((k, i) => k === ACTOR_KEYS[i]) &&
      keys.every((k) => value[k] === null || typeof value[k] === "string")
    ) {
      return value as unknown as ActorField;
    }
  }
  return pyStr(value);
};
