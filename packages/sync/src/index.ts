/**
 * @spec-kitty/sync: project identity, the durable capture-first outbox and its Lamport clock, the one emission
 * funnel, auth and per-project consent, and delivery to a sync server (batch and WebSocket). Only entry point.
 */
export const SYNC_PACKAGE = "@spec-kitty/sync";

// --- delivery: the response mapper and its outcome types (ADR-0013) ---
export type { AdvertisedLimits, BatchVerdict, EventOutcome, OutcomeKind } from "./transport/outcome.ts";
export { categorize, mapBatchResponse, parseLimits, retryAfterMs, RETRY_AFTER_CEILING_MS } from "./transport/mapper.ts";
export type { BatchResponse } from "./transport/mapper.ts";

// --- delivery: transport, auth, consent, drain (ADR-0013) ---
export {
  BATCH_BYTES_CEILING,
  BATCH_PATH,
  DEFAULT_BATCH_BYTES,
  HEALTH_PATH,
  MAX_EVENTS_PER_BATCH,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  batchBody,
  batchLimits,
  fetchAdvertisedLimits,
  fitBatch,
  postBatch,
} from "./transport/batch.ts";
export type { BatchLimits, PostBatchInput } from "./transport/batch.ts";
export { Backoff, backgroundIntervalMs, reconnectDelayMs, sleep, BACKGROUND_BATCH_INTERVAL_MS, RECONNECT_ATTEMPTS } from "./delivery/backoff.ts";
export { acquireLock, tryLock, withLock, LockTimeout } from "./auth/lock.ts";
export type { Lock } from "./auth/lock.ts";
export {
  clearCredentials,
  credentialsPath,
  parseCredentials,
  readCredentials,
  renderCredentials,
  runtimeRoot,
  saveCredentials,
  CredentialsError,
} from "./auth/credentials.ts";
export type { AuthMethod, Credentials } from "./auth/credentials.ts";
export { AuthError, Session, checkServerUrl, chooseTeam, deviceLogin, fetchMe, logout, obtainWsToken, passwordLogin } from "./auth/client.ts";
export type { DeviceAuthorization, SessionState, Team } from "./auth/client.ts";
export { EMPTY_STATE, readConsent, readDeliveryState, recordPass, removeConsent, writeConsent, writeDeliveryState } from "./delivery/consent.ts";
export type { Consent, DeliveryState } from "./delivery/consent.ts";
export { deliveryTarget, drain } from "./delivery/drain.ts";
export type { DeliveryOutbox, DrainOptions, DrainProgress, DrainResult, OutboxEvent, SendBatch, StopReason } from "./delivery/drain.ts";
