/**
 * @spec-kitty/status: the lane FSM, the status event log and its reducer, byte-compatible with
 * spec-kitty's `kitty-specs/<mission>/status.events.jsonl` and `status.json`. Only entry point.
 */

// --- Pure API: FSM, log rows, reducer, materialize ---
export * from "./fsm/index.ts";
export {
  EVENTS_FILENAME,
  isAnnotation,
  actorDisplay,
  LogReadError,
  LogWriteError,
  parseEventLog,
  readEventLog,
  serializeRow,
  appendRows,
  sanitizeForLog,
  decodeActor,
  PyFloat,
} from "./log/index.ts";
export type {
  ActorField,
  ActorRecord,
  AppendReceipt,
  InnerStateChangedRow,
  JsonObject,
  JsonValue,
  LaneTransitionRow,
  LocatedRow,
  LogReadErrorCode,
  LogWriteErrorCode,
  ParsedLog,
  ReviewAnnotation,
  StatusLogRow,
  WireLane,
  WpInnerStateDelta,
} from "./log/index.ts";
export {
  reduce,
  reduceRows,
  isRollback,
  serializeStatusJson,
  SNAPSHOT_FILENAME,
  readMissionIdentity,
  MetaReadError,
  META_FILENAME,
  materialize,
  materializeEither,
  renderStatus,
} from "./reduce/index.ts";
export type {
  MaterializeError,
  MaterializeOptions,
  MaterializeResult,
  MissionIdentity,
  RenderedStatus,
  RetrospectiveSummary,
  StatusSnapshot,
  WorkPackageState,
} from "./reduce/index.ts";
// --- end of the pure API ---

// --- Aggregate API (MissionStatus) below this line ---
export * from "./aggregate/index.ts";
