/**
 * @spec-kitty/sync: project identity, the durable capture-first outbox and its Lamport clock, the one emission
 * funnel, and (built on the outbox API below) auth, per-project consent and delivery to a sync server.
 * This file is the package's only public entry point (ADR-0002, ADR-0012).
 *
 * ## The outbox (capture side and delivery side)
 *
 * One SQLite database in WAL mode at `<runtime root>/sync/outbox.db` (`runtimeRoot()`: `$SPEC_KITTY_HOME`, else
 * `~/.spec-kitty`). It holds every captured event, the machine's Lamport clock and the per-target delivery ledger.
 * Delivery never deletes an event; only `gc` removes events already delivered.
 *
 * ```ts
 * const store = OutboxStore.open(runtimeRoot());          // throws OutboxError (code OUTBOX_UNAVAILABLE|CORRUPT|LOCKED)
 * const target = targetKey("https://sync.example", "my-team");
 * for (const projectUuid of store.projectsWithUndelivered()) {
 *   // consent: only send a project to the target it was enabled for
 *   const project = store.project(projectUuid);           // every statement scoped to this project
 *   const batch = project.selectBatch(target, { maxEvents: 1000, maxBytes: 235_929 });
 *   // POST `{"events":[${batch.map((e) => e.json).join(",")}]}` …
 *   project.record(target, [
 *     { eventId: batch[0].eventId, outcome: "delivered" },
 *     { eventId: batch[1].eventId, outcome: "retry", reason: "rejected: …", nextAttemptAt: Date.now() + 30_000 },
 *     { eventId: batch[2].eventId, outcome: "parked", reason: "oversized event" },
 *   ]);                                                    // one transaction; delivered/duplicate are terminal
 *   project.recordFailure(target, "HTTP 503");            // batch-level failure: no event's attempts change
 *   store.receive(serverLamport);                          // clocks seen in acks/snapshots advance the local clock
 * }
 * store.stats();                                           // what `sync status` shows, from the same tables
 * store.close();
 * ```
 *
 * - Before selecting, delivery calls `await releaseCaptured(store)`: events captured with deferred validation
 *   (the CLI's hot commands) are judged by @spec-kitty/events and become selectable, or are parked.
 * - `selectBatch` returns events in capture order that are not `delivered`, `duplicate` or `parked` for that
 *   target and whose `retry` time has come; blocked (`missing_identity`) and invalid (parked at capture) events
 *   are never returned. A batch holds one project by construction. A single event over `maxBytes` comes alone.
 * - The envelope's `team_slug` is the team of the target it is sent to: the sender sets it when building the body
 *   (captured events carry `team_slug: null`), so an event can only ever carry its target's team.
 */

