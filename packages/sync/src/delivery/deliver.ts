/**
 * Delivery of one project, with every gate in front of the drain: consent (the project was enabled, for which
 * server and team), login (present, not expired, same server and team as the consent: the tenant is never
 * guessed), then a drain pass with the mode's budget. Used by `sync now`, the end-of-command flush and the agent.
 */
import { join } from "node:path";
import { Session } from "../auth/client.ts";
import { tryLock, acquireLock, type Lock } from "../auth/lock.ts";
import { releaseCaptured } from "../emit/release.ts";
import { targetKey, type OutboxStore } from "../outbox/store.ts";
import { fetchAdvertisedLimits } from "../transport/batch.ts";
import type { AdvertisedLimits } from "../transport/outcome.ts";
import { backgroundIntervalMs } from "./backoff.ts";
import { readConsent, recordPass, type Consent } from "./consent.ts";
import { drain, type DeliveryOutbox, type DrainProgress, type DrainResult, type SendBatch, type StopReason } from "./drain.ts";
import { storeOutbox } from "./outbox-port.ts";

/** Why a project's events were not sent at all (nothing was attempted). */
export type NotSentReason =
  | { readonly code: "not_enabled"; readonly message: string }
  | { readonly code: "auto_start_off"; readonly message: string }
  | { readonly code: "not_authenticated"; readonly message: string }
  | { readonly code: "wrong_target"; readonly message: string }
  | { readonly code: "busy"; readonly message: string };

export type DeliveryRun =
  | { readonly sent: false; readonly reason: NotSentReason; readonly remaining: number }
  | { readonly sent: true; readonly consent: Consent; readonly target: string; readonly result: DrainResult };

export type DeliveryMode = "now" | "flush" | "background";

export interface DeliverOptions {
  readonly root: string;
  readonly store: OutboxStore;
  readonly projectUuid: string;
  readonly mode: DeliveryMode;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DrainProgress) => void;
  /** Overrides for tests. */
  readonly send?: SendBatch;
  readonly outbox?: DeliveryOutbox;
  /** The server's advertised limits when already known (the agent caches them). */
  readonly limits?: AdvertisedLimits | null;
  /** How long to wait for another process's delivery of the same project (flush: 0, skip at once). */
  readonly lockWaitMs?: number;
  /** Where the verdicts on events captured with deferred validation are said (default: nowhere; status shows them). */
  readonly diagnostics?: (line: string) => void;
}

/** The egress lock of a project: one delivering process at a time, so two drains never race the same events. */
export const egressLockPath = (root: string, projectUuid: string): string => join(root, "delivery", `${projectUuid.toLowerCase()}.egress.lock`);

/** Sets the envelope's `team_slug` to the target's team (captured events carry none, or a stale one). */
export const stampTeam = (teamSlug: string) => {
  const exact = `"team_slug":${JSON.stringify(teamSlug)}`;
  const unset = '"team_slug":null';
  return (body: string): string => {
    if (body.includes(exact)) return body;
    // Captured envelopes carry `"team_slug":null` once, at the top level: replace it without a parse.
    const at = body.indexOf(unset);
    if (at > 0 && at === body.lastIndexOf(unset)) return `${body.slice(0, at)}${exact}${body.slice(at + unset.length)}`;
    const envelope = JSON.parse(body) as Record<string, unknown>;
    envelope["team_slug"] = teamSlug;
    return JSON.stringify(envelope);
  };
};

/** A stop reason in words. */
export const stopMessage = (stop: StopReason): string => ("message" in stop ? stop.message : stop.kind);

