/**
 * The bounded flush at the end of a command: delivers the command's own project, with a hard 5 s deadline in
 * total, and is skipped at once (no network, no waiting) when the project is not enabled, there is no login,
 * `sync.auto_start` is false, another process is delivering, or nothing is waiting. It never throws and never
 * changes the command's outcome; what went wrong comes back as one warning line.
 */
import { resolveIdentity } from "../identity/config.ts";
import { locateGit } from "../identity/git.ts";
import { OutboxStore } from "../outbox/store.ts";
import { readConsent } from "./consent.ts";
import { deliverProject, deliveryGate, stopMessage, type DeliveryRun } from "./deliver.ts";

export const FLUSH_DEADLINE_MS = 5_000;

export interface ProjectConfig {
  readonly repoRoot: string;
  readonly projectUuid: string | null;
  /** False only when `.kittify/config.yaml` says `sync: { auto_start: false }`. */
  readonly autoStart: boolean;
}

/**
 * The project of `cwd`: the main repository root (a linked worktree leads back to it), its persisted uuid (read
 * only, never written) and `sync.auto_start`. Null outside a git repository.
 */
export const readProjectConfig = (cwd: string): ProjectConfig | null => {
  const git = locateGit(cwd);
  if (git === null) return null;
  const identity = resolveIdentity(git.mainRoot);
  const persisted = identity.state === "complete" || identity.state === "incomplete" ? identity.projectUuid : null;
  return { repoRoot: git.mainRoot, projectUuid: persisted, autoStart: identity.autoStart };
};

export type FlushResult =
  | { readonly flushed: false; readonly skipped: string }
  | { readonly flushed: true; readonly run: DeliveryRun; readonly warning: string | null };

/** Flushes the project of `cwd`. Resolves within `deadlineMs` (plus the time to close a socket already cut). */
export const flushAfterCommand = async (root: string, cwd: string, deadlineMs: number = FLUSH_DEADLINE_MS): Promise<FlushResult> => {
  try {
    const config = readProjectConfig(cwd);
    if (config === null || config.projectUuid === null) return { flushed: false, skipped: "not in a project with an identity" };
    if (!config.autoStart) return { flushed: false, skipped: "sync.auto_start is false" };
    const projectUuid = config.projectUuid;
    if (readConsent(root, projectUuid) === null) return { flushed: false, skipped: "project not enabled" };
    const gate = deliveryGate(root, projectUuid);
    if (!gate.ok) {
      return gate.reason.code === "not_authenticated" || gate.reason.code === "wrong_target"
        ? { flushed: true, run: { sent: false, reason: gate.reason, remaining: 0 }, warning: `sync: ${gate.reason.message}` }
        : { flushed: false, skipped: gate.reason.message };
    }
    const signal = AbortSignal.timeout(deadlineMs);
    let store: OutboxStore;
    try {
      store = OutboxStore.open(root, { busyTimeoutMs: 1000 });
    } catch (error) {
      return { flushed: false, skipped: `outbox unavailable: ${error instanceof Error ? error.message : String(error)}` };
    }
    try {
      const run = await deliverProject({ root, store, projectUuid, mode: "flush", signal, lockWaitMs: 0 });
      if (!run.sent) return run.reason.code === "busy" ? { flushed: false, skipped: run.reason.message } : { flushed: true, run, warning: `sync: ${run.reason.message}` };
      const stop = run.result.stop;
      const warning =
        stop.kind === "drained"
          ? null
          : `sync: ${run.result.remaining} event(s) not delivered yet (${stopMessage(stop)}); they stay queued for 'spec-kitty sync now'`;
      return { flushed: true, run, warning };
    } finally {
      store.close();
    }
  } catch (error) {
    return { flushed: false, skipped: `flush failed: ${error instanceof Error ? error.message : String(error)}` };
  }
};
