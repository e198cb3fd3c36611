import * as Arbitrary from "effect/Arbitrary";
import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import {
  COLLABORATION_PAYLOAD_SCHEMAS,
  FocusTarget,
  ParticipantExternalRefs,
  ParticipantIdentity,
  encodeReducedCollaborationState,
  isValidCollaborationPayload,
  reduceCollaborationEvents,
  type Event,
  type ReduceCollaborationOptions,
} from "../src/index.ts";
import { compileValidator } from "../src/core/fast-validator.ts";
import { encodeReducedCollaborationStateWithSchema } from "../src/collaboration/codec.ts";
import { decodeAll, rawStream, rosterArb } from "./collaboration.arbitraries.ts";

/** The observable outcome of a reduction: the JSON dump, or the error's type and message. */
const outcome = (events: ReadonlyArray<Event>, options: ReduceCollaborationOptions): unknown => {
  const r = reduceCollaborationEvents(events, options);
  return Either.isRight(r)
    ? encodeReducedCollaborationState(r.right)
    : { error: { type: r.left._tag, message: r.left.message } };
};

const modeArb = fc.constantFrom<"strict" | "permissive">("strict", "permissive");

describe("collaboration reducer laws", () => {
  it("any permutation of a stream with distinct event ids gives the same outcome", () => {
    fc.assert(
      fc.property(
        rawStream().chain((raw) => fc.tuple(fc.constant(raw), fc.shuffledSubarray([...raw], { minLength: raw.length, maxLength: raw.length }))),
        modeArb,
        rosterArb,
        ([raw, shuffled], mode, roster) => {
          expect(outcome(decodeAll(shuffled), { mode, roster })).toEqual(outcome(decodeAll(raw), { mode, roster }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("adding duplicates of events (anywhere in the stream) changes nothing", () => {
    fc.assert(
      fc.property(
        rawStream().chain((raw) =>
          fc.tuple(
            fc.constant(raw),
            fc.shuffledSubarray([...raw, ...raw], { minLength: raw.length * 2, maxLength: raw.length * 2 }),
          ),
        ),
        modeArb,
        rosterArb,
        ([raw, withDuplicates], mode, roster) => {
          expect(outcome(decodeAll(withDuplicates), { mode, roster })).toEqual(outcome(decodeAll(raw), { mode, roster }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a strict run either fails at the permissive run's first strict-only anomaly or equals the permissive run", () => {
    const strictOnly = /^Unknown participant |^No matching PromptStepExecutionStarted |^Warning .* not found$| has departed$/;
    let failures = 0;
    let successes = 0;
    fc.assert(
      fc.property(rawStream(), rosterArb, (raw, roster) => {
        const events = decodeAll(raw);
        const strict = reduceCollaborationEvents(events, { mode: "strict", roster });
        const permissive = reduceCollaborationEvents(events, { mode: "permissive", roster });
        if (Either.isLeft(permissive)) throw new Error(`permissive run failed: ${permissive.left.message}`);
        const first = permissive.right.anomalies.find((a) => strictOnly.test(a.reason));
        if (Either.isRight(strict)) {
          successes++;
          expect(first).toBeUndefined();
          expect(encodeReducedCollaborationState(strict.right)).toEqual(encodeReducedCollaborationState(permissive.right));
        } else {
          failures++;
          if (first === undefined) throw new Error(`strict failed (${strict.left.message}) but permissive has no strict-only anomaly`);
          expect(strict.left.message.startsWith(first.reason)).toBe(true);
          expect(strict.left.message).toContain(first.event_id);
          expect(strict.left._tag).toBe(first.reason.startsWith("Unknown participant") ? "UnknownParticipantError" : "SpecKittyEventsError");
        }
      }),
      { numRuns: 400 },
    );
    // Both branches of the law must actually be exercised.
    expect(failures).toBeGreaterThan(20);
    expect(successes).toBeGreaterThan(20);
  });
});

describe("compiled payload validators agree with their Schemas", () => {
  const jsonish = fc.jsonValue({ maxDepth: 2 });
  /** Schema-shaped values, then broken: a field replaced, a field removed, an unknown key added, or any JSON. */
  const inputs = (schema: Schema.Schema.AnyNoContext): fc.Arbitrary<unknown> => {
    const valid = Arbitrary.make(schema) as fc.Arbitrary<unknown>;
    const asRecord = valid.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v));
    return fc.oneof(
      valid,
      asRecord.chain((v) => fc.constantFrom(...Object.keys(v), "x").chain((k) => jsonish.map((j) => ({ ...v, [k]: j })))),
      asRecord.chain((v) => fc.constantFrom(...Object.keys(v), "x").map((k) => Object.fromEntries(Object.entries(v).filter(([key]) => key !== k)))),
      asRecord.map((v) => ({ ...v, zz_extra: 1 })),
      jsonish,
    );
  };
  const cases: ReadonlyArray<[string, Schema.Schema.AnyNoContext]> = [
    ...Object.entries(COLLABORATION_PAYLOAD_SCHEMAS),
    ["ParticipantIdentity", ParticipantIdentity],
    ["ParticipantExternalRefs", ParticipantExternalRefs],
    ["FocusTarget", FocusTarget],
  ];
  for (const [name, schema] of cases) {
    it(`${name}: compiled verdict == Schema.decodeUnknownEither verdict`, () => {
      const compiled = compileValidator(schema);
      const decode = Schema.decodeUnknownEither(schema);
      let valid = 0;
      let invalid = 0;
      fc.assert(
        fc.property(inputs(schema), (u) => {
          const expected = Either.isRight(decode(u));
          if (expected) valid++;
          else invalid++;
          expect(compiled(u)).toBe(expected);
          const registered = isValidCollaborationPayload(name, u);
          if (registered !== undefined) expect(registered).toBe(expected);
        }),
        { numRuns: 400 },
      );
      expect(valid).toBeGreaterThan(0);
      expect(invalid).toBeGreaterThan(0);
    });
  }
});

describe("fast state encoder agrees with the Schema encoding", () => {
  it("encodeReducedCollaborationState == Schema.encodeSync(ReducedCollaborationState) on generated streams", () => {
    fc.assert(
      fc.property(rawStream(40), modeArb, rosterArb, (raw, mode, roster) => {
        const r = reduceCollaborationEvents(decodeAll(raw), { mode, roster });
        if (Either.isLeft(r)) return;
        const fast = JSON.parse(JSON.stringify(encodeReducedCollaborationState(r.right))) as unknown;
        const generic = JSON.parse(JSON.stringify(encodeReducedCollaborationStateWithSchema(r.right))) as unknown;
        expect(fast).toEqual(generic);
      }),
      { numRuns: 200 },
    );
  });
});