/** The gates in front of delivery, without touching the network. */
export const deliveryGate = (
  root: string,
  projectUuid: string,
): { readonly ok: true; readonly consent: Consent; readonly session: Session } | { readonly ok: false; readonly reason: NotSentReason } => {
  const consent = readConsent(root, projectUuid);
  if (consent === null) {
    return { ok: false, reason: { code: "not_enabled", message: "this project is not enabled for sync (run 'spec-kitty sync enable'); its events stay on this machine" } };
  }
  const session = new Session(root);
  const credentials = session.credentials();
  if (credentials === null || session.state() !== "authenticated") {
    return { ok: false, reason: { code: "not_authenticated", message: "not logged in (run 'spec-kitty auth login'); events stay queued" } };
  }
  if (credentials.serverUrl !== consent.serverUrl || credentials.teamSlug !== consent.teamSlug) {
    return {
      ok: false,
      reason: {
        code: "wrong_target",
        message:
          `logged in to team '${credentials.teamSlug ?? "(none)"}' at ${credentials.serverUrl}, but this project is enabled for team ` +
          `'${consent.teamSlug}' at ${consent.serverUrl}; log in to that team or run 'spec-kitty sync enable' again`,
      },
    };
  }
  return { ok: true, consent, session };
};

/** Delivers one project's events to the target it was enabled for. Never throws for server or network trouble. */
export const deliverProject = async (options: DeliverOptions): Promise<DeliveryRun> => {
  const { root, store, projectUuid } = options;
  const outbox = options.outbox ?? storeOutbox(store);
  const gate = deliveryGate(root, projectUuid);
  const remainingFor = (target: string | null): number => {
    if (target !== null) return outbox.pendingCount({ projectUuid, target });
    return store.stats().projects.find((p) => p.projectUuid === projectUuid)?.undelivered ?? 0;
  };
  if (!gate.ok) {
    const consent = readConsent(root, projectUuid);
    return { sent: false, reason: gate.reason, remaining: remainingFor(consent === null ? null : targetKey(consent.serverUrl, consent.teamSlug)) };
  }
  const { consent, session } = gate;
  const target = targetKey(consent.serverUrl, consent.teamSlug);
  let lock: Lock | undefined;
  const lockPath = egressLockPath(root, projectUuid);
  const waitMs = options.lockWaitMs ?? (options.mode === "now" ? 10_000 : 0);
  try {
    lock = waitMs > 0 ? await acquireLock(lockPath, waitMs) : tryLock(lockPath);
  } catch {
    lock = undefined;
  }
  if (lock === undefined) {
    return { sent: false, reason: { code: "busy", message: "another spec-kitty process is delivering this project's events" }, remaining: remainingFor(target) };
  }
  try {
    // Events captured with deferred validation become selectable (or parked as invalid) only once judged.
    await releaseCaptured(store, { diagnostics: options.diagnostics ?? (() => undefined) }).catch(() => undefined);
    let limits = options.limits ?? null;
    if (limits === null && options.mode !== "flush") {
      const token = await session.accessToken().catch(() => null);
      const advertised = await fetchAdvertisedLimits(consent.serverUrl, token, options.signal === undefined ? {} : { signal: options.signal });
      limits = Object.keys(advertised).length > 0 ? advertised : null;
    }
    const result = await drain({
      outbox,
      projectUuid,
      target,
      serverUrl: consent.serverUrl,
      teamSlug: consent.teamSlug,
      accessToken: () => session.accessToken().catch(() => null),
      refresh: (stale) => session.refresh(stale).catch(() => null),
      limits: limits ?? {},
      prepare: stampTeam(consent.teamSlug),
      transientRetries: options.mode === "now" ? 3 : 0,
      batchIntervalMs: options.mode === "background" ? backgroundIntervalMs(limits) : 0,
      ...(options.mode === "background" ? { maxBatches: 20 } : {}),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.send === undefined ? {} : { send: options.send }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    const ok = result.stop.kind === "drained" || result.stop.kind === "batch_limit";
    const reason = stopMessage(result.stop);
    recordPass(root, projectUuid, ok, ok ? null : reason);
    if (!ok) {
      try {
        store.project(projectUuid).recordFailure(target, reason);
      } catch {
        // the report of a failure never fails the pass
      }
    }
    return { sent: true, consent, target, result };
  } finally {
    lock.release();
  }
};
