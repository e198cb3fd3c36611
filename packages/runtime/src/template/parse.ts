import { LineCounter, parseDocument } from "yaml";
import { type TemplateError, templateError } from "../errors.ts";
import {
  type ActorType,
  type AuditStep,
  ENFORCEMENTS,
  type MissionHeader,
  type MissionTemplate,
  type PromptStep,
  type RaciAssignment,
  type RaciRole,
  SIGNIFICANCE_DIMENSIONS,
  type Significance,
  type SignificanceDimension,
  TRIGGER_MODES,
} from "./types.ts";

export interface ParseOptions {
  /** Shown in every error; also the source of the default key for the shorthand header (its parent folder). */
  readonly file: string;
  /** Key used by the shorthand header when the file has no `key` (the reference uses the parent folder name). */
  readonly fallbackKey?: string;
}

export type ParseResult = { readonly ok: true; readonly template: MissionTemplate } | { readonly ok: false; readonly error: TemplateError };

/**
 * Parses and validates mission template YAML. Pure: the caller reads the file. Every problem names the file, the
 * field (as a path such as `steps[1].depends_on[0]`) and, when the YAML says where it is, the line.
 */
export const parseMissionTemplate = (text: string, options: ParseOptions): ParseResult => {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const at = yamlError.linePos?.[0];
    const where = at === undefined ? "" : ` (line ${at.line}, column ${at.col})`;
    const detail = yamlError.message.split("\n")[0] ?? yamlError.message;
    return { ok: false, error: templateError("TEMPLATE_YAML_INVALID", options.file, null, `${options.file}${where}: invalid YAML: ${detail}`) };
  }
  // A missing field has no node: report the line of the nearest enclosing one.
  const lineOf = (path: ReadonlyArray<string | number>): number | null => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = typeof node === "object" && node !== null && "range" in node ? (node as { range?: [number, number, number] }).range : undefined;
      if (range !== undefined) return lines.linePos(range[0]).line;
    }
    return null;
  };
  try {
    return { ok: true, template: readTemplate(doc.toJS() as unknown, options) };
  } catch (e) {
    if (e instanceof FieldProblem) {
      const line = lineOf(e.path);
      const field = renderPath(e.path);
      const where = line === null ? "" : ` (line ${line})`;
      const code = e.path.length === 0 && e.noSteps ? "TEMPLATE_HAS_NO_STEPS" : "TEMPLATE_FIELD_INVALID";
      const subject = field === "" ? "" : ` field '${field}'`;
      return { ok: false, error: templateError(code, options.file, field === "" ? null : field, `${options.file}${where}:${subject} ${e.message}`) };
    }
    throw e;
  }
};

/** Thrown inside the validator only; turned into a TemplateError value before leaving this module. */
class FieldProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
  readonly noSteps: boolean;
  constructor(path: ReadonlyArray<string | number>, message: string, noSteps = false) {
    this.path = path;
    this.message = message;
    this.noSteps = noSteps;
  }
}

type Path = ReadonlyArray<string | number>;

const renderPath = (path: Path): string =>
  path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc === "" ? seg : `${acc}.${seg}`), "");

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const record = (v: unknown, path: Path): Record<string, unknown> => {
  if (!isRecord(v)) throw new FieldProblem(path, `must be a mapping, got ${describe(v)}`);
  return v;
};

const describe = (v: unknown): string =>
  v === null || v === undefined ? "nothing" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a mapping" : `${typeof v} ${JSON.stringify(v)}`;

const requiredString = (obj: Record<string, unknown>, key: string, path: Path, minLength = 0): string => {
  const v = obj[key];
  if (v === undefined || v === null) throw new FieldProblem([...path, key], "is required");
  if (typeof v !== "string") throw new FieldProblem([...path, key], `must be a string, got ${describe(v)}`);
  if (v.trim().length < minLength) throw new FieldProblem([...path, key], "must not be empty");
  return v;
};

const optionalString = (obj: Record<string, unknown>, key: string, path: Path): string | null => {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new FieldProblem([...path, key], `must be a string, got ${describe(v)}`);
  return v;
};

