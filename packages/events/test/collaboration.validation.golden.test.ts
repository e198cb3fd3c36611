import * as Either from "effect/Either";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  COLLABORATION_EVENT_TYPES,
  COLLABORATION_PAYLOAD_SCHEMAS,
  decodePayload,
  isValidCollaborationPayload,
} from "../src/index.ts";
import { sharedDir } from "./collaboration.golden-helpers.ts";

interface Line {
  readonly n: number;
  readonly event_type: string;
  readonly payload: unknown;
  readonly valid: boolean;
}

const file = "golden/validation/shards-0-1.jsonl";
const lines: ReadonlyArray<Line> = fs
  .readFileSync(path.join(sharedDir(), file), "utf8")
  .split("\n")
  .map((text, i) => ({ text, n: i + 1 }))
  .filter(({ text }) => text.trim() !== "")
  .map(({ text, n }) => ({ n, ...(JSON.parse(text) as Omit<Line, "n">) }))
  .filter((l) => COLLABORATION_EVENT_TYPES.has(l.event_type as never));

// The reference treats `{event_type: T, payload: {...}}` given for type T as an envelope; none of these lines is one.
const looksLikeEnvelope = (l: Line): boolean => {
  const p = l.payload as Record<string, unknown> | null;
  return typeof p === "object" && p !== null && p.event_type === l.event_type && typeof p.payload === "object";
};

describe(`collaboration payload verdicts match the reference (${file})`, () => {
  it("covers every collaboration event type with valid and invalid cases", () => {
    expect(new Set(lines.map((l) => l.event_type)).size).toBe(14);
    expect(lines.some((l) => l.valid)).toBe(true);
    expect(lines.some((l) => !l.valid)).toBe(true);
  });

  for (const l of lines) {
    it(`line ${l.n}: ${l.event_type} is ${l.valid ? "valid" : "invalid"}`, () => {
      expect(looksLikeEnvelope(l), `${file}:${l.n} is an envelope; payload-only verdicts do not apply`).toBe(false);
      const schema = COLLABORATION_PAYLOAD_SCHEMAS[l.event_type];
      if (schema === undefined) throw new Error(`${file}:${l.n}: no payload schema for ${l.event_type}`);
      const decoded = decodePayload(schema, l.payload);
      const issues = Either.isLeft(decoded) ? JSON.stringify(decoded.left) : "no issues";
      expect(Either.isRight(decoded), `${file}:${l.n} ${l.event_type}: ${issues}`).toBe(l.valid);
      expect(isValidCollaborationPayload(l.event_type, l.payload), `${file}:${l.n} fast verdict`).toBe(l.valid);
      if (Either.isLeft(decoded)) {
        for (const issue of decoded.left) expect(issue.code).toBe("PAYLOAD_SCHEMA_FAIL");
      }
    });
  }
});

interface ManifestEntry {
  readonly id: string;
  readonly path: string;
  readonly expected_result: "valid" | "invalid";
  readonly event_type: string;
}

const fixturesDir = path.join(sharedDir(), "fixtures", "spec-kitty-events");
const fixtures = (
  JSON.parse(fs.readFileSync(path.join(fixturesDir, "manifest.json"), "utf8")) as { fixtures: ReadonlyArray<ManifestEntry> }
).fixtures.filter((f) => f.path.startsWith("collaboration/") && fs.existsSync(path.join(fixturesDir, f.path)));

describe("collaboration conformance fixtures (fixtures/spec-kitty-events/collaboration)", () => {
  it("finds the seven collaboration fixtures", () => {
    expect(fixtures.length).toBe(7);
  });

  for (const f of fixtures) {
    it(`${f.path} is ${f.expected_result}`, () => {
      const payload = JSON.parse(fs.readFileSync(path.join(fixturesDir, f.path), "utf8")) as unknown;
      const schema = COLLABORATION_PAYLOAD_SCHEMAS[f.event_type];
      if (schema === undefined) throw new Error(`${f.path}: no payload schema for ${f.event_type}`);
      expect(Either.isRight(decodePayload(schema, payload)), f.path).toBe(f.expected_result === "valid");
      expect(isValidCollaborationPayload(f.event_type, payload), `${f.path} fast verdict`).toBe(f.expected_result === "valid");
    });
  }
});
