/**
 * The data the dashboard reads from spec-kitty-server, as the server's JSON. Lane names and the
 * collaboration state come from the contract packages (type-only imports: nothing of them is bundled).
 */
import type { ReducedCollaborationStateEncoded } from "@spec-kitty/events";
import type { DisplayLane } from "@spec-kitty/status";

export type { DisplayLane };

/** `GET /api/v1/me`: the signed-in user and the teams it belongs to (the reference's shape). */
export interface Me {
  readonly user_id: string;
  readonly email: string;
  readonly name?: string | null;
  readonly teams: ReadonlyArray<TeamRef>;
}

export interface TeamRef {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly is_private_teamspace?: boolean;
}

/** Work packages per display lane; lanes with no work package may be absent. */
export type LaneCounts = Readonly<Partial<Record<DisplayLane, number>>>;

/** One mission in a project listing: progress and last activity. */
export interface MissionSummary {
  readonly mission_id: string;
  readonly mission_slug: string;
  readonly friendly_name: string | null;
  readonly wp_count: number;
  readonly lanes: LaneCounts;
  readonly last_activity_at: string | null;
}

/** `GET /api/v1/teams/{team}/projects`: the team's projects with their missions. */
export interface ProjectSummary {
  readonly project_uuid: string;
  readonly project_slug: string | null;
  readonly team_id: string;
  readonly last_event_at: string | null;
  readonly missions: ReadonlyArray<MissionSummary>;
}

/** One card of a lane board: a work package where it stands now. */
export interface BoardCard {
  readonly wp_id: string;
  readonly title: string | null;
  readonly lane: DisplayLane;
  readonly actor: string | null;
  /** When the work package entered its current lane (ISO 8601), or null when never moved. */
  readonly entered_lane_at: string | null;
  /** The review state: the `review_ref` of the last transition, or a review verdict. */
  readonly review_state: string | null;
  /** The reason given for the move into `blocked` (or a forced move). */
  readonly blocked_reason: string | null;
  readonly dependencies: ReadonlyArray<string>;
}

/** `GET /api/v1/projects/{project}/missions/{mission}/board`. */
export interface MissionBoard {
  readonly project_uuid: string;
  readonly mission_id: string;
  readonly mission_slug: string;
  readonly friendly_name: string | null;
  readonly cards: ReadonlyArray<BoardCard>;
}

/** `GET /api/v1/projects/{project}/missions/{mission}/collaboration`: the reduced collaboration state. */
export type CollaborationView = ReducedCollaborationStateEncoded;

/** The envelope of one event as the clients send it (fields the dashboard reads; the rest is kept raw). */
export interface EventEnvelope {
  readonly event_id: string;
  readonly event_type: string;
  readonly aggregate_id: string;
  readonly aggregate_type?: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly timestamp: string;
  readonly node_id: string;
  readonly lamport_clock: number;
  readonly project_uuid?: string | null;
  readonly [field: string]: unknown;
}

/** An event as stored by the server: its position in the project's stream and the envelope. */
export interface StoredEvent {
  /** Opaque, increasing per project; what `after=` takes. */
  readonly cursor: string;
  readonly project_uuid: string;
  readonly received_at: string;
  readonly envelope: EventEnvelope;
}

/** `GET /api/v1/events/?project_uuid=…&after=…&limit=…`. */
export interface EventPage {
  readonly events: ReadonlyArray<StoredEvent>;
  /** The cursor to ask after next; null when this page reached the end. */
  readonly next_cursor: string | null;
}

export interface NodeHealth {
  readonly node_id: string;
  readonly developer_name?: string | null;
  readonly last_event_id: string;
  readonly last_event_type: string;
  readonly last_event_at: string;
  readonly last_lamport_clock: number;
}

export interface QuarantinedEvent {
  readonly event_id: string;
  readonly event_type: string | null;
  readonly received_at: string;
  readonly violations: ReadonlyArray<{ readonly field: string; readonly message: string }>;
  readonly envelope: unknown;
}

/** `GET /api/v1/projects/{project}/sync-health`. */
export interface SyncHealth {
  readonly project_uuid: string;
  readonly nodes: ReadonlyArray<NodeHealth>;
  /** Accepted events per hour, oldest first; `hour` is the ISO start of the hour. */
  readonly events_per_hour: ReadonlyArray<{ readonly hour: string; readonly count: number }>;
  readonly quarantined: ReadonlyArray<QuarantinedEvent>;
}
