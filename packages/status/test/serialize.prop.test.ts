import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { LANES } from "../src/fsm/index.ts";
import { dumpsIndented, type JsonValue, PyFloat } from "../src/log/index.ts";
import type { MissionIdentity, RetrospectiveSummary, StatusSnapshot } from "../src/reduce/index.ts";
import { serializeStatusJson } from "../src/reduce/index.ts";
import { statusJsonDocument } from "../src/reduce/serialize.ts";

// The status.json writer splices the document from the snapshot's known shape; the generic path is
// `dumpsIndented` of the same document. Both must give the same bytes for any snapshot.

/** Strings that exercise quoting: controls, quotes, backslashes, non-ASCII, surrogate pairs, lone surrogates. */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("", "WP01", "10", "9", "0", "01", "é", "😀", "\ud800", "a\"b", "a\\b", "line\nbreak", "\u2028", "\u007f", "tab\t"),
);
const key = fc.oneof(fc.constantFrom("T001", "T002", "10", "9", "a", "b", "é", "😀", "\uffff", "actor", "lane"), fc.string({ maxLength: 6 }));
const number = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, 2 ** 53 + 2, 1e21),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => new PyFloat(x)),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
);
const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(key, tie("value"), { maxKeys: 3 }),
  ),
})).value;

const LANE_OR_SENTINEL = [...LANES, "uninitialized"] as const;
const SLOTS = ["shell_pid", "shell_pid_created_at", "agent", "assignee", "role", "agent_profile", "agent_profile_version", "model", "provider", "review", "review_result"] as const;

const workPackage = fc
  .record({
    lane: fc.constantFrom(...LANE_OR_SENTINEL),
    actor: text,
    last_transition_at: fc.option(text, { nil: null }),
    last_event_id: fc.option(text, { nil: null }),
    force_count: fc.nat(5),
    slots: fc.dictionary(fc.constantFrom(...SLOTS), jsonValue, { maxKeys: 4 }),
    subtasks: fc.option(fc.dictionary(key, text, { maxKeys: 4 }), { nil: undefined }),
    notes: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
    tracker_refs: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
    // Shapes outside the known ones: an unknown key, or a key holding undefined.
    odd: fc.option(fc.constantFrom("extra", "undefined"), { nil: undefined }),
  })
  .map(({ slots, subtasks, notes, tracker_refs, odd, ...base }) => {
    const state: Record<string, unknown> = { ...base, ...slots };
    if (subtasks !== undefined) state["subtasks"] = subtasks;
    if (notes !== undefined) state["notes"] = notes;
    if (tracker_refs !== undefined) state["tracker_refs"] = tracker_refs;
    if (odd === "extra") state["zz_extra"] = "x";
    if (odd === "undefined") state["model"] = undefined;
    return state;
  });

const snapshot: fc.Arbitrary<StatusSnapshot> = fc.record({
  mission_slug: fc.oneof(text, fc.constantFrom("042-mission", "mission")),
  materialized_at: text,
  event_count: fc.nat(),
  last_event_id: fc.option(text, { nil: null }),
  work_packages: fc.dictionary(key, workPackage, { maxKeys: 4 }),
  summary: fc.record(Object.fromEntries(LANES.map((lane) => [lane, fc.nat(9)])) as Record<(typeof LANES)[number], fc.Arbitrary<number>>),
}) as unknown as fc.Arbitrary<StatusSnapshot>;

const identity: fc.Arbitrary<MissionIdentity> = fc.record({
  mission_number: fc.constantFrom("", "7", "42"),
  mission_type: fc.constantFrom("", "software-dev", "é"),
});

const retrospective: fc.Arbitrary<RetrospectiveSummary | null> = fc.option(
  fc.record({
    status: fc.constantFrom("pending", "completed", "skipped", "failed"),
    mode: jsonValue,
    record_path: fc.option(text, { nil: null }),
    proposals_total: fc.nat(5),
    proposals_applied: fc.nat(5),
    proposals_rejected: fc.nat(5),
    proposals_pending: fc.nat(5),
  }),
  { nil: null },
);

describe("status.json writer", () => {
  it("writes the bytes dumpsIndented writes for the same document, whatever the snapshot holds", () => {
    fc.assert(
      fc.property(snapshot, identity, retrospective, (snap, id, retro) => {
        const expected = `${dumpsIndented(statusJsonDocument(snap, id, retro))}\n`;
        expect(serializeStatusJson(snap, id, retro)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
