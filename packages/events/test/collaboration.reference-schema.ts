/**
 * A small JSON Schema (draft 2020-12) checker for the keywords the reference's collaboration schemas use,
 * so tests can hold our payload Schemas against the reference's published schemas. Unknown keywords fail
 * loudly rather than being ignored. `format` is not asserted, as in the reference's validator.
 */
type JsonSchema = Readonly<Record<string, unknown>>;

const ANNOTATIONS = new Set(["$schema", "$id", "$defs", "title", "description", "default", "format", "examples"]);
const KEYWORDS = new Set(["type", "enum", "const", "required", "properties", "additionalProperties", "minLength", "maxLength", "minItems", "maxItems", "items", "anyOf", "$ref", "pattern", "minimum", "maximum"]);

const typeOk = (type: string, u: unknown): boolean => {
  switch (type) {
    case "object":
      return typeof u === "object" && u !== null && !Array.isArray(u);
    case "array":
      return Array.isArray(u);
    case "string":
      return typeof u === "string";
    case "null":
      return u === null;
    case "boolean":
      return typeof u === "boolean";
    case "integer":
      return typeof u === "number" && Number.isInteger(u);
    case "number":
      return typeof u === "number";
    default:
      throw new Error(`unsupported JSON Schema type ${type}`);
  }
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Whether `u` satisfies `schema` (resolving `#/$defs/...` references against `root`). */
export const jsonSchemaAccepts = (schema: JsonSchema, u: unknown, root: JsonSchema = schema): boolean => {
  for (const key of Object.keys(schema)) {
    if (!ANNOTATIONS.has(key) && !KEYWORDS.has(key)) throw new Error(`unsupported JSON Schema keyword ${key}`);
  }
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === "string") {
    const name = s.$ref.replace("#/$defs/", "");
    const target = (root.$defs as Record<string, JsonSchema> | undefined)?.[name];
    if (target === undefined) throw new Error(`unresolved $ref ${s.$ref}`);
    if (!jsonSchemaAccepts(target, u, root)) return false;
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as Array<string>) : [s.type as string];
    if (!types.some((t) => typeOk(t, u))) return false;
  }
  if (Array.isArray(s.enum) && !s.enum.some((v) => same(v, u))) return false;
  if (s.const !== undefined && !same(s.const, u)) return false;
  if (Array.isArray(s.anyOf) && !s.anyOf.some((sub) => jsonSchemaAccepts(sub as JsonSchema, u, root))) return false;
  if (typeof u === "string") {
    const length = [...u].length;
    if (typeof s.minLength === "number" && length < s.minLength) return false;
    if (typeof s.maxLength === "number" && length > s.maxLength) return false;
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(u)) return false;
  }
  if (typeof u === "number") {
    if (typeof s.minimum === "number" && u < s.minimum) return false;
    if (typeof s.maximum === "number" && u > s.maximum) return false;
  }
  if (Array.isArray(u)) {
    if (typeof s.minItems === "number" && u.length < s.minItems) return false;
    if (typeof s.maxItems === "number" && u.length > s.maxItems) return false;
    if (s.items !== undefined && !u.every((item) => jsonSchemaAccepts(s.items as JsonSchema, item, root))) return false;
  }
  if (typeof u === "object" && u !== null && !Array.isArray(u)) {
    const o = u as Record<string, unknown>;
    if (Array.isArray(s.required) && !s.required.every((k) => Object.hasOwn(o, k as string))) return false;
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    for (const [k, sub] of Object.entries(props)) {
      if (Object.hasOwn(o, k) && !jsonSchemaAccepts(sub, o[k], root)) return false;
    }
    if (s.additionalProperties === false && Object.keys(o).some((k) => !Object.hasOwn(props, k))) return false;
  }
  return true;
};
