/**
 * The judge's canonical checks run in a cheaper order than the events package's `validateEnvelope`; for every
 * canonical envelope (generated around valid ones) both must give the same verdict, whichever route (the fast
 * `WPStatusChanged` check or the Schema) the judge took.
 */
import * as Either from "effect/Either";
import { FastCheck as fc } from "effect";
import { validateEnvelope, validateEvent, isKnownEventType } from "@spec-kitty/events";
import { assert, describe, it } from "vitest";
import { judge, TRANSPORT_KEYS, UNRESOLVED_BUILD_ID } from "../src/ingest/envelope.ts";
import { fastStatusPayloadAccepted } from "../src/ingest/fast-status.ts";
import { statusEvent } from "./support.ts";

const reference = (o: Record<string, unknown>): boolean => {
  const stripped = { ...o };
  for (const k of TRANSPORT_KEYS) delete stripped[k];
  // The one documented difference: the current client's empty build_id (explicit-context captures) is accepted.
  if (stripped["build_id"] === "") stripped["build_id"] = UNRESOLVED_BUILD_ID;
  if (validateEnvelope(stripped) !== undefined) return false;
  const type = stripped["event_type"] as string;
  if (!isKnownEventType(type)) return true;
  const r = validateEvent(stripped, type, { layer: "model" });
  return Either.isRight(r) && r.right.valid;
};

const value = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -2, max: 3 }), fc.string({ maxLength: 6 }), fc.constantFrom("planned", "in_progress", "done", "doing", "worktree", "2026-03-01T10:00:00Z", "01J00000000000000000000001"), fc.constant({}));

describe("judge verdicts equal the events package's", () => {
  it("for mutated canonical envelopes", () => {
    let valid = 0;
    let fast = 0;
    let slow = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.tuple(fc.constantFrom("top", "payload", "delete-top", "delete-payload"), fc.constantFrom("event_type", "aggregate_id", "timestamp", "build_id", "build_id", "node_id", "lamport_clock", "correlation_id", "project_uuid", "causation_id", "data_tier", "wp_id", "from_lane", "to_lane", "actor", "force", "reason", "execution_mode", "review_ref", "evidence", "mission_slug"), value), { maxLength: 3 }),
        fc.constantFrom("WPStatusChanged", "WPStatusChanged", "MissionCreated", "MissionClosed", "WPCreated", "TokenUsageRecorded"),
        (n, edits, type) => {
          const e: Record<string, unknown> = { ...statusEvent(n), event_type: type };
          const p: Record<string, unknown> = { ...(e["payload"] as object) };
          e["payload"] = p;
          for (const [where, key, v] of edits) {
            if (where === "top") e[key] = v;
            else if (where === "payload") p[key] = v;
            else if (where === "delete-top") delete e[key];
            else delete p[key];
          }
          if (typeof e["event_type"] !== "string" || e["event_type"] === "" || !("schema_version" in e)) return;
          const j = judge(e);
          if (j.generation !== "canonical") return;
          const ours = j.violations.length === 0;
          assert.strictEqual(ours, reference(e), JSON.stringify({ e, violations: j.violations }));
          if (ours) valid++;
          // Both routes of the judge are exercised: the fast WPStatusChanged check and the Schema behind it.
          if (e["event_type"] === "WPStatusChanged") {
            if (fastStatusPayloadAccepted(e["payload"])) fast++;
            else slow++;
          }
        },
      ),
      { numRuns: 1500 },
    );
    assert.isAbove(valid, 50, "valid envelopes were generated too");
    assert.isAbove(fast, 50, "status payloads took the fast path");
    assert.isAbove(slow, 50, "status payloads took the Schema path");
  });
});
