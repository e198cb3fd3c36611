import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateJsonSchemaFiles, schemaName } from "../src/conformance/index.ts";
import { fixturesDir, readJson, readJsonLines, sharedDir } from "./conformance.shared-dir.ts";
import { validateJsonSchema } from "./conformance.json-schema-validator.ts";

// Regenerate the committed files with: UPDATE_SCHEMAS=1 vitest run test/conformance.json-schema.golden.test.ts
const schemasDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "schemas");
const generated = generateJsonSchemaFiles();
const byName = new Map(generated.map((f) => [f.name, JSON.parse(f.text) as Record<string, unknown>]));

if (process.env["UPDATE_SCHEMAS"] === "1") {
  mkdirSync(schemasDir, { recursive: true });
  for (const f of readdirSync(schemasDir)) if (f.endsWith(".schema.json")) rmSync(path.join(schemasDir, f));
  for (const f of generated) writeFileSync(path.join(schemasDir, f.file), f.text);
}

describe("committed JSON Schemas", () => {
  it("one file per contract, and no orphaned files", () => {
    const onDisk = existsSync(schemasDir) ? readdirSync(schemasDir).filter((f) => f.endsWith(".schema.json")).sort() : [];
    expect(onDisk).toEqual(generated.map((f) => f.file));
  });

  it.each(generated.map((f) => [f.file, f] as const))("%s is up to date (regenerate with UPDATE_SCHEMAS=1)", (file, f) => {
    const committed = path.join(schemasDir, file);
    expect(existsSync(committed)).toBe(true);
    expect(readFileSync(committed, "utf8")).toBe(f.text);
  });
});

interface Entry {
  readonly path: string;
  readonly expected_result: string;
  readonly event_type: string;
  readonly fixture_type?: string;
}

const root = fixturesDir();
const manifest = readJson(path.join(root, "manifest.json")) as { fixtures: ReadonlyArray<Entry> };
// Valid single-document fixtures of contracts we generate; the alias fixture is valid at the model layer only
// (the reference's own JSON Schema rejects `doing` too).
const MODEL_ONLY_VALID = new Set(["edge_cases/valid/alias_doing_normalized.json"]);
const validFixtures = manifest.fixtures.filter(
  (f) =>
    f.expected_result === "valid" &&
    f.fixture_type === undefined &&
    !f.path.startsWith("class_taxonomy/") &&
    byName.has(schemaName(f.event_type)) &&
    existsSync(path.join(root, f.path)) &&
    !MODEL_ONLY_VALID.has(f.path),
);

describe("fixtures marked valid pass our generated schemas", () => {
  it("covers the in-scope valid fixtures", () => {
    expect(validFixtures.length).toBeGreaterThan(40);
  });

  it.each(validFixtures.map((f) => [f.path, f] as const))("%s", (p, f) => {
    const schema = byName.get(schemaName(f.event_type)) as Record<string, unknown>;
    expect(validateJsonSchema(schema, readJson(path.join(root, p)))).toEqual([]);
  });

  // Contracts the reference publishes no JSON Schema for are judged by its model layer alone, which coerces
  // lax scalars (`true` for an int); our schemas for them describe the canonical wire form only.
  const NO_REFERENCE_SCHEMA = new Set([
    "WPAssigned",
    "BuildRegistered",
    "BuildHeartbeat",
    "HistoryAdded",
    "ErrorLogged",
    "DependencyResolved",
    "MissionOriginBound",
    "MissionReopened",
    "FollowUpRecorded",
  ]);

  it("every golden validation case marked valid passes our generated schema too (types with a reference schema)", () => {
    const cases = readJsonLines(path.join(sharedDir(), "golden", "validation", "shards-0-1.jsonl")) as ReadonlyArray<{
      event_type: string;
      payload: unknown;
      valid: boolean;
    }>;
    const failures = cases
      .filter((c) => c.valid && !NO_REFERENCE_SCHEMA.has(c.event_type))
      .map((c) => [c.event_type, validateJsonSchema(byName.get(schemaName(c.event_type)) as Record<string, unknown>, c.payload)] as const)
      .filter(([, errors]) => errors.length > 0);
    expect(failures).toEqual([]);
  });
});

describe("the generated schemas reject what the contracts reject structurally", () => {
  const event = byName.get("event") as Record<string, unknown>;
  const envelope = readJson(path.join(root, "events/valid/event.json")) as Record<string, unknown>;

  it("envelope: extra keys allowed, required fields, types and bounds enforced", () => {
    expect(validateJsonSchema(event, { ...envelope, team_slug: "x" })).toEqual([]);
    const { correlation_id: _, ...noCorrelation } = envelope;
    expect(validateJsonSchema(event, noCorrelation).map((e) => e.keyword)).toEqual(["required"]);
    expect(validateJsonSchema(event, { ...envelope, lamport_clock: -1 }).map((e) => e.keyword)).toEqual(["minimum"]);
    expect(validateJsonSchema(event, { ...envelope, lamport_clock: "5" }).map((e) => e.keyword)).toEqual(["type"]);
    expect(validateJsonSchema(event, { ...envelope, timestamp: 1700000000 }).length).toBeGreaterThan(0);
    expect(validateJsonSchema(event, { ...envelope, event_id: "not-an-id" }).length).toBeGreaterThan(0);
    expect(validateJsonSchema(event, { ...envelope, data_tier: 5 }).length).toBeGreaterThan(0);
    expect(validateJsonSchema(event, { ...envelope, payload: [] }).length).toBeGreaterThan(0);
  });

  it("extra='forbid' contracts reject unknown keys; extra-ignoring ones allow them", () => {
    const created = readJson(path.join(root, "events/valid/mission_created.json")) as Record<string, unknown>;
    const schema = byName.get("mission_created_payload") as Record<string, unknown>;
    expect(validateJsonSchema(schema, created)).toEqual([]);
    expect(validateJsonSchema(schema, { ...created, unknown_extra_field: 1 }).map((e) => e.keyword)).toEqual([
      "additionalProperties",
    ]);
    const joined = readJson(path.join(root, "collaboration/valid/participant_joined_valid.json")) as Record<string, unknown>;
    const joinedSchema = byName.get("participant_joined_payload") as Record<string, unknown>;
    expect(validateJsonSchema(joinedSchema, { ...joined, feature_slug: "x" })).toEqual([]);
    expect(validateJsonSchema(joinedSchema, { ...joined, participant_id: "" }).length).toBeGreaterThan(0);
  });

  it("lane enum is enforced (the alias is a model-layer convenience only)", () => {
    const wp = readJson(path.join(root, "events/valid/wp_status_changed.json")) as Record<string, unknown>;
    const schema = byName.get("wp_status_changed_payload") as Record<string, unknown>;
    expect(validateJsonSchema(schema, wp)).toEqual([]);
    expect(validateJsonSchema(schema, { ...wp, to_lane: "doing" }).length).toBeGreaterThan(0);
  });
});
