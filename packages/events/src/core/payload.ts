import * as Either from "effect/Either";
import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";
import { makeIssue, type ValidationErrorCode, type ValidationIssue } from "./issues.ts";

type Decoder = (u: unknown) => Either.Either<unknown, ParseResult.ParseError>;

// One compiled decoder per schema: building it is the expensive part, decoding is cheap.
const decoders = new WeakMap<object, Decoder>();

const decoderFor = (schema: Schema.Schema.AnyNoContext): Decoder => {
  const cached = decoders.get(schema);
  if (cached !== undefined) return cached;
  const d: Decoder = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" });
  decoders.set(schema, d);
  return d;
};

/**
 * Decodes a payload with a family's schema, turning a failure into validation issues (one per problem,
 * with the path inside the payload and PAYLOAD_SCHEMA_FAIL unless another code is given). Every family
 * goes through here so errors look the same everywhere.
 */
export const decodePayload = <A, I>(
  schema: Schema.Schema<A, I>,
  payload: unknown,
  code: ValidationErrorCode = "PAYLOAD_SCHEMA_FAIL",
): Either.Either<A, ReadonlyArray<ValidationIssue>> => {
  const r = decoderFor(schema as Schema.Schema.AnyNoContext)(payload);
  if (Either.isRight(r)) return Either.right(r.right as A);
  return Either.left(parseErrorToIssues(r.left, code));
};

/** Converts an Effect parse error into validation issues. */
export const parseErrorToIssues = (
  error: ParseResult.ParseError,
  code: ValidationErrorCode = "PAYLOAD_SCHEMA_FAIL",
): ReadonlyArray<ValidationIssue> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((i) =>
    makeIssue(
      code,
      i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      i.message,
    ),
  );
