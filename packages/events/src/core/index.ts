export type { PyDateTime } from "./timestamp.ts";
export { PyDateTimeFromInput, PyDateTimeFromString, parsePyDateTime, makePyDateTime, isPyDateTime } from "./timestamp.ts";
export { EventId, ProjectUuid, normalizeEventId, normalizeUuid, EVENT_ID_PATTERN } from "./event-id.ts";
export type { EventEncoded } from "./event.ts";
export { Event, EventPayload, encodeEvent, EVENT_FIELDS, SCHEMA_VERSION } from "./event.ts";
export { decodeEvent, describe as describeValue } from "./decode-event.ts";
export type { ValidationIssue } from "./issues.ts";
export {
  ValidationErrorCode,
  VALIDATION_ERROR_CODES,
  ValidationIssueSchema,
  SpecKittyEventsError,
  makeIssue,
  renderPath,
  describeIssues,
} from "./issues.ts";
export { compareEvents, sortAndDedup } from "./ordering.ts";
export { pyRepr } from "./py-repr.ts";
export { decodePayload, parseErrorToIssues } from "./payload.ts";
export {
  FORBIDDEN_LEGACY_KEYS,
  FORBIDDEN_LEGACY_KEYS_VERSION,
  findForbiddenKeys,
  firstForbiddenKey,
  hasForbiddenKeys,
} from "./forbidden-keys.ts";
export { CUTOVER_ARTIFACT, checkCutoverSignal, isPreCutoverPayload } from "./cutover.ts";
export {
  LEGACY_ENVELOPE_CONTRACT,
  LEGACY_PROJECT_NAMESPACE,
  LegacyShape,
  RECOGNIZED_LEGACY_SHAPES,
  NormalizedEnvelope,
  UnnormalizableLegacyDiagnostic,
  normalizeLegacyEnvelope,
} from "./legacy.ts";
export { uuid5, NAMESPACE_URL } from "./uuid5.ts";
