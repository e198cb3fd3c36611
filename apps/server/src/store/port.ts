/**
 * The storage port of spec-kitty-server (ADR-0014): everything the server keeps goes through this one
 * interface, so SQLite (the default, `--data DIR`) and PostgreSQL (`--database-url`) are interchangeable.
 * Every method is async so a network database fits; every method that writes more than one row is one
 * transaction. Times are epoch milliseconds; ids are opaque strings chosen by the caller.
 *
 * Tenancy is part of the signature: every event, project and view read or write names its team, and no
 * method returns another team's rows.
 */

/** A team (a "Teamspace"). Each user has exactly one private team, flagged `isPrivate`. */
export interface Team {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly isPrivate: boolean;
  readonly createdAt: number;
}

export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  /** `scrypt$N$r$p$salt$hash` (base64url parts), or null for a user who cannot sign in with a password. */
  readonly passwordHash: string | null;
  readonly createdAt: number;
}

export type Role = "owner" | "admin" | "member";

export interface Membership {
  readonly team: Team;
  readonly role: Role;
}

/**
 * Every credential the server issues besides signed access tokens: API tokens, refresh tokens (both
 * generations), single-use ws-tokens, OAuth device codes and authorization codes. Stored under the SHA-256
 * of the secret (`id`), never the secret itself. `lookup` is a second, non-secret key (a device flow's
 * user code). `data` holds kind-specific fields (PKCE challenge, redirect URI, approval, ...).
 */
export type CredentialKind = "api_token" | "refresh_token" | "ws_token" | "device_code" | "auth_code";

export interface Credential {
  readonly id: string;
  readonly kind: CredentialKind;
  readonly userId: string | null;
  readonly teamId: string | null;
  /** Session (refresh-token family) the credential belongs to; revoking a session revokes all of it. */
  readonly sessionId: string | null;
  readonly lookup: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly consumedAt: number | null;
  readonly revokedAt: number | null;
}

/** How a stored event was judged: `valid` feeds the views; `quarantined` is kept with its violations. */
export type EventVerdict = "valid" | "quarantined";

/** Where an event came in. */
export type EventSource = "http" | "ws" | "ws-legacy";

/** One event to append. The raw envelope is kept byte for byte; `canonical` is the normalised form. */
export interface AppendItem {
  /** Normalised `event_id`: the dedup key, unique per team. */
  readonly eventId: string;
  /** `event_id` exactly as the client sent it (echoed in answers). */
  readonly rawEventId: string;
  readonly eventType: string;
  /** Normalised project UUID (lower-case hyphenated), or null when the envelope has none. */
  readonly projectUuid: string | null;
  /** Mission the event belongs to (slug or id), or null. */
  readonly missionKey: string | null;
  readonly lamportClock: number | null;
  /** Producer occurrence time exactly as sent. */
  readonly timestamp: string | null;
  /** The envelope exactly as received (JSON text). */
  readonly raw: string;
  /** Canonical envelope (JSON text) when normalisation succeeded. */
  readonly canonical: string | null;
  readonly verdict: EventVerdict;
  /** Violations of a quarantined event, as JSON text (an array of `{code, path, message}`). */
  readonly violations: string | null;
  readonly source: EventSource;
}

/**
 * The verdict on one appended item, in input order.
 * - `stored`: newly stored with sequence number `seq`;
 * - `duplicate`: the team already has this `eventId` (`seq` of the first copy; the first copy wins);
 * - `project_refused`: the project belongs to another team; nothing stored.
 */
export type AppendOutcome =
  | { readonly kind: "stored"; readonly seq: number; readonly verdict: EventVerdict }
  | { readonly kind: "duplicate"; readonly seq: number; readonly verdict: EventVerdict }
  | { readonly kind: "project_refused" };

export interface AppendBatch {
  readonly teamId: string;
  readonly receivedAt: number;
  readonly items: ReadonlyArray<AppendItem>;
}

/** A stored event as read back. `seq` is the cursor: strictly increasing in commit order per store. */
export interface StoredEvent {
  readonly seq: number;
  readonly teamId: string;
  readonly eventId: string;
  readonly rawEventId: string;
  readonly eventType: string;
  readonly projectUuid: string | null;
  readonly missionKey: string | null;
  readonly lamportClock: number | null;
  readonly timestamp: string | null;
  readonly receivedAt: number;
  readonly raw: string;
  readonly canonical: string | null;
  readonly verdict: EventVerdict;
  readonly violations: string | null;
  readonly source: EventSource;
}

export interface EventQuery {
  readonly teamId: string;
  readonly projectUuid?: string | undefined;
  readonly missionKey?: string | undefined;
  readonly verdict?: EventVerdict | undefined;
  /** Only events with `seq > afterSeq`. */
  readonly afterSeq?: number | undefined;
  /** At most this many rows (the adapter may cap it). */
  readonly limit: number;
}

