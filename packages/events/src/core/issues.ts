import * as Schema from "effect/Schema";

/**
 * The closed set of machine codes a validation issue carries. The set is part of the wire contract:
 * consumers route on it, so it only grows with a contract change.
 */
export const ValidationErrorCode = Schema.Literal(
  "FORBIDDEN_KEY",
  "UNKNOWN_LANE",
  "PAYLOAD_SCHEMA_FAIL",
  "ENVELOPE_SHAPE_INVALID",
  "RAW_HISTORICAL_ROW",
);
export type ValidationErrorCode = typeof ValidationErrorCode.Type;

export const VALIDATION_ERROR_CODES: ReadonlyArray<ValidationErrorCode> = ValidationErrorCode.literals;

/** One structured validation problem: what (code), where (path into the input) and a human message. */
export interface ValidationIssue {
  readonly code: ValidationErrorCode;
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** Schema of a validation issue as it appears on the wire (e.g. in `events conform` output). */
export const ValidationIssueSchema = Schema.Struct({
  code: ValidationErrorCode,
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  message: Schema.String,
  details: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
});

/** Base error of the package, raised where the reference raises its base exception (e.g. strict reducers). */
export class SpecKittyEventsError extends Schema.TaggedError<SpecKittyEventsError>()("SpecKittyEventsError", {
  message: Schema.String,
}) {}

export const makeIssue = (
  code: ValidationErrorCode,
  path: ReadonlyArray<string | number>,
  message: string,
  details?: Record<string, unknown>,
): ValidationIssue => (details === undefined ? { code, path, message } : { code, path, message, details });

/** Renders a path the way error messages show it: `payload.participant_ids.1`, or `<root>` for the root. */
export const renderPath = (path: ReadonlyArray<string | number>): string =>
  path.length === 0 ? "<root>" : path.join(".");

/**
 * A one-line, human rendering of a list of issues, for anomaly reasons such as
 * `payload validation failed: <this>` (only the prefix of such reasons is part of the contract).
 */
export const describeIssues = (issues: ReadonlyArray<ValidationIssue>): string => {
  const n = issues.length;
  const head = `${n} validation error${n === 1 ? "" : "s"}`;
  return n === 0 ? head : `${head}: ${issues.map((i) => `${renderPath(i.path)}: ${i.message}`).join("; ")}`;
};
