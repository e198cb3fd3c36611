/** Reduction of a status log to its snapshot, and materialization of `status.json`. */
export { reduce, reduceRows, isRollback, safeMissionSlug } from "./reducer.ts";
export type { MissionIdentity, RetrospectiveSummary, StatusSnapshot, WorkPackageState } from "./snapshot.ts";
export { serializeStatusJson, SNAPSHOT_FILENAME } from "./serialize.ts";
export { reduceRetrospective } from "./retrospective.ts";
export { readMissionIdentity, identityFromMeta, missionNumberFromSlug, MetaReadError, META_FILENAME } from "./identity.ts";
export { materialize, materializeEither, renderStatus } from "./materialize.ts";
export type { MaterializeError, MaterializeOptions, MaterializeResult, RenderedStatus } from "./materialize.ts";
