/**
 * A seeded world for the dashboard's tests and benchmark: two teams, each with one user and one project,
 * and event envelopes shaped as the CLIs send them (WPCreated, WPStatusChanged, collaboration events).
 */
import type { DisplayLane } from "@spec-kitty/status";
import type { EventEnvelope } from "../../src/api/types.ts";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A well-formed 26-character ULID, unique per (prefix, n). */
export const ulidFor = (prefix: number, n: number): string => {
  let out = "";
  let v = BigInt(prefix) * 10n ** 12n + BigInt(n);
  for (let i = 0; i < 16; i += 1) {
    out = CROCKFORD[Number(v % 32n)] + out;
    v /= 32n;
  }
  return `01JDA5H000${out}`;
};

export interface SeedUser {
  readonly user_id: string;
  readonly email: string;
  readonly name: string;
  readonly password: string;
  /** The team the user shares with others: `id` is its slug. */
  readonly team: { readonly id: string; readonly name: string };
}

export interface SeedProject {
  /** The team's slug (the server gives it an id). */
  readonly team_id: string;
  readonly project_uuid: string;
  readonly project_slug: string;
  /** The mission's key on the server: its slug. */
  readonly mission_id: string;
  readonly mission_slug: string;
  readonly friendly_name: string;
  readonly events: Array<EventEnvelope>;
}

export interface Seed {
  readonly users: ReadonlyArray<SeedUser>;
  readonly projects: ReadonlyArray<SeedProject>;
}

export const ALICE: SeedUser = {
  user_id: "u-alice",
  email: "alice@acme.test",
  name: "Alice",
  password: "correct horse battery",
  team: { id: "acme", name: "Acme" },
};
export const BOB: SeedUser = {
  user_id: "u-bob",
  email: "bob@globex.test",
  name: "Bob",
  password: "another long secret",
  team: { id: "globex", name: "Globex" },
};

export const ACME_PROJECT = "6f1c2a4e-8b0d-4c1e-9a7f-0d2b3c4e5f60";
export const GLOBEX_PROJECT = "0a9b8c7d-6e5f-4a3b-8c1d-2e3f4a5b6c7d";
export const NODE_A = "a1b2c3d4e5f6";
export const NODE_B = "0f9e8d7c6b5a";

/** An envelope builder for one project: lamport clocks and event ids increase with every call. */
export const envelopeFactory = (project: string, slug: string, prefix: number, start = new Date("2026-12-01T09:00:00Z")) => {
  let n = 0;
  return (eventType: string, aggregateId: string, payload: Record<string, unknown>, nodeId = NODE_A): EventEnvelope => {
    n += 1;
    const eventId = ulidFor(prefix, n);
    return {
      event_id: eventId,
      event_type: eventType,
      aggregate_id: aggregateId,
      aggregate_type: eventType.startsWith("WP") ? "WorkPackage" : "Mission",
      payload,
      timestamp: new Date(start.getTime() + n * 60_000).toISOString().replace(".000Z", "+00:00"),
      build_id: "3f2a0c3e-1d2b-4c5a-9e8f-7a6b5c4d3e2f",
      node_id: nodeId,
      lamport_clock: n,
      causation_id: null,
      correlation_id: eventId,
      schema_version: "3.0.0",
      project_uuid: project,
      project_slug: slug,
      git_branch: "main",
      head_commit_sha: null,
      repo_slug: `example/${slug}`,
    };
  };
};

/** The lane a seeded work package ends in: a fixed, varied spread over the display lanes. */
export const SEEDED_LANES: ReadonlyArray<DisplayLane> = [
  "done",
  "done",
  "approved",
  "in_review",
  "for_review",
  "in_progress",
  "in_progress",
  "claimed",
  "blocked",
  "planned",
  "planned",
  "canceled",
];

/** The path of lanes a work package walks to reach `target` (forced moves for blocked and canceled). */
const pathTo = (target: DisplayLane): ReadonlyArray<DisplayLane> => {
  const order: ReadonlyArray<DisplayLane> = ["planned", "claimed", "in_progress", "for_review", "in_review", "approved", "done"];
  if (target === "blocked") return ["planned", "claimed", "in_progress", "blocked"];
  if (target === "canceled") return ["planned", "canceled"];
  return order.slice(0, order.indexOf(target) + 1);
};

export const wpId = (i: number): string => `WP${String(i + 1).padStart(2, "0")}`;

