/**
 * @spec-kitty/sync: project identity, the durable capture-first outbox and its Lamport clock, the one emission
 * funnel, auth and per-project consent, and delivery to a sync server (batch and WebSocket). Only entry point.
 */
export const SYNC_PACKAGE = "@spec-kitty/sync";

// --- delivery: the response mapper and its outcome types (ADR-0013) ---
export type { AdvertisedLimits, BatchVerdict, EventOutcome, OutcomeKind } from "./transport/outcome.ts";
export { categorize, mapBatchResponse, parseLimits, retryAfterMs, RETRY_AFTER_CEILING_MS } from "./transport/mapper.ts";
export type { BatchResponse } from "./transport/mapper.ts";
