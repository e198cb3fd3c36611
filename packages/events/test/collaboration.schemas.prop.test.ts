import * as Arbitrary from "effect/Arbitrary";
import * as Either from "effect/Either";
import type * as Schema from "effect/Schema";
import { FastCheck as fc } from "effect";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COLLABORATION_PAYLOAD_SCHEMAS, decodePayload, FocusTarget, ParticipantIdentity } from "../src/index.ts";
import { sharedDir } from "./collaboration.golden-helpers.ts";
import { jsonSchemaAccepts } from "./collaboration.reference-schema.ts";

const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
const referenceSchema = (file: string): Readonly<Record<string, unknown>> =>
  JSON.parse(fs.readFileSync(path.join(sharedDir(), "fixtures", "spec-kitty-events", "schemas", file), "utf8")) as Record<string, unknown>;

const jsonish = fc.jsonValue({ maxDepth: 2 });
/** Valid values of our Schema, the same values with one field replaced, removed or an unknown key added, and any JSON. */
const inputs = (schema: Schema.Schema.AnyNoContext): fc.Arbitrary<unknown> => {
  const valid = Arbitrary.make(schema) as fc.Arbitrary<unknown>;
  const asRecord = valid.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v));
  const nulls = fc.constantFrom<unknown>(null, "", [], {}, 0, "x", ["a"], ["a", "b"]);
  return fc.oneof(
    valid,
    asRecord.chain((v) => fc.constantFrom(...Object.keys(v)).chain((k) => fc.oneof(jsonish, nulls).map((j) => ({ ...v, [k]: j })))),
    asRecord.chain((v) => fc.constantFrom(...Object.keys(v)).map((k) => Object.fromEntries(Object.entries(v).filter(([key]) => key !== k)))),
    asRecord.map((v) => ({ ...v, zz_extra: 1 })),
    jsonish,
  );
};

// The only rule the reference's model enforces beyond its JSON Schema: external refs need one reference set.
const modelOnly = (issuesPaths: ReadonlyArray<ReadonlyArray<string | number>>): boolean =>
  issuesPaths.length > 0 && issuesPaths.every((p) => p.includes("external_refs"));

const cases: ReadonlyArray<[string, Schema.Schema.AnyNoContext, string]> = [
  ...Object.entries(COLLABORATION_PAYLOAD_SCHEMAS).map(
    ([type, schema]): [string, Schema.Schema.AnyNoContext, string] => [type, schema, `${snake(type)}_payload.schema.json`],
  ),
  ["ParticipantIdentity", ParticipantIdentity, "participant_identity.schema.json"],
  ["FocusTarget", FocusTarget, "focus_target.schema.json"],
];

describe("collaboration Schemas against the reference's published JSON Schemas", () => {
  for (const [name, schema, file] of cases) {
    it(`${name}: accepted => accepted by ${file}; rejected by ${file} => rejected`, () => {
      const reference = referenceSchema(file);
      let accepted = 0;
      let rejected = 0;
      fc.assert(
        fc.property(inputs(schema), (u) => {
          const ours = decodePayload(schema, u);
          const theirs = jsonSchemaAccepts(reference, u);
          if (Either.isRight(ours)) {
            accepted++;
            expect(theirs, `${file} rejects ${JSON.stringify(u)}`).toBe(true);
          } else {
            rejected++;
            if (theirs) {
              const paths = ours.left.map((i) => i.path);
              expect(modelOnly(paths), `${name} rejects ${JSON.stringify(u)} which ${file} accepts: ${JSON.stringify(ours.left)}`).toBe(true);
            }
          }
        }),
        { numRuns: 500 },
      );
      expect(accepted).toBeGreaterThan(0);
      expect(rejected).toBeGreaterThan(0);
    });
  }
});
