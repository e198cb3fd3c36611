import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { parsePyDateTime } from "../core/index.ts";

/** A consumer stored something other than the producer's occurrence time under the occurrence field. */
export class TimestampSubstitutionError extends Schema.TaggedError<TimestampSubstitutionError>()(
  "TimestampSubstitutionError",
  {
    field_name: Schema.String,
    expected: Schema.String,
    actual: Schema.String,
    message: Schema.String,
  },
) {}

/**
 * Checks that a consumer preserved the producer's occurrence time: the persisted value must denote the
 * same instant as the envelope's `timestamp` (both read as UTC when naive). Receipt time belongs in a
 * separate field (e.g. `received_at`).
 */
export const assertProducerOccurrencePreserved = (
  envelope: Readonly<Record<string, unknown>>,
  persisted: string | number,
  fieldName = "timestamp",
): Either.Either<void, TimestampSubstitutionError> => {
  const produced = envelope["timestamp"];
  const expected = typeof produced === "string" || typeof produced === "number" ? parsePyDateTime(produced) : "missing";
  const actual = parsePyDateTime(persisted);
  const fail = (why: string) =>
    Either.left(
      new TimestampSubstitutionError({
        field_name: fieldName,
        expected: typeof expected === "string" ? String(produced) : expected.json,
        actual: typeof actual === "string" ? String(persisted) : actual.json,
        message: `${fieldName}: ${why}`,
      }),
    );
  if (typeof expected === "string") return fail(`producer timestamp is not a datetime (${expected})`);
  if (typeof actual === "string") return fail(`persisted value is not a datetime (${actual})`);
  if (expected.epochMicros !== actual.epochMicros) {
    return fail(`persisted occurrence time ${actual.json} differs from the producer's ${expected.json}`);
  }
  return Either.right(undefined);
};
