import * as Either from "effect/Either";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { encodeReducedCollaborationState, reduceCollaborationEvents } from "../src/index.ts";
import {
  decodeEvents,
  decodeGoldenRoster,
  firstDifference,
  loadCollaborationCases,
  normalizeState,
  sharedDir,
} from "./collaboration.golden-helpers.ts";
import { encodeReducedCollaborationStateWithSchema } from "../src/collaboration/codec.ts";

const cases = loadCollaborationCases();

/** What the project produces for a case: the encoded state, or `{error: {type, message}}` as parity.md writes it. */
const run = (file: string, events: ReadonlyArray<unknown>, mode: "strict" | "permissive", roster: unknown): unknown => {
  const result = reduceCollaborationEvents(decodeEvents(file, events), { mode, roster: decodeGoldenRoster(file, roster) });
  if (Either.isLeft(result)) return { error: { type: result.left._tag, message: result.left.message } };
  const encoded = encodeReducedCollaborationState(result.right);
  // The fast encoder must agree with the generic Schema encoding on every golden state.
  expect(JSON.stringify(encodeReducedCollaborationStateWithSchema(result.right)), `${file}: fast vs Schema encoding`).toBe(
    JSON.stringify(encoded),
  );
  return encoded;
};

describe("collaboration goldens (reference reduce_collaboration_events)", () => {
  it("finds the golden files", () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  for (const c of cases) {
    it(c.file, () => {
      const actual = run(c.file, c.events, c.mode, c.roster);
      const diff = firstDifference(normalizeState(c.expected, "expected"), normalizeState(actual, "actual"));
      expect(diff === undefined ? "same" : `${c.file}: ${diff}`).toBe("same");
    });
  }

  it("bench/collaboration-10k: permissive reduction with its roster equals the reference", () => {
    const dir = path.join(sharedDir(), "golden", "bench");
    const file = "bench/collaboration-10k.events.jsonl";
    const events = fs
      .readFileSync(path.join(dir, "collaboration-10k.events.jsonl"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as unknown);
    expect(events.length).toBe(10_000);
    const roster = JSON.parse(fs.readFileSync(path.join(dir, "collaboration-10k.roster.json"), "utf8")) as unknown;
    const expected = JSON.parse(fs.readFileSync(path.join(dir, "collaboration-10k.expected-permissive.json"), "utf8")) as unknown;
    const actual = run(file, events, "permissive", roster);
    const diff = firstDifference(normalizeState(expected, "expected"), normalizeState(actual, "actual"));
    expect(diff === undefined ? "same" : `${file}: ${diff}`).toBe("same");
  });
});