const stringList = (obj: Record<string, unknown>, key: string, path: Path): ReadonlyArray<string> => {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldProblem([...path, key], `must be a list of strings, got ${describe(v)}`);
  return v.map((item: unknown, i) => {
    if (typeof item !== "string" || item.length === 0) throw new FieldProblem([...path, key, i], `must be a non-empty string, got ${describe(item)}`);
    return item;
  });
};

const oneOf = <T extends string>(obj: Record<string, unknown>, key: string, allowed: ReadonlyArray<T>, path: Path, fallback: T | null): T => {
  const v = obj[key];
  if ((v === undefined || v === null) && fallback !== null) return fallback;
  if (typeof v !== "string" || !(allowed as ReadonlyArray<string>).includes(v))
    throw new FieldProblem([...path, key], `must be one of ${allowed.join(", ")}, got ${describe(v)}`);
  return v as T;
};

const readTemplate = (raw: unknown, options: ParseOptions): MissionTemplate => {
  const root = record(raw, []);
  const mission = readHeader(root, options);
  const steps = readList(root, "steps", readPromptStep);
  const auditSteps = readList(root, "audit_steps", readAuditStep);
  if (steps.length === 0 && auditSteps.length === 0)
    throw new FieldProblem([], `mission template '${mission.key}' has no steps and no audit_steps`, true);
  checkGraph(steps, auditSteps);
  return { mission, steps, audit_steps: auditSteps };
};

const readHeader = (root: Record<string, unknown>, options: ParseOptions): MissionHeader => {
  if (root["mission"] !== undefined) {
    const m = record(root["mission"], ["mission"]);
    return {
      key: requiredString(m, "key", ["mission"], 1),
      name: requiredString(m, "name", ["mission"]),
      version: requiredString(m, "version", ["mission"], 1),
      description: optionalString(m, "description", ["mission"]) ?? "",
    };
  }
  // Shorthand: the header fields sit at the top level; key falls back to the folder name, version to 1.0.0.
  const key = optionalString(root, "key", []) ?? options.fallbackKey ?? null;
  if (key === null || key.trim() === "") throw new FieldProblem(["key"], "is required (no 'mission' header and no folder name to fall back on)");
  return {
    key,
    name: optionalString(root, "name", []) ?? key,
    version: optionalString(root, "version", []) ?? "1.0.0",
    description: optionalString(root, "description", []) ?? "",
  };
};

const readList = <T>(root: Record<string, unknown>, key: string, item: (v: unknown, path: Path) => T): ReadonlyArray<T> => {
  const v = root[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldProblem([key], `must be a list, got ${describe(v)}`);
  return v.map((entry: unknown, i) => item(entry, [key, i]));
};

const ACTOR_TYPES: ReadonlyArray<ActorType> = ["human", "llm", "service"];

const readRole = (v: unknown, path: Path): RaciRole => {
  const r = record(v, path);
  return { actor_type: oneOf(r, "actor_type", ACTOR_TYPES, path, null), actor_id: optionalString(r, "actor_id", path) };
};

const readRaci = (v: unknown, path: Path): RaciAssignment => {
  const r = record(v, path);
  const roles = (key: string): ReadonlyArray<RaciRole> => {
    const list = r[key];
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) throw new FieldProblem([...path, key], `must be a list, got ${describe(list)}`);
    return list.map((entry: unknown, i) => readRole(entry, [...path, key, i]));
  };
  if (r["responsible"] === undefined) throw new FieldProblem([...path, "responsible"], "is required");
  if (r["accountable"] === undefined) throw new FieldProblem([...path, "accountable"], "is required");
  return {
    responsible: readRole(r["responsible"], [...path, "responsible"]),
    accountable: readRole(r["accountable"], [...path, "accountable"]),
    consulted: roles("consulted"),
    informed: roles("informed"),
  };
};

