import * as Schema from "effect/Schema";
import {
  dateTimeField,
  forbidExtra,
  intField,
  NonEmptyString,
  optionalNullable,
  type Strictness,
} from "../status/fields.ts";

// Project, artifact, work-package and build lifecycle contracts (reference `S/project_lifecycle.py`,
// `S/build_lifecycle.py`). All of them reject unknown keys. Contracts whose reference publishes a JSON Schema come
// as `make<Name>(strictness)` factories; the others have one strictness only (the model layer's).

export const PROJECT_INITIALIZED = "ProjectInitialized";
export const SPECIFY_STARTED = "SpecifyStarted";
export const SPECIFY_COMPLETED = "SpecifyCompleted";
export const PLAN_STARTED = "PlanStarted";
export const PLAN_COMPLETED = "PlanCompleted";
export const TASKS_STARTED = "TasksStarted";
export const TASKS_COMPLETED = "TasksCompleted";
export const WP_CREATED = "WPCreated";
export const WP_ASSIGNED = "WPAssigned";
export const HISTORY_ADDED = "HistoryAdded";
export const ERROR_LOGGED = "ErrorLogged";
export const DEPENDENCY_RESOLVED = "DependencyResolved";
export const BUILD_REGISTERED = "BuildRegistered";
export const BUILD_HEARTBEAT = "BuildHeartbeat";

export const PROJECT_LIFECYCLE_EVENT_TYPES: ReadonlySet<string> = new Set([PROJECT_INITIALIZED]);
export const ARTIFACT_LIFECYCLE_EVENT_TYPES: ReadonlySet<string> = new Set([
  SPECIFY_STARTED,
  SPECIFY_COMPLETED,
  PLAN_STARTED,
  PLAN_COMPLETED,
  TASKS_STARTED,
  TASKS_COMPLETED,
]);
export const WP_LIFECYCLE_EVENT_TYPES: ReadonlySet<string> = new Set([
  WP_CREATED,
  WP_ASSIGNED,
  HISTORY_ADDED,
  ERROR_LOGGED,
  DEPENDENCY_RESOLVED,
]);
/** Project + artifact + WP lifecycle event types. */
export const CANONICAL_LIFECYCLE_EVENT_TYPES: ReadonlySet<string> = new Set([
  ...PROJECT_LIFECYCLE_EVENT_TYPES,
  ...ARTIFACT_LIFECYCLE_EVENT_TYPES,
  ...WP_LIFECYCLE_EVENT_TYPES,
]);
export const BUILD_LIFECYCLE_EVENT_TYPES: ReadonlySet<string> = new Set([BUILD_REGISTERED, BUILD_HEARTBEAT]);

/**
 * Legacy 028 event names that this contract does not accept: FeatureCreated is replaced by MissionCreated,
 * FeatureCompleted by MissionClosed (the cutover gate rejects FeatureCreated/FeatureClosed on envelopes).
 */
export const LEGACY_EVENT_NAME_REPLACEMENTS: Readonly<Record<string, string>> = {
  FeatureCreated: "MissionCreated",
  FeatureCompleted: "MissionClosed",
};

/** The three planning-phase artifacts of a mission. */
export const ArtifactPhase = Schema.Literal("specify", "plan", "tasks").annotations({ identifier: "ArtifactPhase" });
export type ArtifactPhase = typeof ArtifactPhase.Type;

/** ProjectInitialized: opens the project aggregate (`project_uuid` is plain text here, not UUID-checked). */
export const makeProjectInitializedPayload = (s: Strictness) =>
  Schema.Struct({
    project_uuid: NonEmptyString,
    project_slug: optionalNullable(NonEmptyString),
    actor: NonEmptyString,
    runtime_version: optionalNullable(NonEmptyString),
    initialized_at: optionalNullable(dateTimeField(s)),
  }).annotations({ identifier: "ProjectInitializedPayload", ...forbidExtra });
export const ProjectInitializedPayload = makeProjectInitializedPayload("model");

const artifactBase = (s: Strictness) => ({
  mission_slug: NonEmptyString,
  mission_number: optionalNullable(intField(s, 1)),
  actor: NonEmptyString,
  at: optionalNullable(dateTimeField(s)),
});

const phaseStarted = (identifier: string) => (s: Strictness) =>
  Schema.Struct(artifactBase(s)).annotations({ identifier, ...forbidExtra });

const phaseCompleted = (identifier: string) => (s: Strictness) =>
  Schema.Struct({
    ...artifactBase(s),
    artifact_path: NonEmptyString,
    summary: optionalNullable(Schema.String),
  }).annotations({ identifier, ...forbidExtra });

