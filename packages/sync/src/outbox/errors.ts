/** Stable codes of the outbox's failures. */
export type OutboxErrorCode =
  /** The database file or its directory cannot be created, opened or written. */
  | "OUTBOX_UNAVAILABLE"
  /** The file is not a SQLite database, or its schema is not one this version understands. */
  | "OUTBOX_CORRUPT"
  /** Another process held the write lock past the busy timeout. */
  | "OUTBOX_LOCKED"
  /** A caller broke the API's contract (an outcome for an event of another project, an unknown state). */
  | "OUTBOX_MISUSE";

/** A failure of the outbox, as a value with a stable code and the message a user needs to act. */
export class OutboxError extends Error {
  readonly code: OutboxErrorCode;
  readonly path: string;
  constructor(code: OutboxErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OutboxError";
    this.code = code;
    this.path = path;
  }
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Classifies a SQLite (or file system) error raised while using the database at `path`. */
export const classifySqliteError = (path: string, error: unknown, doing: string): OutboxError => {
  if (error instanceof OutboxError) return error;
  const text = messageOf(error);
  const errcode = (error as { errcode?: unknown }).errcode;
  const code = typeof errcode === "number" ? errcode & 0xff : -1;
  if (code === 5 || code === 6 || /database is locked|database table is locked|SQLITE_BUSY/i.test(text)) {
    return new OutboxError("OUTBOX_LOCKED", path, `the outbox ${path} stayed locked by another process while ${doing}: ${text}`, { cause: error });
  }
  if (code === 26 || code === 11 || /not a database|malformed|file is encrypted/i.test(text)) {
    return new OutboxError(
      "OUTBOX_CORRUPT",
      path,
      `the outbox ${path} is not a usable SQLite database (${text}) while ${doing}; move it aside and run the command again`,
      { cause: error },
    );
  }
  return new OutboxError("OUTBOX_UNAVAILABLE", path, `the outbox ${path} cannot be used while ${doing}: ${text}`, { cause: error });
};
