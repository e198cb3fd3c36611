/**
 * FastCheck generators of collaboration streams for the property tests: a small participant pool (one id
 * with a quote), every event type, valid and broken payloads, tied Lamport clocks and timestamps in mixed
 * renderings, and distinct event ids in ULID and UUID forms.
 */
import * as Either from "effect/Either";
import { FastCheck as fc } from "effect";
import { decodeEvent, type Event, type Roster } from "../src/index.ts";

export const POOL = ["p1", "p2", "o'brien", "agent-7"] as const;

const pid = fc.constantFrom<unknown>(...POOL);
const maybePid = fc.oneof({ weight: 8, arbitrary: pid }, { weight: 1, arbitrary: fc.constantFrom<unknown>("", null, 7) });
const step = fc.constantFrom<unknown>("s1", "s2", "s3");
const warning = fc.constantFrom<unknown>("w1", "w2", "w3");

const identity = (id: unknown) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ participant_id: fc.constant(id), participant_type: fc.constantFrom("human", "llm_context") }) },
    {
      weight: 2,
      arbitrary: fc.record({
        participant_id: fc.constant(id),
        participant_type: fc.constant("human"),
        display_name: fc.constantFrom<unknown>("Display", null),
        session_id: fc.constant("sess"),
        external_refs: fc.constantFrom<unknown>(null, { slack_user_id: "U1" }, { teamspace_member_id: "T9", slack_team_id: null }),
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom<unknown>({ participant_id: id, participant_type: "robot" }, "bad", {}) },
  );

const focus = fc.oneof(
  { weight: 5, arbitrary: fc.record({ target_type: fc.constantFrom("wp", "step", "file"), target_id: fc.constantFrom("WP01", "WP02", "s1") }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({ target_type: "bogus", target_id: "x" }, "wp:WP01") },
);

const payloadFor = (type: string): fc.Arbitrary<Record<string, unknown>> => {
  const base = (extra: Record<string, fc.Arbitrary<unknown>>) => fc.record({ participant_id: maybePid, mission_id: fc.constant("M-1"), ...extra });
  switch (type) {
    case "ParticipantInvited":
      return pid.chain((p) => fc.record({ participant_id: fc.constant(p), participant_identity: identity(p), invited_by: pid, mission_id: fc.constant("M-1") }));
    case "ParticipantJoined":
      return maybePid.chain((p) => fc.record({ participant_id: fc.constant(p), participant_identity: identity(p), mission_id: fc.constant("M-1") }));
    case "ParticipantLeft":
      return base({ reason: fc.constant("explicit") });
    case "PresenceHeartbeat":
      return base({});
    case "DriveIntentSet":
      return base({ intent: fc.constantFrom<unknown>("active", "active", "inactive", "paused") });
    case "FocusChanged":
      return base({ focus_target: focus });
    case "PromptStepExecutionStarted":
    case "PromptStepExecutionCompleted":
      return base({ step_id: step, outcome: fc.constant("success") });
    case "ConcurrentDriverWarning":
    case "PotentialStepCollisionDetected":
      return fc.record({
        warning_id: warning,
        mission_id: fc.constant("M-1"),
        participant_ids: fc.array(pid, { minLength: 2, maxLength: 3 }),
        severity: fc.constant("warning"),
        step_id: fc.constant("s1"),
      });
    case "WarningAcknowledged":
      return base({ warning_id: warning, acknowledgement: fc.constantFrom("continue", "hold") });
    case "CommentPosted":
      return base({ comment_id: fc.constantFrom("c1", "c2"), content: fc.constant("hello"), reply_to: fc.constantFrom<unknown>(null, "c1") });
    case "DecisionCaptured":
      return base({ decision_id: fc.constant("d1"), topic: fc.constant("t"), chosen_option: fc.constant("A") });
    default:
      return base({ linked_session_id: fc.constantFrom("ls1", "ls2"), primary_session_id: fc.constant("ps"), link_type: fc.constant("cli_to_saas") });
  }
};

const TYPES = [
  "ParticipantInvited", "ParticipantJoined", "ParticipantJoined", "ParticipantLeft", "PresenceHeartbeat",
  "DriveIntentSet", "FocusChanged", "PromptStepExecutionStarted", "PromptStepExecutionCompleted",
  "ConcurrentDriverWarning", "PotentialStepCollisionDetected", "WarningAcknowledged", "CommentPosted",
  "DecisionCaptured", "SessionLinked", "WPStatusChanged",
] as const;

const TIMES = ["2026-03-01T00:00:05Z", "2026-03-01T00:00:05+00:00", "2026-03-01T00:00:05.120000Z", "2026-03-01T02:00:04+02:00", "2026-03-01T00:00:06Z"];
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A distinct event id for index `i`: a ULID (upper or lower case) or a UUID (hyphenated or bare). */
const eventId = (i: number, form: number): string => {
  const n = i.toString(32).toUpperCase().replace(/./g, (c) => CROCKFORD[parseInt(c, 32)] ?? "0").padStart(6, "0");
  if (form === 0) return `01JABCDEFGHJKMNPQRST${n}`;
  if (form === 1) return `01JABCDEFGHJKMNPQRST${n}`.toLowerCase();
  const hex = i.toString(16).padStart(12, "0");
  return form === 2 ? `0190a1b2-c3d4-7e5f-8a9b-${hex}` : `0190a1b2c3d47e5f8a9b${hex}`;
};

/** Raw envelopes of one mission with pairwise distinct event ids. */
export const rawStream = (maxLength = 30): fc.Arbitrary<ReadonlyArray<Record<string, unknown>>> =>
  fc
    .array(
      fc.record({
        type: fc.constantFrom(...TYPES),
        clock: fc.integer({ min: 0, max: 12 }),
        time: fc.constantFrom(...TIMES),
        form: fc.integer({ min: 0, max: 3 }),
      }).chain((spec) => payloadFor(spec.type).map((payload) => ({ ...spec, payload }))),
      { minLength: 0, maxLength },
    )
    .map((specs) =>
      specs.map((s, i) => ({
        event_id: eventId(i, s.form),
        event_type: s.type,
        aggregate_id: "mission/M-1",
        payload: s.payload,
        timestamp: s.time,
        build_id: "build-1",
        node_id: "node-a",
        lamport_clock: s.clock,
        project_uuid: "12345678-1234-5678-1234-567812345678",
        correlation_id: "01JABCDEFGHJKMNPQRST000000",
        schema_version: "3.0.0",
      })),
    );

/** An optional roster drawn from the pool. */
export const rosterArb: fc.Arbitrary<Roster | null> = fc.option(
  fc.subarray([...POOL], { minLength: 1 }).map((ids) =>
    Object.fromEntries(
      ids.map((id) => [id, { participant_id: id, participant_type: "human" as const, display_name: null, session_id: null, external_refs: null }]),
    ),
  ),
  { nil: null },
);

/** Decodes generated envelopes (they are valid by construction; a failure is a generator bug). */
export const decodeAll = (raw: ReadonlyArray<unknown>): ReadonlyArray<Event> =>
  raw.map((r, i) => {
    const d = decodeEvent(r);
    if (Either.isLeft(d)) throw new Error(`generated envelope ${i} does not decode: ${JSON.stringify(d.left)}`);
    return d.right;
  });
