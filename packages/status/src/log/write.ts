import {
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import * as Either from "effect/Either";
import { LogWriteError } from "./errors.ts";
import { dumpsLine, isJsonObject, type JsonObject, type JsonValue } from "./json.ts";
import { parseEventLog } from "./parse.ts";
import { readBytesNoFollow } from "./read.ts";
import { isAnnotation, type StatusLogRow } from "./rows.ts";

/**
 * One row as the reference writes it, without the newline: PII keys stripped at every depth, session
 * timestamps reduced to a duration, empty evidence lists omitted, absent optional fields left out, keys
 * sorted, `", "`/`": "` separators, non-ASCII escaped.
 */
export const serializeRow = (row: StatusLogRow): string => dumpsLine(sanitizeForLog(normalizeRow(row)), true);

/** Sizes around an append, for a caller that must be able to undo it byte for byte. */
export interface AppendReceipt {
  readonly path: string;
  readonly existed: boolean;
  readonly sizeBefore: number;
  readonly sizeAfter: number;
  readonly eventIds: readonly string[];
}

/**
 * Appends rows atomically: the existing bytes (newline-terminated) plus the new lines go to a temp file
 * in the same directory, which is fsynced and renamed over the log, then the directory is fsynced.
 * The result is read back and must hold exactly what was intended, each new row present by id, work
 * package and lane; otherwise the previous bytes are restored and a `LogWriteError` is thrown.
 * A symlinked log is refused. Either every row lands or none does.
 */
export const appendRows = (path: string, rows: readonly StatusLogRow[]): AppendReceipt => {
  refuseSymlink(path);
  const before = readBytesNoFollow(path);
  if (Either.isLeft(before)) throw writeError("LOG_WRITE_FAILED", before.left.message, path);
  const existing = before.right;
  const prefix = existing === null ? Buffer.alloc(0) : existing;
  const needsNewline = prefix.length > 0 && prefix[prefix.length - 1] !== 0x0a;
  const addition = rows.map((r) => `${serializeRow(r)}\n`).join("");
  const next = Buffer.concat([prefix, Buffer.from(needsNewline ? `\n${addition}` : addition, "utf8")]);
  replaceAtomically(path, next);
  const problem = verify(path, next, prefix.length + (needsNewline ? 1 : 0), rows);
  if (problem !== null) {
    try {
      if (existing === null) unlinkSync(path);
      else replaceAtomically(path, existing);
    } catch {
      // The verification failure below is the error worth reporting; restoring is best effort.
    }
    throw writeError("STATUS_EVENT_PERSISTENCE_VERIFICATION_FAILED", `${path}: ${problem}`, path, true);
  }
  return {
    path,
    existed: existing !== null,
    sizeBefore: prefix.length,
    sizeAfter: next.length,
    eventIds: rows.map((r) => r.event_id),
  };
};

/** Writes `bytes` to `path` through a temp file in the same directory: fsync, rename, directory fsync. */
export const replaceAtomically = (path: string, bytes: Uint8Array): void => {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (cause) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed or never created.
    }
    throw writeError("LOG_WRITE_FAILED", `${path}: write failed: ${describe(cause)}`, path);
  }
  fsyncDirectory(dir);
};

const fsyncDirectory = (dir: string): void => {
  if (process.platform === "win32") return;
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

const refuseSymlink = (path: string): void => {
  try {
    if (lstatSync(path).isSymbolicLink()) {
      throw writeError("LOG_SYMLINK_REFUSED", `${path}: refusing to append to a status log that is a symbolic link`, path);
    }
  } catch (cause) {
    if (cause instanceof LogWriteError) throw cause;
    if ((cause as NodeJS.ErrnoException).code !== "ENOENT") {
      throw writeError("LOG_WRITE_FAILED", `${path}: cannot inspect: ${describe(cause)}`, path);
    }
  }
};

/** Read-back: same bytes as intended, and each appended row found by id with its work package and lane. */
const verify = (path: string, expected: Buffer, tailStart: number, rows: readonly StatusLogRow[]): string | null => {
  const actual = readBytesNoFollow(path);
  if (Either.isLeft(actual) || actual.right === null) return "read-back failed: the log cannot be read after the append";
  if (!actual.right.equals(expected)) return "read-back failed: the log does not hold the bytes just written";
  const tail = parseEventLog(actual.right.subarray(tailStart).toString("utf8"));
  if (Either.isLeft(tail)) return `read-back failed: ${tail.left.message}`;
  const found = new Map(tail.right.rows.map(({ row }) => [row.event_id, row] as const));
  for (const row of rows) {
    const back = found.get(row.event_id);
    if (back === undefined || back.wp_id !== row.wp_id) return `read-back failed: event ${row.event_id} is missing`;
    if (!isAnnotation(row) && !isAnnotation(back)) {
      if (back.to_lane !== row.to_lane || back.mission_slug !== row.mission_slug || back.mission_id !== row.mission_id) {
        return `read-back failed: event ${row.event_id} did not persist as written`;
      }
    }
  }
  return null;
};

const writeError = (code: LogWriteError["code"], message: string, path: string, sta002 = false) =>
  new LogWriteError(sta002 ? { code, message, path, violatedInvariant: "STA-002" } : { code, message, path });

const describe = (cause: unknown): string =>
  (cause as NodeJS.ErrnoException).code ?? (cause instanceof Error ? cause.message : String(cause));

/** The row as a plain JSON object with the writer's omission rules applied. */
const normalizeRow = (row: StatusLogRow): JsonObject => {
  const obj = row as unknown as JsonObject;
  if (isAnnotation(row)) return obj;
  const evidence = obj["evidence"];
  const out: Record<string, JsonValue> = { ...obj };
  if (isJsonObject(evidence)) {
    const trimmed: Record<string, JsonValue> = { ...evidence };
    for (const key of ["repos", "verification"]) {
      const list = trimmed[key];
      if (list === undefined || (Array.isArray(list) && list.length === 0)) delete trimmed[key];
    }
    out["evidence"] = trimmed;
  }
  if (out["mission_id"] === null || out["mission_id"] === "") delete out["mission_id"];
  return out;
};

const PII_KEYS: ReadonlySet<string> = new Set([
  "machine_name",
  "hostname",
  "workspace_path",
  "developer_name",
  "developer_email",
]);

const stripPii = (value: JsonValue): JsonValue => {
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(stripPii);
  if (!isJsonObject(value)) return value;
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) {
    if (!PII_KEYS.has(key)) out[key] = stripPii(value[key] as JsonValue);
  }
  return out;
};

/** The reference's log sanitizer: nothing that identifies a machine or a person reaches a committed file. */
export const sanitizeForLog = (row: JsonObject): JsonObject => {
  const clean = stripPii(row) as Record<string, JsonValue>;
  const started = clean["session_started_at"];
  const ended = clean["session_ended_at"];
  if (started === undefined && ended === undefined) return clean;
  delete clean["session_started_at"];
  delete clean["session_ended_at"];
  if (typeof started === "string" && typeof ended === "string") {
    const seconds = (Date.parse(ended) - Date.parse(started)) / 1000;
    if (Number.isFinite(seconds)) clean["session_duration_s"] = Math.trunc(seconds);
  }
  return clean;
};
