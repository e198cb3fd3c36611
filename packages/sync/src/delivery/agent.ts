/**
 * `spec-kitty sync agent`: the long-running delivery process of one runtime root. It holds an exclusive lock (one
 * agent per root), keeps a WebSocket to the logged-in server, and on every tick delivers each enabled project's
 * waiting events: a few over the socket (each counted only on its ack), a backlog through the batch endpoint.
 * Failures back off (0.5 s doubling to 30 s, reset on success); a tick without a usable login is a failure and
 * never stamps a success. SIGINT/SIGTERM (the `signal`) end it within 5 s.
 */
import { join } from "node:path";
import { obtainWsToken, Session } from "../auth/client.ts";
import { tryLock } from "../auth/lock.ts";
import { releaseCaptured } from "../emit/release.ts";
import { OutboxStore, targetKey } from "../outbox/store.ts";
import { fetchAdvertisedLimits } from "../transport/batch.ts";
import type { AdvertisedLimits, EventOutcome } from "../transport/outcome.ts";
import { WsClient, type ConnectionStatus } from "../transport/websocket.ts";
import { Backoff, sleep } from "./backoff.ts";
import { readConsent, readDeliveryHealth, recordPass, writeDeliveryHealth } from "./consent.ts";
import { deliverProject, deliveryGate, egressLockPath, stampTeam, stopMessage } from "./deliver.ts";
import { storeOutbox } from "./outbox-port.ts";

/** How often an idle agent looks for new events. */
export const AGENT_POLL_MS = 1_000;
/** Up to this many waiting events go over the socket in one tick; more than that is a backlog for the batch path. */
export const WS_TICK_EVENTS = 50;

export const agentLockPath = (root: string): string => join(root, "delivery", "agent.lock");

export interface AgentOptions {
  readonly root: string;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly pollMs?: number;
  /** Use the WebSocket when logged in (default true). */
  readonly websocket?: boolean;
}

export type AgentExit = { readonly code: 0 } | { readonly code: 1; readonly message: string };

/** Runs until `signal` aborts. Returns at once with code 1 when another agent holds the root. */
export const runAgent = async (options: AgentOptions): Promise<AgentExit> => {
  const { root, signal, log } = options;
  const lock = tryLock(agentLockPath(root));
  if (lock === undefined) return { code: 1, message: `another sync agent is already running for ${root}` };
  let store: OutboxStore | undefined;
  let ws: WsClient | undefined;
  let wsIdentity = "";
  const backoff = new Backoff();
  const limitsCache = new Map<string, AdvertisedLimits | null>();
  let status: ConnectionStatus = "Offline";
  // A stop request closes the socket at once, which settles any send still waiting for its ack.
  const onAbort = (): void => void ws?.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    store = OutboxStore.open(root);
    log(`sync agent started for ${root} (pid ${process.pid})`);
    while (!signal.aborted) {
      const session = new Session(root);
      const credentials = session.credentials();
      // The socket follows the login: (re)open for a new login, close when it is gone.
      const identity = credentials === null ? "" : `${credentials.serverUrl}|${credentials.teamSlug ?? ""}|${credentials.refreshToken}`;
      if (identity !== wsIdentity) {
        await ws?.close();
        ws = undefined;
        wsIdentity = identity;
        if (credentials !== null && options.websocket !== false) {
          ws = new WsClient({
            ticket: async () => {
              const current = session.credentials();
              const token = await session.accessToken();
              if (current === null || token === null) throw new Error("not logged in");
              return obtainWsToken(current, token);
            },
            onStatus: (next, detail) => {
              status = next;
              log(`connection: ${next} (${detail})`);
            },
            onRemoteClock: (lamport) => store?.receive(lamport),
          });
          // A failed first connect goes to the reconnect schedule (and to OfflineBatchMode after it).
          if (!(await ws.connect())) void ws.reconnect();
        }
      }
      let failed = false;
      let progressed = false;
      await releaseCaptured(store, { diagnostics: log }).catch(() => undefined);
      const projects = store.projectsWithUndelivered().filter((uuid) => readConsent(root, uuid) !== null);
      for (const projectUuid of projects) {
        if (signal.aborted) break;
        const gate = deliveryGate(root, projectUuid);
        if (!gate.ok) {
          failed = true;
          recordPass(root, projectUuid, false, gate.reason.message, status);
          continue;
        }
        const target = targetKey(gate.consent.serverUrl, gate.consent.teamSlug);
        const outbox = storeOutbox(store);
        const waiting = outbox.pendingCount({ projectUuid, target });
        if (waiting === 0) continue;
        if (ws?.connected === true && waiting <= WS_TICK_EVENTS) {
          const events = outbox.selectBatch({ projectUuid, target, afterSeq: 0, limit: WS_TICK_EVENTS });
          const stamp = stampTeam(gate.consent.teamSlug);
          const egress = tryLock(egressLockPath(root, projectUuid));
          if (egress === undefined) continue;
          try {
            const outcomes: Array<EventOutcome> = [];
            for (const event of events) {
              if (signal.aborted) break;
              const outcome = await ws.send(event.eventId, stamp(event.body));
              outcomes.push(outcome);
              // No ack in time: the rest goes through the batch endpoint on the next tick.
              if (outcome.kind === "pending") break;
            }
            outbox.recordOutcomes({ projectUuid, target }, outcomes);
            const delivered = outcomes.filter((o) => o.kind === "synced" || o.kind === "duplicate").length;
            if (delivered > 0) progressed = true;
            if (outcomes.some((o) => o.kind === "pending")) failed = true;
            recordPass(root, projectUuid, !outcomes.some((o) => o.kind === "pending"), null, status);
          } finally {
            egress.release();
          }
          continue;
        }
        if (!limitsCache.has(gate.consent.serverUrl)) {
          const token = await session.accessToken().catch(() => null);
          const advertised = await fetchAdvertisedLimits(gate.consent.serverUrl, token, { signal });
          limitsCache.set(gate.consent.serverUrl, Object.keys(advertised).length > 0 ? advertised : null);
        }
        const run = await deliverProject({ root, store, projectUuid, mode: "background", signal, limits: limitsCache.get(gate.consent.serverUrl) ?? null });
        if (!run.sent) {
          if (run.reason.code !== "busy") failed = true;
          continue;
        }
        const delivered = run.result.counts.synced + run.result.counts.duplicate;
        if (delivered > 0) progressed = true;
        if (run.result.stop.kind !== "drained" && run.result.stop.kind !== "batch_limit") {
          failed = true;
          log(`delivery of ${projectUuid} stopped: ${stopMessage(run.result.stop)}`);
        }
        const health = readDeliveryHealth(root, projectUuid);
        writeDeliveryHealth(root, projectUuid, { ...health, connection: status });
      }
      if (failed && !progressed) {
        const wait = backoff.fail();
        log(`nothing delivered; next attempt in ${(wait / 1000).toFixed(1)} s`);
        await sleep(wait, signal);
      } else {
        if (progressed) backoff.succeed();
        await sleep(progressed ? 0 : (options.pollMs ?? AGENT_POLL_MS), signal);
      }
    }
    return { code: 0 };
  } catch (error) {
    return { code: 1, message: error instanceof Error ? error.message : String(error) };
  } finally {
    signal.removeEventListener("abort", onAbort);
    await ws?.close();
    store?.close();
    lock.release();
    log("sync agent stopped");
  }
};