/** A mission with `wpCount` work packages spread over the lanes, plus a collaboration story. */
export const missionEvents = (
  project: string,
  slug: string,
  missionSlug: string,
  missionUlid: string,
  friendlyName: string,
  wpCount: number,
  prefix: number,
): Array<EventEnvelope> => {
  const make = envelopeFactory(project, slug, prefix);
  // collaboration payloads name the mission by the same key as the status events (the slug)
  const missionId = missionSlug;
  const events: Array<EventEnvelope> = [];
  events.push(
    make("MissionCreated", missionSlug, {
      mission_slug: missionSlug,
      mission_id: missionUlid,
      friendly_name: friendlyName,
      mission_type: "software-dev",
      purpose_tldr: "Seeded mission",
      purpose_context: "A mission seeded for the dashboard's tests.",
      wp_count: wpCount,
      target_branch: "main",
      mission_number: 42,
    }),
  );
  for (let i = 0; i < wpCount; i += 1) {
    const wp = wpId(i);
    events.push(
      make("WPCreated", wp, {
        mission_slug: missionSlug,
        wp_id: wp,
        wp_title: `Work package ${i + 1}`,
        actor: "alice",
        depends_on: i > 0 && i % 3 === 0 ? [wpId(i - 1)] : [],
      }),
    );
    const lanes = pathTo(SEEDED_LANES[i % SEEDED_LANES.length] as DisplayLane);
    let from: DisplayLane | null = null;
    for (const lane of lanes) {
      const forced = lane === "blocked" || lane === "canceled" || from === null;
      events.push(
        make(
          "WPStatusChanged",
          wp,
          {
            mission_slug: missionSlug,
            wp_id: wp,
            from_lane: from,
            to_lane: lane,
            actor: i % 2 === 0 ? "claude" : "alice",
            force: forced,
            reason: lane === "blocked" ? "waiting on the payment provider sandbox" : forced ? "seeded" : null,
            execution_mode: "worktree",
            review_ref: lane === "in_review" || lane === "approved" || lane === "done" ? `review-${wp}` : null,
            evidence:
              lane === "approved" || lane === "done"
                ? {
                    repos: [{ repo: `example/${slug}`, branch: "main", commit: "0123456789abcdef0123456789abcdef01234567" }],
                    review: { reviewer: "alice", verdict: "approved", reference: `review-${wp}` },
                  }
                : null,
          },
          i % 2 === 0 ? NODE_A : NODE_B,
        ),
      );
      from = lane;
    }
  }
  const joined = (id: string, type: "human" | "llm_context", name: string) =>
    make("ParticipantJoined", missionId, {
      participant_id: id,
      participant_identity: { participant_id: id, participant_type: type, display_name: name, session_id: `sess-${id}` },
      mission_id: missionId,
      auth_principal_id: `principal-${id}`,
    });
  events.push(joined("p-alice", "human", "Alice"), joined("p-claude", "llm_context", "Claude"), joined("p-codex", "llm_context", "Codex"));
  events.push(
    make("DriveIntentSet", missionId, { participant_id: "p-claude", mission_id: missionId, intent: "active" }),
    make("DriveIntentSet", missionId, { participant_id: "p-codex", mission_id: missionId, intent: "active" }),
    make("FocusChanged", missionId, {
      participant_id: "p-claude",
      mission_id: missionId,
      focus_target: { target_type: "wp", target_id: "WP06" },
      previous_focus_target: null,
    }),
    make("ConcurrentDriverWarning", missionId, {
      warning_id: "warn-drivers-1",
      mission_id: missionId,
      participant_ids: ["p-claude", "p-codex"],
      focus_target: { target_type: "wp", target_id: "WP06" },
      severity: "warning",
    }),
    make("DecisionCaptured", missionId, {
      participant_id: "p-alice",
      mission_id: missionId,
      decision_id: "dec-1",
      topic: "Retry policy",
      chosen_option: "exponential backoff",
    }),
    make("CommentPosted", missionId, {
      participant_id: "p-alice",
      mission_id: missionId,
      comment_id: "c-1",
      content: "Codex, please take WP07 instead.",
    }),
  );
  return events;
};

/** The standard world: Acme's checkout mission (`wpCount` work packages) and Globex's own mission. */
export const makeSeed = (wpCount = 12): Seed => ({
  users: [ALICE, BOB],
  projects: [
    {
      team_id: ALICE.team.id,
      project_uuid: ACME_PROJECT,
      project_slug: "acme-shop",
      mission_id: "042-checkout",
      mission_slug: "042-checkout",
      friendly_name: "Checkout rework",
      events: missionEvents(ACME_PROJECT, "acme-shop", "042-checkout", "01JDA5HM1SS10N000000000042", "Checkout rework", wpCount, 1),
    },
    {
      team_id: BOB.team.id,
      project_uuid: GLOBEX_PROJECT,
      project_slug: "globex-secret",
      mission_id: "007-hidden",
      mission_slug: "007-hidden",
      friendly_name: "Globex hidden plan",
      events: missionEvents(GLOBEX_PROJECT, "globex-secret", "007-hidden", "01JDA5HM1SS10N000000000007", "Globex hidden plan", 5, 2),
    },
  ],
});
