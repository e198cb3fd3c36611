import * as Either from "effect/Either";
import { describe, expect, it } from "vitest";
import {
  decodeEvent,
  decodeRoster,
  encodeReducedCollaborationState,
  reduceCollaborationEvents,
  UnknownParticipantError,
  type Event,
  type ReduceCollaborationOptions,
  type ReducedCollaborationState,
} from "../src/index.ts";
import { pyReprValue } from "../src/collaboration/py-value.ts";

const ID = (i: number): string => `01JAAAAAAAAAAAAAAAAAAAAA${String(i).padStart(2, "0")}`;

/** One envelope per [type, payload], clocks 1..n, ids in the same order. */
const stream = (...items: ReadonlyArray<readonly [string, Record<string, unknown>]>): ReadonlyArray<Event> =>
  items.map(([type, payload], i) => {
    const d = decodeEvent({
      event_id: ID(i + 1),
      event_type: type,
      aggregate_id: "mission/M-7",
      payload,
      timestamp: `2026-03-01T00:00:${String(i + 1).padStart(2, "0")}Z`,
      build_id: "b",
      node_id: "n",
      lamport_clock: i + 1,
      project_uuid: "12345678-1234-5678-1234-567812345678",
      correlation_id: ID(99),
    });
    if (Either.isLeft(d)) throw new Error(`test envelope ${i} does not decode`);
    return d.right;
  });

const join = (pid: string): readonly [string, Record<string, unknown>] =>
  ["ParticipantJoined", { participant_id: pid, mission_id: "M-7", participant_identity: { participant_id: pid, participant_type: "human" } }];

const ok = (events: ReadonlyArray<Event>, options: ReduceCollaborationOptions): ReducedCollaborationState => {
  const r = reduceCollaborationEvents(events, options);
  if (Either.isLeft(r)) throw new Error(`unexpected failure: ${r.left.message}`);
  return r.right;
};
const fail = (events: ReadonlyArray<Event>, options: ReduceCollaborationOptions) => {
  const r = reduceCollaborationEvents(events, options);
  if (Either.isRight(r)) throw new Error("expected a failure");
  return r.left;
};
const reasons = (s: ReducedCollaborationState): ReadonlyArray<string> => s.anomalies.map((a) => a.reason);

