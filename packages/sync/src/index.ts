/**
 * @spec-kitty/sync: project identity, the durable capture-first outbox and its Lamport clock, the one emission
 * funnel, auth and per-project consent, and delivery to a sync server (batch and WebSocket). Only entry point.
 */
export const SYNC_PACKAGE = "@spec-kitty/sync";
