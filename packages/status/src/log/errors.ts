import * as Data from "effect/Data";

export type LogReadErrorCode =
  | "LOG_SYMLINK_REFUSED"
  | "LOG_UNREADABLE"
  | "LOG_INVALID_UTF8"
  | "LOG_INVALID_JSON"
  | "LOG_INVALID_STRUCTURE"
  | "LOG_UNKNOWN_KIND";

/**
 * A status log that cannot be read. `message` follows the reference's wording ("Invalid JSON on line 3:
 * ...") and names the line; `path` is set when the text came from a file.
 */
export class LogReadError extends Data.TaggedError("LogReadError")<{
  readonly code: LogReadErrorCode;
  readonly message: string;
  readonly path?: string;
  readonly line?: number;
}> {}

export type LogWriteErrorCode =
  | "LOG_SYMLINK_REFUSED"
  | "LOG_WRITE_FAILED"
  | "STATUS_EVENT_PERSISTENCE_VERIFICATION_FAILED";

/**
 * An append that did not happen, or did not persist as intended. The verification failure carries the
 * reference's diagnostic code and violated invariant (STA-002).
 */
export class LogWriteError extends Data.TaggedError("LogWriteError")<{
  readonly code: LogWriteErrorCode;
  readonly message: string;
  readonly path: string;
  readonly violatedInvariant?: "STA-002";
}> {}