export interface Project {
  readonly teamId: string;
  readonly projectUuid: string;
  readonly projectSlug: string | null;
  readonly firstSeenAt: number;
  readonly eventCount: number;
  readonly lastSeq: number;
}

export interface MissionSummary {
  readonly teamId: string;
  readonly projectUuid: string;
  readonly missionKey: string;
  readonly eventCount: number;
  readonly lastSeq: number;
}

/** A materialised view of one mission (`kind` e.g. "status", "lifecycle", "collaboration"). */
export interface ViewRow {
  readonly teamId: string;
  readonly projectUuid: string;
  readonly missionKey: string;
  readonly kind: string;
  /** Highest event `seq` folded into `body`. */
  readonly lastSeq: number;
  /** JSON text. */
  readonly body: string;
  readonly updatedAt: number;
}

export interface MigrationReport {
  readonly from: number;
  readonly to: number;
  readonly applied: ReadonlyArray<number>;
}

/** Errors a store raises, with stable codes. */
export type StoreErrorCode =
  | "conflict" // a unique key is taken (team slug, user email)
  | "not_found"
  | "unavailable" // the database cannot be reached; callers answer 503
  | "invalid"; // a caller passed something the store cannot hold

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
    this.code = code;
  }
}

export interface Store {
  /** "sqlite" or "postgres". */
  readonly kind: string;

  /** Applies the versioned migrations not applied yet (idempotent; safe with concurrent processes). */
  migrate(): Promise<MigrationReport>;
  /** The highest migration applied. */
  schemaVersion(): Promise<number>;
  /** A cheap round trip, for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * A named server secret (JWT signing key), created with `generate()` the first time and then shared by
   * every process on the same database.
   */
  secret(name: string, generate: () => string): Promise<string>;

  // --- teams, users, memberships ---
  /** `conflict` when the slug is taken. */
  createTeam(team: Team): Promise<Team>;
  teamById(id: string): Promise<Team | undefined>;
  teamBySlug(slug: string): Promise<Team | undefined>;
  /** `conflict` when the email is taken (emails compare case-insensitively). */
  createUser(user: User): Promise<User>;
  userById(id: string): Promise<User | undefined>;
  userByEmail(email: string): Promise<User | undefined>;
  /** Adds or updates a membership. */
  putMembership(teamId: string, userId: string, role: Role): Promise<void>;
  /** The user's teams, private team first, then by slug. */
  memberships(userId: string): Promise<ReadonlyArray<Membership>>;

  // --- credentials ---
  putCredential(credential: Credential): Promise<void>;
  credential(kind: CredentialKind, id: string): Promise<Credential | undefined>;
  credentialByLookup(kind: CredentialKind, lookup: string): Promise<Credential | undefined>;
  /**
   * Atomically marks an unconsumed, unrevoked, unexpired credential consumed at `now` and returns it as it
   * was; undefined when it is absent, consumed, revoked or expired. Exactly one concurrent caller wins.
   */
  consumeCredential(kind: CredentialKind, id: string, now: number): Promise<Credential | undefined>;
  /** Replaces `data` of a credential (e.g. a device code's approval). Returns false when absent. */
  updateCredentialData(kind: CredentialKind, id: string, data: Readonly<Record<string, unknown>>): Promise<boolean>;
  /** Revokes one credential, or every credential of a session. Returns how many were revoked. */
  revokeCredential(kind: CredentialKind, id: string, now: number): Promise<number>;
  revokeSession(sessionId: string, now: number): Promise<number>;

  // --- events ---
  /**
   * Appends a batch in ONE transaction: per item, claims the project for the team if unclaimed, refuses
   * items whose project belongs to another team, and inserts the rest unless the team already holds the
   * event id (then `duplicate`; also for a repeat inside the same batch). Outcomes are in input order.
   */
  appendBatch(batch: AppendBatch): Promise<ReadonlyArray<AppendOutcome>>;
  /** The stored copy of one event of a team (by normalised id). */
  eventById(teamId: string, eventId: string): Promise<StoredEvent | undefined>;
  /** Events of a team in `seq` order, cursor-paged. */
  readEvents(query: EventQuery): Promise<ReadonlyArray<StoredEvent>>;
  /** The team that owns a project, if any. */
  projectOwner(projectUuid: string): Promise<string | undefined>;
  /** A team's projects, by first sighting. */
  projects(teamId: string): Promise<ReadonlyArray<Project>>;
  /** Missions of a team's project that have valid events, by key. */
  missions(teamId: string, projectUuid: string): Promise<ReadonlyArray<MissionSummary>>;
  /** Every (team, project, mission) with valid events: what `rebuild-views` walks. */
  allMissions(): Promise<ReadonlyArray<MissionSummary>>;

  // --- views ---
  putViews(rows: ReadonlyArray<ViewRow>): Promise<void>;
  views(teamId: string, projectUuid: string, missionKey: string): Promise<ReadonlyArray<ViewRow>>;
  /** Deletes every view row (before a full rebuild). */
  clearViews(): Promise<void>;
}
