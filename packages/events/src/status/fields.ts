import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";
import * as Either from "effect/Either";
import { PyDateTimeFromInput } from "../core/index.ts";

/**
 * Field building blocks shared by the status and lifecycle payload contracts.
 *
 * Every payload contract exists at two strictness levels:
 * - `model`: what the reference's model layer accepts (lax scalars: `true` or `"5"` for an int, `0`/`"yes"` for a
 *   bool, unix seconds for a datetime). Reducers parse payloads at this level, as the reference does.
 * - `wire`: the reference's dual-layer verdict, i.e. model AND published JSON Schema. For contracts that publish a
 *   JSON Schema this means strict JSON types; for contracts without one it equals `model`.
 */
export type Strictness = "model" | "wire";

/** A string with at least one character. */
export const NonEmptyString = Schema.String.pipe(Schema.minLength(1));

/** An optional, nullable field that decodes to `null` when absent (and is always present when encoded). */
export const optionalNullable = <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null });

/** Marks a struct as rejecting unknown keys, whatever the caller's parse options say. */
export const forbidExtra = { parseOptions: { onExcessProperty: "error" } } as const;
/** Marks a struct as dropping unknown keys, whatever the caller's parse options say. */
export const ignoreExtra = { parseOptions: { onExcessProperty: "ignore" } } as const;

/** A message annotation for a literal union: `Input should be 'a', 'b' or 'c'` instead of one issue per member. */
export const oneOfMessage = (values: ReadonlyArray<string>) => {
  const quoted = values.map((v) => `'${v}'`);
  const text = quoted.length < 2 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
  return { message: () => ({ message: `Input should be ${text}`, override: true }) } as const;
};

/**
 * An integer as the reference's model layer coerces it: JSON integers, integral floats, booleans (`true` is 1)
 * and integer text (surrounding whitespace allowed). Fractional values and other types fail.
 */
export const LaxInt: Schema.Schema<number, unknown> = Schema.transformOrFail(Schema.Unknown, Schema.Number, {
  strict: true,
  decode: (input, _, ast) => {
    const n = laxInt(input);
    return n === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, input, "Input should be a valid integer"))
      : ParseResult.succeed(n);
  },
  encode: (n) => ParseResult.succeed(n),
}).annotations({ identifier: "LaxInt", jsonSchema: { type: "integer" } });

/** A boolean as the reference's model layer coerces it: booleans, 0/1, and the usual yes/no words. */
export const LaxBool: Schema.Schema<boolean, unknown> = Schema.transformOrFail(Schema.Unknown, Schema.Boolean, {
  strict: true,
  decode: (input, _, ast) => {
    const b = laxBool(input);
    return b === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, input, "Input should be a valid boolean"))
      : ParseResult.succeed(b);
  },
  encode: (b) => ParseResult.succeed(b),
}).annotations({ identifier: "LaxBool", jsonSchema: { type: "boolean" } });

/** An integer field at the given strictness, bounded below by `min`. */
export const intField = (strictness: Strictness, min: number): Schema.Schema<number, unknown> =>
  strictness === "model"
    ? LaxInt.pipe(Schema.filter((n) => n >= min || `Input should be greater than or equal to ${min}`))
    : (Schema.Int.pipe(Schema.greaterThanOrEqualTo(min)) as unknown as Schema.Schema<number, unknown>);

/** A boolean field at the given strictness. */
export const boolField = (strictness: Strictness): Schema.Schema<boolean, unknown> =>
  strictness === "model" ? LaxBool : (Schema.Boolean as unknown as Schema.Schema<boolean, unknown>);

/**
 * A datetime field, kept as the text or number it arrived as (these payload timestamps are never re-rendered).
 * `model` also accepts unix seconds as numbers; `wire` demands text, as the JSON Schema does.
 */
export const dateTimeField = (strictness: Strictness): Schema.Schema<string | number> =>
  (strictness === "model" ? Schema.Union(Schema.String, Schema.Number) : Schema.String).pipe(
    Schema.filter((v: string | number) => Either.isRight(parsePyDateTime(v)) || "Input should be a valid datetime"),
    Schema.annotations({ jsonSchema: { type: "string", format: "date-time" } }),
  ) as Schema.Schema<string | number>;

// ---------------------------------------------------------------------------------------------------------

const parsePyDateTime = Schema.decodeEither(PyDateTimeFromInput);

const INT_TEXT = /^\s*[+-]?[0-9]+(_[0-9]+)*\s*$/;
const TRUE_WORDS = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE_WORDS = new Set(["0", "off", "f", "false", "n", "no"]);

const laxInt = (u: unknown): number | undefined => {
  if (typeof u === "boolean") return u ? 1 : 0;
  if (typeof u === "number") return Number.isInteger(u) ? u : undefined;
  if (typeof u === "string" && INT_TEXT.test(u)) return Number(u.trim().replaceAll("_", ""));
  return undefined;
};

const laxBool = (u: unknown): boolean | undefined => {
  if (typeof u === "boolean") return u;
  if (u === 0 || u === 1) return u === 1;
  if (typeof u === "string") {
    const w = u.toLowerCase();
    if (TRUE_WORDS.has(w)) return true;
    if (FALSE_WORDS.has(w)) return false;
  }
  return undefined;
};
