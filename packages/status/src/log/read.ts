import * as Either from "effect/Either";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { LogReadError } from "./errors.ts";
import { EMPTY_LOG, parseEventLog } from "./parse.ts";
import type { ParsedLog } from "./rows.ts";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Reads the bytes of a file without following a symlink at its last component: a log replaced by a
 * link (to another mission's log, or outside the repository) is refused, not read through.
 * Returns `null` when the file does not exist.
 */
export const readBytesNoFollow = (path: string): Either.Either<Buffer | null, LogReadError> =>
  readNoFollow(path, (size) => Buffer.allocUnsafe(size));

/**
 * Opens `path` without following a symlink at its last component and reads it whole into the buffer
 * `bufferFor(size)` returns (at least `size` bytes); the result is the filled part of that buffer.
 */
const readNoFollow = (path: string, bufferFor: (size: number) => Buffer): Either.Either<Buffer | null, LogReadError> => {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return Either.right(null);
    if (code === "ELOOP" || code === "EMLINK") {
      return Either.left(
        new LogReadError({
          code: "LOG_SYMLINK_REFUSED",
          message: `${path}: refusing to read a status log that is a symbolic link`,
          path,
        }),
      );
    }
    return Either.left(
      new LogReadError({ code: "LOG_UNREADABLE", message: `${path}: cannot open: ${String(code ?? cause)}`, path }),
    );
  }
  try {
    const size = fstatSync(fd).size;
    const buffer = bufferFor(size);
    let offset = 0;
    while (offset < size) {
      const n = readSync(fd, buffer, offset, size - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    return Either.right(offset === buffer.length ? buffer : buffer.subarray(0, offset));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return Either.left(
      new LogReadError({ code: "LOG_UNREADABLE", message: `${path}: cannot read: ${String(code ?? cause)}`, path }),
    );
  } finally {
    closeSync(fd);
  }
};

/**
 * Logs up to this size are read into one reused buffer: their bytes live only until they are decoded,
 * and a fresh buffer per read costs more than the read itself.
 */
const SCRATCH_LIMIT = 1 << 20;
let scratch: Buffer | undefined;
const scratchFor = (size: number): Buffer => {
  if (size > SCRATCH_LIMIT) return Buffer.allocUnsafe(size);
  scratch ??= Buffer.allocUnsafe(SCRATCH_LIMIT);
  return scratch;
};

/** Decodes UTF-8 strictly: a log with invalid bytes is an error, as in the reference. */
export const decodeUtf8 = (bytes: Uint8Array, path: string): Either.Either<string, LogReadError> => {
  try {
    return Either.right(decoder.decode(bytes));
  } catch {
    return Either.left(
      new LogReadError({ code: "LOG_INVALID_UTF8", message: `${path}: the status log is not valid UTF-8`, path }),
    );
  }
};

/**
 * Reads and parses `status.events.jsonl` at `path`. A missing file is an empty log (`exists: false`);
 * a symlink, unreadable bytes, invalid JSON, an unknown `kind` or a malformed row is an error naming
 * the file and, where it applies, the line.
 */
export const readEventLog = (path: string): Either.Either<ParsedLog, LogReadError> =>
  Either.flatMap(readNoFollow(path, scratchFor), (bytes) =>
    bytes === null ? Either.right(EMPTY_LOG) : Either.flatMap(decodeUtf8(bytes, path), (text) => parseEventLog(text, path)),
  );
