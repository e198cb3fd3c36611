/** The status event log: reading `status.events.jsonl`, writing rows byte-compatibly, atomic appends. */
export { EVENTS_FILENAME, isAnnotation, actorDisplay } from "./rows.ts";
export type {
  ActorField,
  ActorRecord,
  InnerStateChangedRow,
  LaneTransitionRow,
  LocatedRow,
  ParsedLog,
  ReviewAnnotation,
  StatusLogRow,
  WireLane,
  WpInnerStateDelta,
} from "./rows.ts";
export { LogReadError, LogWriteError } from "./errors.ts";
export type { LogReadErrorCode, LogWriteErrorCode } from "./errors.ts";
export { parseEventLog, EMPTY_LOG, decodeActor, splitLogLines } from "./parse.ts";
export { readEventLog, readBytesNoFollow, decodeUtf8 } from "./read.ts";
export { serializeRow, appendRows, replaceAtomically, sanitizeForLog } from "./write.ts";
export type { AppendReceipt } from "./write.ts";
export { PyFloat, parseJson, dumpsLine, dumpsIndented, pyFloatRepr, compareKeys, isJsonObject } from "./json.ts";
export type { JsonValue, JsonObject, JsonArray } from "./json.ts";
export { pyRepr, pyStr } from "./pyrepr.ts";