describe("reduceCollaborationEvents", () => {
  it("returns the empty state for no events or no collaboration events", () => {
    const empty = {
      mission_id: "", participants: {}, departed_participants: {}, presence: {}, active_drivers: [],
      focus_by_participant: {}, participants_by_focus: {}, warnings: [], decisions: [], comments: [],
      active_executions: {}, linked_sessions: {}, anomalies: [], event_count: 0, last_processed_event_id: null,
    };
    expect(encodeReducedCollaborationState(ok([], {}))).toEqual(empty);
    expect(encodeReducedCollaborationState(ok(stream(["WPStatusChanged", { mission_id: "M-7" }]), {}))).toEqual(empty);
  });

  it("defaults to strict mode and names the participant, event and type", () => {
    const e = fail(stream(["DriveIntentSet", { participant_id: "ghost", mission_id: "M-7", intent: "active" }]), {});
    expect(e).toBeInstanceOf(UnknownParticipantError);
    expect(e.message).toBe(`Unknown participant 'ghost' in event ${ID(1)} (type=DriveIntentSet). Not in mission roster.`);
  });

  it("treats an invited-but-not-joined participant as unknown", () => {
    const events = stream(
      ["ParticipantInvited", { participant_id: "p1", invited_by: "p0", mission_id: "M-7", participant_identity: { participant_id: "p1", participant_type: "human" } }],
      ["PresenceHeartbeat", { participant_id: "p1", mission_id: "M-7" }],
    );
    expect(fail(events, { mode: "strict" })._tag).toBe("UnknownParticipantError");
    expect(reasons(ok(events, { mode: "permissive" }))).toEqual(["Unknown participant 'p1'"]);
  });

  it("records a roster-seeded participant's join as a duplicate and keeps the seeded identity", () => {
    const roster = { p1: { participant_id: "p1", participant_type: "llm_context" as const, display_name: "Seed", session_id: null, external_refs: null } };
    const s = ok(stream(join("p1")), { mode: "strict", roster });
    expect(reasons(s)).toEqual(["Duplicate join for participant 'p1'"]);
    expect(s.participants.p1?.display_name).toBe("Seed");
  });

  it("keeps presence for a departed participant's heartbeat in permissive mode and fails in strict mode", () => {
    const events = stream(join("p1"), ["ParticipantLeft", { participant_id: "p1", mission_id: "M-7" }], ["PresenceHeartbeat", { participant_id: "p1", mission_id: "M-7" }]);
    const s = ok(events, { mode: "permissive" });
    expect(reasons(s)).toEqual(["Participant 'p1' has departed"]);
    expect(encodeReducedCollaborationState(s).presence).toEqual({ p1: "2026-03-01T00:00:03Z" });
    const e = fail(events, { mode: "strict" });
    expect(e._tag).toBe("SpecKittyEventsError");
    expect(e.message).toBe(`Participant 'p1' has departed (event_id=${ID(3)}, event_type=PresenceHeartbeat)`);
  });

  it("clears drivers, focus, presence and executions on leave but keeps linked sessions", () => {
    const s = ok(
      stream(
        join("p1"),
        ["DriveIntentSet", { participant_id: "p1", mission_id: "M-7", intent: "active" }],
        ["FocusChanged", { participant_id: "p1", mission_id: "M-7", focus_target: { target_type: "wp", target_id: "WP01" } }],
        ["PresenceHeartbeat", { participant_id: "p1", mission_id: "M-7" }],
        ["PromptStepExecutionStarted", { participant_id: "p1", mission_id: "M-7", step_id: "s1" }],
        ["SessionLinked", { participant_id: "p1", mission_id: "M-7", linked_session_id: "ls1" }],
        ["ParticipantLeft", { participant_id: "p1", mission_id: "M-7" }],
      ),
      { mode: "strict" },
    );
    expect(encodeReducedCollaborationState(s)).toMatchObject({
      participants: {}, active_drivers: [], focus_by_participant: {}, participants_by_focus: {}, presence: {},
      active_executions: {}, linked_sessions: { p1: ["ls1"] }, event_count: 7, last_processed_event_id: ID(7),
    });
    expect(Object.keys(s.departed_participants)).toEqual(["p1"]);
  });

  it("lets a later warning adopt the acknowledgements of an early acknowledgement's placeholder", () => {
    const events = stream(
      join("p1"),
      join("p2"),
      ["WarningAcknowledged", { participant_id: "p1", mission_id: "M-7", warning_id: "w1", acknowledgement: "hold" }],
      ["ConcurrentDriverWarning", { warning_id: "w1", mission_id: "M-7", participant_ids: ["p1", "p2"], severity: "info" }],
    );
    const s = ok(events, { mode: "permissive" });
    expect(reasons(s)).toEqual(["Warning 'w1' not found"]);
    expect(s.warnings).toEqual([
      { warning_id: "w1", event_id: ID(4), warning_type: "ConcurrentDriverWarning", participant_ids: ["p1", "p2"], acknowledgements: { p1: "hold" } },
    ]);
    expect(fail(events, { mode: "strict" }).message).toBe(`Warning 'w1' not found (event_id=${ID(3)}, event_type=WarningAcknowledged)`);
  });

  it("matches step ids with Python equality and quotes them with Python repr", () => {
    const s = ok(
      stream(
        join("p1"),
        ["PromptStepExecutionStarted", { participant_id: "p1", mission_id: "M-7", step_id: 1 }],
        ["PromptStepExecutionCompleted", { participant_id: "p1", mission_id: "M-7", step_id: true }],
        ["PromptStepExecutionCompleted", { participant_id: "p1", mission_id: "M-7", step_id: null }],
      ),
      { mode: "permissive" },
    );
    expect(s.active_executions).toEqual({ p1: [] });
    expect(reasons(s)).toEqual(["No matching PromptStepExecutionStarted for step None by participant 'p1'"]);
  });

  it("fails as a whole when a non-text value would end up in the state", () => {
    const e = fail(stream(join("p1"), ["PromptStepExecutionStarted", { participant_id: "p1", mission_id: "M-7", step_id: 5 }]), { mode: "permissive" });
    expect(e._tag).toBe("SpecKittyEventsError");
    expect(e.message).toContain("active_executions");
  });

  it("reports non-text warning participants by their Python repr", () => {
    const events = stream(join("p1"), ["ConcurrentDriverWarning", { warning_id: "w1", mission_id: "M-7", participant_ids: ["p1", 7], severity: "info" }]);
    expect(fail(events, { mode: "strict" }).message).toBe(`Unknown participant 7 in event ${ID(2)} (type=ConcurrentDriverWarning). Not in mission roster.`);
    expect(fail(events, { mode: "permissive" }).message).toContain("participant_ids");
    const nested = stream(join("p1"), ["ConcurrentDriverWarning", { warning_id: "w1", mission_id: "M-7", participant_ids: ["p1", ["p2"]], severity: "info" }]);
    expect(fail(nested, { mode: "permissive" }).message).toBe(`unhashable type: 'list' (event_id=${ID(2)}, event_type=ConcurrentDriverWarning)`);
  });

  it("takes mission_id from the first event in sorted order only", () => {
    const events = stream(["PresenceHeartbeat", { participant_id: "p9", mission_id: "FIRST" }], join("p1"));
    expect(ok([...events].reverse(), { mode: "permissive" }).mission_id).toBe("FIRST");
  });
});

describe("decodeRoster", () => {
  it("fills optional identity fields and rejects a bad identity with its path", () => {
    const good = decodeRoster({ p1: { participant_id: "p1", participant_type: "human" } });
    expect(good).toEqual(Either.right({ p1: { participant_id: "p1", participant_type: "human", display_name: null, session_id: null, external_refs: null } }));
    const bad = decodeRoster({ p1: { participant_id: "p1", participant_type: "robot" } });
    if (Either.isRight(bad)) throw new Error("expected issues");
    expect(bad.left[0]?.path).toEqual(["p1", "participant_type"]);
    expect(bad.left[0]?.code).toBe("PAYLOAD_SCHEMA_FAIL");
  });
});

describe("pyReprValue", () => {
  it("renders JSON values as CPython's repr does", () => {
    expect(pyReprValue("o'brien")).toBe(`"o'brien"`);
    expect(pyReprValue(null)).toBe("None");
    expect(pyReprValue(true)).toBe("True");
    expect(pyReprValue(7)).toBe("7");
    expect(pyReprValue(1.5)).toBe("1.5");
    expect(pyReprValue(0.0001)).toBe("0.0001");
    expect(pyReprValue(0.00001)).toBe("1e-05");
    expect(pyReprValue(-1.5e-7)).toBe("-1.5e-07");
    expect(pyReprValue(1.25e17 + 0.5)).toBe("125000000000000000");
    expect(pyReprValue(123456789.125)).toBe("123456789.125");
    expect(pyReprValue(["a", 1, { k: "v" }])).toBe("['a', 1, {'k': 'v'}]");
  });
});
