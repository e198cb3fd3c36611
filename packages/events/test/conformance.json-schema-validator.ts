/**
 * A small JSON Schema (2020-12) validator for the subset of keywords our generated schemas use. Unknown
 * assertion keywords are an error, so a generator change that emits something new fails loudly here
 * instead of being silently ignored. `format` is an annotation (not asserted), as in the reference.
 */
export interface SchemaError {
  readonly path: string;
  readonly keyword: string;
  readonly message: string;
}

type JsonSchema = boolean | Record<string, unknown>;

const ANNOTATIONS = new Set(["$schema", "$id", "$defs", "title", "description", "format", "default", "examples", "$comment"]);
const regexCache = new Map<string, RegExp>();

export const validateJsonSchema = (root: Record<string, unknown>, instance: unknown): ReadonlyArray<SchemaError> => {
  const errors: Array<SchemaError> = [];
  check(root, root, instance, "$", errors);
  return errors;
};

const typeOf = (u: unknown): string =>
  u === null ? "null" : Array.isArray(u) ? "array" : typeof u === "number" ? (Number.isInteger(u) ? "integer" : "number") : typeof u;

const matchesType = (u: unknown, t: string): boolean => {
  const actual = typeOf(u);
  return actual === t || (t === "number" && actual === "integer");
};

const resolveRef = (root: Record<string, unknown>, ref: string): JsonSchema => {
  if (!ref.startsWith("#/")) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split("/")) node = (node as Record<string, unknown>)[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  return node as JsonSchema;
};

const deepEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const codePoints = (s: string): number => [...s].length;

const check = (
  root: Record<string, unknown>,
  schema: JsonSchema,
  u: unknown,
  path: string,
  errors: Array<SchemaError>,
): void => {
  if (schema === true) return;
  if (schema === false) {
    errors.push({ path, keyword: "false", message: "no value is allowed here" });
    return;
  }
  const fail = (keyword: string, message: string) => errors.push({ path, keyword, message });
  for (const [k, v] of Object.entries(schema)) {
    if (ANNOTATIONS.has(k)) continue;
    switch (k) {
      case "$ref":
        check(root, resolveRef(root, v as string), u, path, errors);
        break;
      case "type": {
        const types = Array.isArray(v) ? (v as Array<string>) : [v as string];
        if (!types.some((t) => matchesType(u, t))) fail(k, `expected ${types.join(" or ")}, got ${typeOf(u)}`);
        break;
      }
      case "enum":
        if (!(v as Array<unknown>).some((x) => deepEqual(x, u))) fail(k, `not one of ${JSON.stringify(v)}`);
        break;
      case "const":
        if (!deepEqual(v, u)) fail(k, `must equal ${JSON.stringify(v)}`);
        break;
      case "anyOf":
        if (!(v as Array<JsonSchema>).some((s) => validateSub(root, s, u))) fail(k, "matches none of the alternatives");
        break;
      case "oneOf":
        if ((v as Array<JsonSchema>).filter((s) => validateSub(root, s, u)).length !== 1) fail(k, "must match exactly one alternative");
        break;
      case "allOf":
        for (const s of v as Array<JsonSchema>) check(root, s, u, path, errors);
        break;
      case "not":
        if (validateSub(root, v as JsonSchema, u)) fail(k, "must not match");
        break;
      case "minLength":
        if (typeof u === "string" && codePoints(u) < (v as number)) fail(k, `shorter than ${String(v)}`);
        break;
      case "maxLength":
        if (typeof u === "string" && codePoints(u) > (v as number)) fail(k, `longer than ${String(v)}`);
        break;
      case "pattern": {
        const src = v as string;
        let re = regexCache.get(src);
        if (re === undefined) {
          re = new RegExp(src, "u");
          regexCache.set(src, re);
        }
        if (typeof u === "string" && !re.test(u)) fail(k, `does not match ${src}`);
        break;
      }
      case "minimum":
        if (typeof u === "number" && u < (v as number)) fail(k, `less than ${String(v)}`);
        break;
      case "maximum":
        if (typeof u === "number" && u > (v as number)) fail(k, `greater than ${String(v)}`);
        break;
      case "exclusiveMinimum":
        if (typeof u === "number" && u <= (v as number)) fail(k, `not greater than ${String(v)}`);
        break;
      case "exclusiveMaximum":
        if (typeof u === "number" && u >= (v as number)) fail(k, `not less than ${String(v)}`);
        break;
      case "multipleOf":
        if (typeof u === "number" && !Number.isInteger(u / (v as number))) fail(k, `not a multiple of ${String(v)}`);
        break;
      case "minItems":
        if (Array.isArray(u) && u.length < (v as number)) fail(k, `fewer than ${String(v)} items`);
        break;
      case "maxItems":
        if (Array.isArray(u) && u.length > (v as number)) fail(k, `more than ${String(v)} items`);
        break;
      case "items":
        if (Array.isArray(u)) {
          const start = Array.isArray(schema["prefixItems"]) ? (schema["prefixItems"] as Array<unknown>).length : 0;
          for (let i = start; i < u.length; i++) check(root, v as JsonSchema, u[i], `${path}[${i}]`, errors);
        }
        break;
      case "prefixItems":
        if (Array.isArray(u)) (v as Array<JsonSchema>).forEach((s, i) => i < u.length && check(root, s, u[i], `${path}[${i}]`, errors));
        break;
      case "required":
        if (typeOf(u) === "object") {
          for (const name of v as Array<string>) if (!Object.hasOwn(u as object, name)) fail(k, `missing property ${name}`);
        }
        break;
      case "properties":
        if (typeOf(u) === "object") {
          for (const [name, s] of Object.entries(v as Record<string, JsonSchema>)) {
            if (Object.hasOwn(u as object, name)) check(root, s, (u as Record<string, unknown>)[name], `${path}.${name}`, errors);
          }
        }
        break;
      case "additionalProperties":
        if (typeOf(u) === "object") {
          const declared = (schema["properties"] ?? {}) as Record<string, unknown>;
          const patterns = Object.keys((schema["patternProperties"] ?? {}) as Record<string, unknown>).map((p) => new RegExp(p, "u"));
          for (const [name, value] of Object.entries(u as Record<string, unknown>)) {
            if (Object.hasOwn(declared, name) || patterns.some((p) => p.test(name))) continue;
            if (v === false) fail(k, `unknown property ${name}`);
            else check(root, v as JsonSchema, value, `${path}.${name}`, errors);
          }
        }
        break;
      case "patternProperties":
        if (typeOf(u) === "object") {
          for (const [p, s] of Object.entries(v as Record<string, JsonSchema>)) {
            const re = new RegExp(p, "u");
            for (const [name, value] of Object.entries(u as Record<string, unknown>)) {
              if (re.test(name)) check(root, s, value, `${path}.${name}`, errors);
            }
          }
        }
        break;
      case "propertyNames":
        if (typeOf(u) === "object") for (const name of Object.keys(u as object)) check(root, v as JsonSchema, name, `${path}{${name}}`, errors);
        break;
      default:
        throw new Error(`unsupported JSON Schema keyword ${k} at ${path}`);
    }
  }
};

const validateSub = (root: Record<string, unknown>, schema: JsonSchema, u: unknown): boolean => {
  const errors: Array<SchemaError> = [];
  check(root, schema, u, "$", errors);
  return errors.length === 0;
};
