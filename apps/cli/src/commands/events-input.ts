import * as Either from "effect/Either";
import { readFileSync } from "node:fs";
import { decodeEvent, renderPath, type Event } from "@spec-kitty/events";
import { InputFailure } from "../failure.ts";

/** One parsed line of a JSONL file, with its 1-based physical line number. */
export interface JsonLine {
  readonly line: number;
  readonly value: unknown;
}

/** Reads a whole file as text; an unreadable file is an input failure naming it. */
export const readText = (file: string): Either.Either<string, InputFailure> => {
  try {
    return Either.right(readFileSync(file, "utf8"));
  } catch (cause) {
    return Either.left(new InputFailure({ message: `${file}: cannot read the file (${reason(cause)})` }));
  }
};

/** Parses a JSON document; malformed text is an input failure naming the file. */
export const readJsonFile = (file: string): Either.Either<unknown, InputFailure> =>
  Either.flatMap(readText(file), (text) => {
    try {
      return Either.right(JSON.parse(text) as unknown);
    } catch (cause) {
      return Either.left(new InputFailure({ message: `${file}: not valid JSON (${reason(cause)})` }));
    }
  });

/**
 * Parses every non-blank line of a JSONL file. The first malformed line is an input failure naming the
 * file and the line; nothing is returned in that case, so no caller acts on half a file.
 */
export const readJsonLines = (file: string): Either.Either<ReadonlyArray<JsonLine>, InputFailure> =>
  Either.flatMap(readText(file), (text) => {
    const out: Array<JsonLine> = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i] as string;
      if (raw.trim() === "") continue;
      try {
        out.push({ line: i + 1, value: JSON.parse(raw) as unknown });
      } catch (cause) {
        return Either.left(new InputFailure({ message: `${file}:${i + 1}: not valid JSON (${reason(cause)})` }));
      }
    }
    return Either.right(out);
  });

/** Decodes every line as an event envelope; the first invalid one is an input failure naming file, line and field. */
export const readEvents = (file: string): Either.Either<ReadonlyArray<Event>, InputFailure> =>
  Either.flatMap(readJsonLines(file), (lines) => {
    const events: Array<Event> = [];
    for (const { line, value } of lines) {
      const decoded = decodeEvent(value);
      if (Either.isLeft(decoded)) {
        const detail = decoded.left.map((i) => `${renderPath(i.path)}: ${i.message}`).join("; ");
        return Either.left(new InputFailure({ message: `${file}:${line}: not a valid event envelope (${detail})` }));
      }
      events.push(decoded.right);
    }
    return Either.right(events);
  });

const reason = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? cause.code === "ENOENT"
      ? "no such file"
      : cause.code === "EISDIR"
        ? "is a directory"
        : cause.code === "EACCES"
          ? "permission denied"
          : cause.code
    : typeof cause === "object" && cause !== null && "message" in cause
      ? String(cause.message)
      : String(cause);
