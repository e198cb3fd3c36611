import { FastCheck as fc } from "effect";
import { reducerLaws } from "./reducer-laws.ts";
import { type Event, encodeReducedMissionState, reduceLifecycleEvents } from "../src/index.ts";
import { makeEvent, transition, ulid } from "./status.events-helpers.ts";

const M = { mission_id: "M-1" };
// For each type: a valid payload and an invalid one.
const PAYLOADS: Record<string, readonly [Record<string, unknown>, Record<string, unknown>]> = {
  MissionStarted: [{ ...M, mission_type: "software-dev", initial_phase: "specify", actor: "a" }, { ...M }],
  PhaseEntered: [{ ...M, phase_name: "plan", actor: "a" }, { ...M, phase_name: "" }],
  ReviewRollback: [{ ...M, review_ref: "rr", target_phase: "implement", actor: "a" }, { ...M }],
  MissionCompleted: [{ ...M, mission_type: "software-dev", final_phase: "review", actor: "a" }, {}],
  MissionCancelled: [{ ...M, reason: "stop", actor: "a" }, { ...M, reason: "" }],
  MissionReopened: [
    { ...M, mission_slug: "m-1", reason: "bug", reopened_by: "a", reopened_at: "2026-03-02T00:00:00Z" },
    { ...M, mission_slug: "m-1" },
  ],
  FollowUpRecorded: [
    { ...M, mission_slug: "m-1", follow_up_type: "commit", commit_sha: "abc", recorded_by: "a", recorded_at: "t" },
    { ...M, mission_slug: "m-1", follow_up_type: "commit", recorded_by: "a", recorded_at: "t" },
  ],
  MissionClosed: [{ mission_slug: "m-1", mission_number: 1, mission_type: "software-dev" }, { mission_slug: "m-1" }],
  MissionOriginBound: [{}, {}],
  WPStatusChanged: [transition("WP01", null, "planned"), transition("WP01", "planned", "claimed")],
};

const specArb = fc.record({
  type: fc.constantFrom(...Object.keys(PAYLOADS)),
  valid: fc.boolean(),
  clock: fc.integer({ min: 0, max: 6 }),
  ts: fc.constantFrom("2026-03-01T00:00:00Z", "2026-03-01T02:00:00+02:00", "2026-03-01T00:00:00.250000+00:00"),
});
type Spec = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

const toEvent = (s: Spec, i: number, lowerCaseId = false): Event =>
  makeEvent({
    id: lowerCaseId ? ulid(i).toLowerCase() : ulid(i),
    type: s.type,
    clock: s.clock,
    timestamp: s.ts,
    payload: PAYLOADS[s.type]![s.valid ? 0 : 1],
  });

const streamArb = fc.array(specArb, { maxLength: 30 });
reducerLaws("reduceLifecycleEvents", streamArb, toEvent, (events) => encodeReducedMissionState(reduceLifecycleEvents(events)));