/** SpecifyStarted at the given strictness. */
export const makeSpecifyStartedPayload = phaseStarted("SpecifyStartedPayload");
/** SpecifyCompleted (with the spec artifact path) at the given strictness. */
export const makeSpecifyCompletedPayload = phaseCompleted("SpecifyCompletedPayload");
/** PlanStarted at the given strictness. */
export const makePlanStartedPayload = phaseStarted("PlanStartedPayload");
/** PlanCompleted (with the plan artifact path) at the given strictness. */
export const makePlanCompletedPayload = phaseCompleted("PlanCompletedPayload");
/** TasksStarted at the given strictness. */
export const makeTasksStartedPayload = phaseStarted("TasksStartedPayload");
/** TasksCompleted also carries the number of work packages the tasks phase produced. */
export const makeTasksCompletedPayload = (s: Strictness) =>
  Schema.Struct({
    ...artifactBase(s),
    artifact_path: NonEmptyString,
    wp_count: intField(s, 0),
    summary: optionalNullable(Schema.String),
  }).annotations({ identifier: "TasksCompletedPayload", ...forbidExtra });

export const SpecifyStartedPayload = makeSpecifyStartedPayload("model");
export const SpecifyCompletedPayload = makeSpecifyCompletedPayload("model");
export const PlanStartedPayload = makePlanStartedPayload("model");
export const PlanCompletedPayload = makePlanCompletedPayload("model");
export const TasksStartedPayload = makeTasksStartedPayload("model");
export const TasksCompletedPayload = makeTasksCompletedPayload("model");

/** WPCreated: opens a work package; precedes its first WPStatusChanged. */
export const makeWPCreatedPayload = (s: Strictness) =>
  Schema.Struct({
    mission_slug: NonEmptyString,
    mission_number: optionalNullable(intField(s, 1)),
    wp_id: NonEmptyString,
    wp_title: NonEmptyString,
    wp_path: optionalNullable(NonEmptyString),
    depends_on: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
    actor: NonEmptyString,
    created_at: optionalNullable(dateTimeField(s)),
  }).annotations({ identifier: "WPCreatedPayload", ...forbidExtra });
export const WPCreatedPayload = makeWPCreatedPayload("model");

/** WPAssigned: a work package handed to an agent for a phase (`phase` is free text). */
export const WPAssignedPayload = Schema.Struct({
  wp_id: NonEmptyString,
  agent_id: NonEmptyString,
  phase: NonEmptyString,
  retry_count: Schema.optionalWith(intField("model", 0), { default: () => 0 }),
}).annotations({ identifier: "WPAssignedPayload", ...forbidExtra });

/** HistoryAdded: a free-form entry in a work package's audit trail (`author` is required). */
export const HistoryAddedPayload = Schema.Struct({
  wp_id: NonEmptyString,
  entry_type: NonEmptyString,
  entry_content: NonEmptyString,
  author: NonEmptyString,
}).annotations({ identifier: "HistoryAddedPayload", ...forbidExtra });

/** ErrorLogged: a runtime error, scoped to a work package when `wp_id` is given. */
export const ErrorLoggedPayload = Schema.Struct({
  error_type: NonEmptyString,
  error_message: NonEmptyString,
  wp_id: optionalNullable(NonEmptyString),
  stack_trace: optionalNullable(Schema.String),
  agent_id: optionalNullable(NonEmptyString),
}).annotations({ identifier: "ErrorLoggedPayload", ...forbidExtra });

/** DependencyResolved: a blocking dependency of a work package resolved (`resolution_type` is free text). */
export const DependencyResolvedPayload = Schema.Struct({
  wp_id: NonEmptyString,
  dependency_wp_id: NonEmptyString,
  resolution_type: NonEmptyString,
}).annotations({ identifier: "DependencyResolvedPayload", ...forbidExtra });

const buildRepoFields = {
  repo_slug: optionalNullable(NonEmptyString),
  git_branch: optionalNullable(NonEmptyString),
  head_commit_sha: optionalNullable(NonEmptyString),
};

/** BuildRegistered: a build identity started; the payload only enriches it with git context. */
export const BuildRegisteredPayload = Schema.Struct(buildRepoFields).annotations({
  identifier: "BuildRegisteredPayload",
  ...forbidExtra,
});

/** BuildHeartbeat: periodic liveness of a build, with its position relative to the remote. */
export const BuildHeartbeatPayload = Schema.Struct({
  ...buildRepoFields,
  remote_head: optionalNullable(NonEmptyString),
  ahead_of_remote: optionalNullable(intField("model", 0)),
  behind_remote: optionalNullable(intField("model", 0)),
  recent_commits: optionalNullable(Schema.Array(Schema.String)),
}).annotations({ identifier: "BuildHeartbeatPayload", ...forbidExtra });
