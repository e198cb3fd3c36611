import * as AST from "effect/SchemaAST";
import * as JSONSchema from "effect/JSONSchema";
import * as Option from "effect/Option";
import type * as Schema from "effect/Schema";
import { ENVELOPE_EVENT_TYPE, PAYLOAD_SCHEMAS } from "./registry.ts";

/** One generated JSON Schema document: its file name under `schemas/` and its exact text. */
export interface JsonSchemaFile {
  readonly name: string;
  readonly file: string;
  readonly text: string;
}

/** `WPStatusChanged` -> `wp_status_changed` (acronym runs stay together). */
export const snakeCase = (s: string): string =>
  s
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();

/** The file stem of a contract: `event` for the envelope, `<snake_type>_payload` for payloads. */
export const schemaName = (eventType: string): string =>
  eventType === ENVELOPE_EVENT_TYPE ? "event" : `${snakeCase(eventType)}_payload`;

/**
 * Generates the JSON Schema (draft 2020-12) of one contract from its Effect Schema, describing the wire
 * (encoded) form. Objects reject unknown keys exactly where the contract does (structs marked with
 * `onExcessProperty: "error"`); elsewhere unknown keys are allowed, as the decoder ignores them.
 */
export const generateJsonSchema = (name: string, schema: Schema.Schema.AnyNoContext): Record<string, unknown> => {
  const policies = new Map<string, "error" | "ignore">();
  collectExcessPolicies(schema.ast, "ignore", policies, new Set());
  const generated = JSONSchema.make(schema, { target: "jsonSchema2020-12" }) as unknown as Record<string, unknown>;
  const body = applyPolicies(generated, policies) as Record<string, unknown>;
  return { ...body, $schema: "https://json-schema.org/draft/2020-12/schema", $id: `spec-kitty-events/${name}` };
};

/** All contracts of the package as files, sorted by file name. */
export const generateJsonSchemaFiles = (): ReadonlyArray<JsonSchemaFile> =>
  Object.entries(PAYLOAD_SCHEMAS)
    .map(([eventType, schema]) => {
      const name = schemaName(eventType);
      return { name, file: `${name}.schema.json`, text: renderJson(generateJsonSchema(name, schema)) };
    })
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

/** Deterministic text: keys sorted, two-space indent, trailing newline. */
export const renderJson = (value: unknown): string => `${JSON.stringify(sortKeys(value), null, 2)}\n`;

// ---------------------------------------------------------------------------------------------------------

const sortKeys = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(sortKeys);
  if (typeof u !== "object" || u === null) return u;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(u).sort()) out[k] = sortKeys((u as Record<string, unknown>)[k]);
  return out;
};

const signature = (names: ReadonlyArray<string>): string => [...names].sort().join("\u0000");

// Mirrors how the decoder resolves `onExcessProperty`: an annotation applies to its node and everything below.
const collectExcessPolicies = (
  ast: AST.AST,
  inherited: "error" | "ignore",
  out: Map<string, "error" | "ignore">,
  seen: Set<AST.AST>,
): void => {
  if (seen.has(ast)) return;
  seen.add(ast);
  const own = Option.getOrUndefined(AST.getParseOptionsAnnotation(ast))?.onExcessProperty;
  const policy = own === "error" ? "error" : own === "ignore" || own === "preserve" ? "ignore" : inherited;
  switch (ast._tag) {
    case "TypeLiteral": {
      if (ast.propertySignatures.length > 0) {
        const key = signature(ast.propertySignatures.map((p) => String(p.name)));
        const prior = out.get(key);
        if (prior !== undefined && prior !== policy) {
          throw new TypeError(`two object contracts with properties [${key.replaceAll("\u0000", ", ")}] disagree on unknown keys`);
        }
        out.set(key, policy);
      }
      for (const p of ast.propertySignatures) collectExcessPolicies(p.type, policy, out, seen);
      for (const i of ast.indexSignatures) collectExcessPolicies(i.type, policy, out, seen);
      return;
    }
    case "Union":
      for (const t of ast.types) collectExcessPolicies(t, policy, out, seen);
      return;
    case "Refinement":
      collectExcessPolicies(ast.from, policy, out, seen);
      return;
    case "Transformation":
      collectExcessPolicies(ast.from, policy, out, seen);
      collectExcessPolicies(ast.to, policy, out, seen);
      return;
    case "Suspend":
      collectExcessPolicies(ast.f(), policy, out, seen);
      return;
    case "TupleType":
      for (const e of ast.elements) collectExcessPolicies(e.type, policy, out, seen);
      for (const r of ast.rest) collectExcessPolicies(r.type, policy, out, seen);
      return;
    case "Declaration":
      for (const t of ast.typeParameters) collectExcessPolicies(t, policy, out, seen);
      return;
    default:
      return;
  }
};

const applyPolicies = (u: unknown, policies: ReadonlyMap<string, "error" | "ignore">): unknown => {
  if (Array.isArray(u)) return u.map((x) => applyPolicies(x, policies));
  if (typeof u !== "object" || u === null) return u;
  const o = u as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = applyPolicies(v, policies);
  const props = o["properties"];
  if (o["type"] === "object" && o["additionalProperties"] === false && typeof props === "object" && props !== null) {
    const names = Object.keys(props);
    if (names.length > 0 && policies.get(signature(names)) !== "error") delete out["additionalProperties"];
  }
  return out;
};
