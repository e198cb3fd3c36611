/**
 * A validity predicate compiled from a Schema's AST. It answers exactly what
 * `Either.isRight(Schema.decodeUnknownEither(schema)(u))` answers (a property test checks this), without
 * building parse results, so validation stays cheap on hot paths. Nodes it does not understand are handed
 * to Effect's own decoder, so the verdict never drifts from the Schema, which remains the single source.
 */
import * as Either from "effect/Either";
import * as Option from "effect/Option";
import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";
import * as AST from "effect/SchemaAST";

export type Validator = (input: unknown) => boolean;

/** Compiles the decoding verdict of `schema` into a plain predicate. */
export const compileValidator = <A, I, R>(schema: Schema.Schema<A, I, R>): Validator =>
  compile(schema.ast, AST.defaultParseOption);

type Options = AST.ParseOptions;

const compile = (ast: AST.AST, inherited: Options): Validator => {
  const annotated = AST.getParseOptionsAnnotation(ast);
  const options: Options = Option.isSome(annotated) ? { ...inherited, ...annotated.value } : inherited;
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => typeof u === "string";
    case "NumberKeyword":
      return (u) => typeof u === "number";
    case "BooleanKeyword":
      return (u) => typeof u === "boolean";
    case "UndefinedKeyword":
      return (u) => u === undefined;
    case "UnknownKeyword":
    case "AnyKeyword":
      return () => true;
    case "Literal": {
      const literal = ast.literal;
      return (u) => u === literal;
    }
    case "Union":
      return compileUnion(ast, options);
    case "TupleType":
      return compileArray(ast, options);
    case "TypeLiteral":
      return compileStruct(ast, options);
    case "Refinement":
      return compileRefinement(ast, options);
    case "Transformation":
      // Property defaults cannot fail, so the verdict is the one of the encoded side.
      return ast.transformation._tag === "TypeLiteralTransformation" && ast.to._tag === "TypeLiteral"
        ? compile(ast.from, options)
        : fallback(ast, options);
    default:
      return fallback(ast, options);
  }
};

const compileUnion = (ast: AST.Union, options: Options): Validator => {
  // Cheap members first: the verdict of a union does not depend on the order members are tried in.
  const members = [...ast.types]
    .sort((a, b) => cost(a) - cost(b))
    .map((member) => compile(member, options));
  return (u) => {
    for (const member of members) if (member(u)) return true;
    return false;
  };
};

const cost = (ast: AST.AST): number =>
  ast._tag === "Literal" || ast._tag.endsWith("Keyword") ? 0 : ast._tag === "Refinement" ? 1 : 2;

const compileArray = (ast: AST.TupleType, options: Options): Validator => {
  const [rest, ...tail] = ast.rest;
  if (ast.elements.length !== 0 || rest === undefined || tail.length !== 0) return fallback(ast, options);
  const item = compile(rest.type, options);
  return (u) => {
    if (!Array.isArray(u)) return false;
    for (let i = 0; i < u.length; i++) if (!item(u[i])) return false;
    return true;
  };
};

const compileStruct = (ast: AST.TypeLiteral, options: Options): Validator => {
  if (ast.indexSignatures.length !== 0) return fallback(ast, options);
  if (ast.propertySignatures.length === 0) return (u) => u !== null && u !== undefined;
  const names: Array<PropertyKey> = [];
  const optional: Array<boolean> = [];
  const checks: Array<Validator> = [];
  for (const ps of ast.propertySignatures) {
    names.push(ps.name);
    optional.push(ps.isOptional);
    checks.push(compile(ps.type, options));
  }
  const known = new Set<PropertyKey>(names);
  const rejectExcess = options.onExcessProperty === "error";
  return (u) => {
    if (typeof u !== "object" || u === null || Array.isArray(u)) return false;
    const record = u as Record<PropertyKey, unknown>;
    if (rejectExcess) {
      for (const key of Reflect.ownKeys(record)) if (!known.has(key)) return false;
    }
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as PropertyKey;
      if (!Object.prototype.hasOwnProperty.call(record, name)) {
        if (optional[i] === true) continue;
        if (!(checks[i] as Validator)(undefined)) return false;
        continue;
      }
      if (!(checks[i] as Validator)(record[name])) return false;
    }
    return true;
  };
};

const compileRefinement = (ast: AST.Refinement, options: Options): Validator => {
  // A filter sees the decoded value; only when decoding is the identity may it run on the raw input.
  if (!isIdentityOnDecode(ast.from)) return fallback(ast, options);
  const from = compile(ast.from, options);
  const minimum = lengthBound(ast);
  if (minimum !== undefined) return (u) => from(u) && (u as { readonly length: number }).length >= minimum;
  const filter = ast.filter;
  return (u) => from(u) && Option.isNone(filter(u, options, ast));
};

// `Schema.minLength(n)` / `Schema.minItems(n)` filters are `length >= n`; inlining them avoids the filter call.
const lengthBound = (ast: AST.Refinement): number | undefined => {
  const id = AST.getSchemaIdAnnotation(ast);
  const json = AST.getJSONSchemaAnnotation(ast);
  if (Option.isNone(id) || Option.isNone(json)) return undefined;
  const bound = id.value === Schema.MinLengthSchemaId
    ? (json.value as { readonly minLength?: unknown }).minLength
    : id.value === Schema.MinItemsSchemaId
      ? (json.value as { readonly minItems?: unknown }).minItems
      : undefined;
  return typeof bound === "number" && Number.isInteger(bound) ? bound : undefined;
};

const isIdentityOnDecode = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "Transformation":
    case "Declaration":
    case "Suspend":
      return false;
    case "Refinement":
      return isIdentityOnDecode(ast.from);
    case "Union":
      return ast.types.every(isIdentityOnDecode);
    case "TupleType":
      return ast.elements.every((e) => isIdentityOnDecode(e.type)) && ast.rest.every((r) => isIdentityOnDecode(r.type));
    case "TypeLiteral":
      // Decoding a struct drops unknown keys, so a filter could observe a different value than the input.
      return false;
    default:
      return true;
  }
};

const fallback = (ast: AST.AST, options: Options): Validator => {
  const decode = ParseResult.decodeUnknownEither(Schema.make<unknown, unknown, never>(ast), options);
  return (u) => Either.isRight(decode(u));
};