const readPromptStep = (v: unknown, path: Path): PromptStep => {
  const s = record(v, path);
  const raci = s["raci"] === undefined || s["raci"] === null ? null : readRaci(s["raci"], [...path, "raci"]);
  const overrideReason = optionalString(s, "raci_override_reason", path);
  if (raci !== null && (overrideReason === null || overrideReason.trim() === ""))
    throw new FieldProblem([...path, "raci_override_reason"], "is required when 'raci' is given");
  if (raci === null && overrideReason !== null)
    throw new FieldProblem([...path, "raci_override_reason"], "is only allowed together with 'raci'");
  return {
    id: requiredString(s, "id", path, 1),
    title: requiredString(s, "title", path),
    description: optionalString(s, "description", path) ?? "",
    depends_on: stringList(s, "depends_on", path),
    prompt: optionalString(s, "prompt", path),
    prompt_template: optionalString(s, "prompt_template", path),
    expected_output: optionalString(s, "expected_output", path),
    requires_inputs: stringList(s, "requires_inputs", path),
    agent_profile: optionalString(s, "agent-profile", path) ?? optionalString(s, "agent_profile", path),
    contract_ref: optionalString(s, "contract_ref", path),
    raci,
    raci_override_reason: overrideReason,
  };
};

const readSignificance = (v: unknown, path: Path): Significance => {
  const s = record(v, path);
  const dims = record(s["dimensions"] ?? {}, [...path, "dimensions"]);
  const dimensions = {} as Record<SignificanceDimension, number>;
  for (const name of SIGNIFICANCE_DIMENSIONS) {
    const score = dims[name] ?? 0;
    if (typeof score !== "number" || !Number.isInteger(score) || score < 0 || score > 3)
      throw new FieldProblem([...path, "dimensions", name], `must be an integer from 0 to 3, got ${describe(score)}`);
    dimensions[name] = score;
  }
  for (const name of Object.keys(dims))
    if (!(SIGNIFICANCE_DIMENSIONS as ReadonlyArray<string>).includes(name))
      throw new FieldProblem([...path, "dimensions", name], `is not a known dimension (${SIGNIFICANCE_DIMENSIONS.join(", ")})`);
  return { dimensions, hard_triggers: stringList(s, "hard_triggers", path) };
};

const readAuditStep = (v: unknown, path: Path): AuditStep => {
  const s = record(v, path);
  const auditPath = [...path, "audit"];
  if (s["audit"] === undefined) throw new FieldProblem(auditPath, "is required");
  const a = record(s["audit"], auditPath);
  const metadata = a["metadata"] === undefined || a["metadata"] === null ? {} : record(a["metadata"], [...auditPath, "metadata"]);
  return {
    id: requiredString(s, "id", path, 1),
    title: requiredString(s, "title", path),
    description: optionalString(s, "description", path) ?? "",
    depends_on: stringList(s, "depends_on", path),
    audit: {
      trigger_mode: oneOf(a, "trigger_mode", TRIGGER_MODES, auditPath, null),
      enforcement: oneOf(a, "enforcement", ENFORCEMENTS, auditPath, null),
      label: optionalString(a, "label", auditPath),
      metadata,
    },
    significance: s["significance"] === undefined || s["significance"] === null ? null : readSignificance(s["significance"], [...path, "significance"]),
  };
};

/** Ids are unique across steps and audit_steps, and every dependency names one of them. */
const checkGraph = (steps: ReadonlyArray<PromptStep>, audits: ReadonlyArray<AuditStep>): void => {
  const seen = new Set<string>();
  const all: Array<[string, { id: string; depends_on: ReadonlyArray<string> }, number]> = [
    ...steps.map((s, i): [string, PromptStep, number] => ["steps", s, i]),
    ...audits.map((s, i): [string, AuditStep, number] => ["audit_steps", s, i]),
  ];
  for (const [list, step, i] of all) {
    if (seen.has(step.id)) throw new FieldProblem([list, i, "id"], `duplicates step id '${step.id}'`);
    seen.add(step.id);
  }
  for (const [list, step, i] of all)
    step.depends_on.forEach((dep, j) => {
      if (!seen.has(dep)) throw new FieldProblem([list, i, "depends_on", j], `names unknown step '${dep}'`);
    });
};
