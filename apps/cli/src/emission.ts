import type { RunLogRow, RuntimeEventEmitter } from "@spec-kitty/runtime";
import type { PostCommitEvent, PostCommitHook } from "@spec-kitty/status";
import type { EmissionFunnel } from "@spec-kitty/sync";
import type { WorkflowEmitter, WorkflowFact } from "@spec-kitty/workflow";

/**
 * The emission of one command invocation (ADR-0012): every event a command reports goes through one
 * `EmissionFunnel` of `@spec-kitty/sync`, created on the first event only, so a command that emits nothing never
 * loads the sync package (the direct path stays as fast as it was). Diagnostics go to the command's stderr;
 * nothing here writes to stdout, throws, or waits on the network.
 */
export interface CommandEmission {
  /** For `MissionStatus` options: one `WPStatusChanged` per persisted lane transition. */
  readonly postCommitHooks: readonly PostCommitHook[];
  /** For the runtime's engine ports: the mission-next events of a run. */
  readonly runtimeEmitter: RuntimeEventEmitter;
  /** For the workflow commands (`@spec-kitty/workflow`): every fact that is not a lane change. */
  readonly workflowEmitter: WorkflowEmitter;
  /** The invocation's correlation id once the funnel exists (facts share it), else null. */
  readonly correlationId: () => Promise<string>;
  /** Waits until every event reported so far is captured (or said to be lost), then releases the outbox. */
  readonly settle: () => Promise<void>;
}

const loadSync = () => import("@spec-kitty/sync");

export const commandEmission = (
  io: { readonly cwd: string; readonly stderr: (text: string) => void },
  repoDir?: string,
  options: { readonly correlationId?: string } = {},
): CommandEmission => {
  let funnel: Promise<EmissionFunnel> | undefined;
  const pending: Array<Promise<unknown>> = [];
  const get = (): Promise<EmissionFunnel> =>
    (funnel ??= loadSync().then(
      // Validation is deferred: loading the contracts (Effect Schema) would cost more than the whole capture; the
      // events are judged by `releaseCaptured` before delivery (and by `sync status`).
      (sync) =>
        new sync.EmissionFunnel({
          cwd: io.cwd,
          ...(repoDir === undefined ? {} : { repoDir }),
          // A command that continues earlier work (orchestrate --resume) keeps that work's correlation id.
          ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
          diagnostics: (line) => io.stderr(`${line}\n`),
          validation: "deferred",
        }),
    ));
  const warnLoadFailure = (error: unknown): void => {
    io.stderr(`warning: sync: events of this command were not captured (the sync package failed to load: ${error instanceof Error ? error.message : String(error)})\n`);
  };
  const statusHook: PostCommitHook = async (event: PostCommitEvent) => {
    try {
      const [sync, f] = await Promise.all([loadSync(), get()]);
      await sync.statusPostCommitHook(f)(event);
    } catch (error) {
      warnLoadFailure(error);
    }
  };
  return {
    postCommitHooks: [statusHook],
    runtimeEmitter: {
      emit: (row: RunLogRow) => {
        pending.push(
          Promise.all([loadSync(), get()]).then(
            ([sync, f]) => sync.runtimeEventEmitter(f).emit(row),
            (error: unknown) => warnLoadFailure(error),
          ),
        );
      },
    },
    workflowEmitter: {
      emit: (fact: WorkflowFact) => {
        pending.push(
          get().then(
            (f) => f.emit(fact),
            (error: unknown) => warnLoadFailure(error),
          ),
        );
      },
    },
    correlationId: async () => (await get()).correlationId,
    settle: async () => {
      await Promise.allSettled(pending);
      if (funnel === undefined) return;
      try {
        const f = await funnel;
        await f.settle();
        f.close();
      } catch {
        // already reported by the hook
      }
    },
  };
};
