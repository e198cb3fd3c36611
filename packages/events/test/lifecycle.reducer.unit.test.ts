import { assert, describe, it } from "@effect/vitest";
import { EMPTY_REDUCED_MISSION_STATE, encodeReducedMissionState, reduceLifecycleEvents } from "../src/index.ts";
import { makeEvent, transition, ulid } from "./status.events-helpers.ts";

const started = (id: number, clock: number, missionId = "M-1") =>
  makeEvent({
    id,
    type: "MissionStarted",
    clock,
    payload: { mission_id: missionId, mission_type: "software-dev", initial_phase: "specify", actor: "a" },
  });
const completed = (id: number, clock: number) =>
  makeEvent({
    id,
    type: "MissionCompleted",
    clock,
    payload: { mission_id: "M-1", mission_type: "software-dev", final_phase: "review", actor: "a" },
  });
const cancelled = (id: number, clock: number, timestamp?: string) =>
  makeEvent({
    id,
    type: "MissionCancelled",
    clock,
    payload: { mission_id: "M-1", reason: "stop", actor: "a" },
    ...(timestamp === undefined ? {} : { timestamp }),
  });
const reopened = (id: number, clock: number, timestamp?: string) =>
  makeEvent({
    id,
    type: "MissionReopened",
    clock,
    payload: { mission_id: "M-1", mission_slug: "m-1", reason: "bug", reopened_by: "a", reopened_at: "2026-03-02T00:00:00Z" },
    ...(timestamp === undefined ? {} : { timestamp }),
  });
const followUp = (id: number, clock: number, payload: Record<string, unknown> = {}) =>
  makeEvent({
    id,
    type: "FollowUpRecorded",
    clock,
    payload: {
      mission_id: "M-1",
      mission_slug: "m-1",
      follow_up_type: "pr",
      pr_number: 3,
      recorded_by: "a",
      recorded_at: "2026-03-02T00:00:00Z",
      ...payload,
    },
  });
const phase = (id: number, clock: number, name: string) =>
  makeEvent({ id, type: "PhaseEntered", clock, payload: { mission_id: "M-1", phase_name: name, actor: "a" } });

const reasons = (events: Parameters<typeof reduceLifecycleEvents>[0]) =>
  reduceLifecycleEvents(events).anomalies.map((a) => a.reason);

describe("reduceLifecycleEvents", () => {
  it("returns the empty state for no events", () => {
    assert.deepStrictEqual(reduceLifecycleEvents([]), EMPTY_REDUCED_MISSION_STATE);
  });

  it("inside one clock a cancel is applied after a reopen, whatever the timestamps say", () => {
    // the cancel carries the earlier timestamp, so the global sort puts it first; the clock group re-sorts it last
    const events = [
      started(1, 1),
      completed(2, 2),
      cancelled(3, 3, "2026-03-01T00:00:01Z"),
      reopened(4, 3, "2026-03-01T00:00:09Z"),
    ];
    const s = reduceLifecycleEvents(events);
    assert.strictEqual(s.mission_status, "cancelled");
    assert.deepStrictEqual(s.anomalies, []);
  });

  it("reopen and follow-up only apply to a terminal mission", () => {
    assert.deepStrictEqual(reasons([started(1, 1), reopened(2, 2), followUp(3, 3)]), [
      "MissionReopened before completion (mission not terminal)",
      "FollowUpRecorded before completion (mission not terminal)",
    ]);
    const s = reduceLifecycleEvents([started(1, 1), completed(2, 2), followUp(3, 3), reopened(4, 4), reopened(5, 5)]);
    assert.strictEqual(s.mission_status, "reopened");
    assert.deepStrictEqual(s.anomalies.map((a) => a.reason), ["MissionReopened before completion (mission not terminal)"]);
  });

  it("a reopened mission can complete again", () => {
    const s = reduceLifecycleEvents([started(1, 1), completed(2, 2), reopened(3, 3), completed(4, 4)]);
    assert.strictEqual(s.mission_status, "completed");
    assert.deepStrictEqual(s.anomalies, []);
  });

  it("validates follow-up payloads (a PR follow-up needs its number)", () => {
    assert.deepStrictEqual(reasons([started(1, 1), completed(2, 2), followUp(3, 3, { pr_number: null })]), [
      "Invalid FollowUpRecorded payload",
    ]);
  });

  it("orders the start, duplicate-start, before-start and after-terminal rules", () => {
    const s = reduceLifecycleEvents([
      phase(1, 1, "plan"),
      started(2, 2),
      started(3, 3, "M-2"),
      phase(4, 4, "plan"),
      completed(5, 5),
      phase(6, 6, "implement"),
    ]);
    assert.deepStrictEqual(encodeReducedMissionState(s), {
      mission_id: "M-1",
      mission_status: "completed",
      mission_type: "software-dev",
      current_phase: "plan",
      phases_entered: ["specify", "plan"],
      wp_states: {},
      anomalies: [
        { event_id: ulid(1), event_type: "PhaseEntered", reason: "Event before MissionStarted" },
        { event_id: ulid(3), event_type: "MissionStarted", reason: "Duplicate MissionStarted (first one wins)" },
        { event_id: ulid(6), event_type: "PhaseEntered", reason: "Event after terminal state (completed)" },
      ],
      event_count: 6,
      last_processed_event_id: ulid(6),
    });
  });

  it("catalog events are only validated, even after the mission ended", () => {
    const created = makeEvent({ id: 3, type: "MissionCreated", clock: 3, payload: { mission_slug: "m-1" } });
    const s = reduceLifecycleEvents([started(1, 1), completed(2, 2), created]);
    assert.deepStrictEqual(s.anomalies.map((a) => a.reason), ["Invalid MissionCreated payload"]);
    assert.strictEqual(s.mission_status, "completed");
  });

  it("folds WP lanes through the status rules and counts every event type", () => {
    const s = reduceLifecycleEvents([
      started(1, 1),
      makeEvent({ id: 2, type: "WPStatusChanged", clock: 2, payload: transition("WP01", null, "planned") }),
      makeEvent({ id: 3, type: "WPStatusChanged", clock: 3, payload: transition("WP01", null, "claimed") }),
      makeEvent({ id: 4, type: "MissionOriginBound", clock: 4, payload: {} }),
    ]);
    assert.strictEqual(s.wp_states["WP01"]?.current_lane, "planned");
    assert.deepStrictEqual(s.anomalies, [
      { event_id: ulid(3), event_type: "WPStatusChanged", reason: "WP WP01: from_lane mismatch: expected planned, got None" },
    ]);
    assert.strictEqual(s.event_count, 4);
    assert.strictEqual(s.last_processed_event_id, ulid(4));
  });
});