export { runtimeRoot, outboxPath, rescuePath, legacyQueuePath } from "./paths.ts";
export { OutboxError, type OutboxErrorCode } from "./outbox/errors.ts";
export {
  OutboxStore,
  ProjectOutbox,
  targetKey,
  spoolUncaptured,
  OUTBOX_SCHEMA_VERSION,
  DEFAULT_MAX_EVENTS,
  DEFAULT_MAX_BYTES,
  UNDELIVERED_WARNING_THRESHOLD,
  type OpenOptions,
} from "./outbox/store.ts";
export type {
  BatchLimits,
  BlockedReason,
  CaptureInput,
  CaptureReceipt,
  DeliveryOutcome,
  DeliveryState,
  EventOrigin,
  EventParkedReason,
  GcReceipt,
  OutboxEvent,
  OutboxStats,
  ParkedEvent,
  ProjectCounters,
  RecordReceipt,
  TargetCounters,
} from "./outbox/types.ts";
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
export type { BatchBudget, PostBatchInput } from "./transport/batch.ts";
export { Backoff, backgroundIntervalMs, reconnectDelayMs, sleep, BACKGROUND_BATCH_INTERVAL_MS, RECONNECT_ATTEMPTS } from "./delivery/backoff.ts";
export { acquireLock, tryLock, withLock, LockTimeout } from "./auth/lock.ts";
export type { Lock } from "./auth/lock.ts";
export {
  clearCredentials,
  credentialsPath,
  parseCredentials,
  readCredentials,
  renderCredentials,
  saveCredentials,
  CredentialsError,
} from "./auth/credentials.ts";
export type { AuthMethod, Credentials } from "./auth/credentials.ts";
export { AuthError, Session, checkServerUrl, chooseTeam, deviceLogin, fetchMe, logout, obtainWsToken, passwordLogin } from "./auth/client.ts";
export type { DeviceAuthorization, SessionState, Team } from "./auth/client.ts";
export { EMPTY_HEALTH, readConsent, readDeliveryHealth, recordPass, removeConsent, writeConsent, writeDeliveryHealth } from "./delivery/consent.ts";
export type { Consent, DeliveryHealth } from "./delivery/consent.ts";
export { drain } from "./delivery/drain.ts";
export type { DeliverableEvent, DeliveryOutbox, DrainOptions, DrainProgress, DrainResult, SendBatch, StopReason } from "./delivery/drain.ts";
export { rejectionDelayMs, storeOutbox } from "./delivery/outbox-port.ts";
export { deliverProject, deliveryGate, egressLockPath, stampTeam, stopMessage } from "./delivery/deliver.ts";
export type { DeliverOptions, DeliveryMode, DeliveryRun, NotSentReason } from "./delivery/deliver.ts";
export { flushAfterCommand, readProjectConfig, FLUSH_DEADLINE_MS } from "./delivery/flush.ts";
export type { FlushResult, ProjectConfig } from "./delivery/flush.ts";
export { WsClient, ACK_TIMEOUT_MS, FIRST_FRAME_TIMEOUT_MS } from "./transport/websocket.ts";
export type { ConnectionStatus, WsClientOptions, WsTicket } from "./transport/websocket.ts";
export { agentLockPath, runAgent, AGENT_POLL_MS } from "./delivery/agent.ts";
export type { AgentExit, AgentOptions } from "./delivery/agent.ts";

// ---------------------------------------------------------------- project identity
export {
  resolveIdentity,
  ensureIdentity,
  parseConfig,
  atomicWrite,
  configPathOf,
  CONFIG_RELATIVE_PATH,
  IdentityError,
  type ProjectIdentity,
  type ConfigProblem,
  type EnsureResult,
} from "./identity/config.ts";
export {
  userName,
  nodeIdFor,
  generateNodeId,
  normalizeSlug,
  slugFromRemoteUrl,
  deriveProjectSlug,
  deriveBuildId,
  canonicalUuid,
  uuid5,
} from "./identity/derive.ts";
export {
  locateGit,
  readHead,
  readOriginUrl,
  repoSlugFromUrl,
  GitMetadataResolver,
  GIT_TIMEOUT_MS,
  GIT_METADATA_TTL_MS,
  type GitLocation,
  type GitMetadata,
} from "./identity/git.ts";

// ---------------------------------------------------------------- the emission funnel
export {
  EmissionFunnel,
  ENVELOPE_SCHEMA_VERSION,
  CAPTURE_ENV,
  pythonIsoUtc,
  type Fact,
  type EmitOutcome,
  type EmitResult,
  type FunnelOptions,
} from "./emit/funnel.ts";
export { validateEnvelope, type EnvelopeVerdict, type Violation } from "./emit/validate.ts";
export { releaseCaptured, type ReleaseReport } from "./emit/release.ts";
export {
  statusPostCommitHook,
  runtimeEventEmitter,
  wpStatusChangedFact,
  runEventFact,
  SYNCED_RUN_EVENT_TYPES,
} from "./emit/adapters.ts";

// ---------------------------------------------------------------- the Python CLI's offline queue
export { importLegacyQueue, LegacyQueueError, type LegacyImportReport } from "./legacy/import-queue.ts";
