import * as Effect from "effect/Effect";
import { errorLoggedFact, isWorkflowError, type ErrorType, type WorkflowEmitter } from "@spec-kitty/workflow";
import { DomainFailure, InputFailure, UsageFailure, type CliFailure } from "../failure.ts";
import { CliIO, printJson } from "../io.ts";

/** What an ErrorLogged of a failed workflow command is attributed to. */
export interface FailureContext {
  readonly missionSlug?: string;
  readonly wpId?: string;
  readonly agent?: string;
}

/**
 * Runs one workflow operation and maps its failure for the CLI, the same way for every workflow command:
 * a `WorkflowError` keeps its kind (input/usage: exit 2, domain: exit 1), message and hint; with --json the error
 * object (`{"error": {code, message, file?, line?, …}}`) goes to stdout first; a domain failure is also reported to
 * the team as one `ErrorLogged` (error_type `validation` for a refusal, `runtime` for a git or I/O failure).
 * Anything else thrown is an internal error (exit 1, `runtime`).
 */
export const runWorkflow = <A>(
  f: () => Promise<A>,
  o: { readonly json: boolean; readonly emitter: WorkflowEmitter; readonly context?: FailureContext },
): Effect.Effect<A, CliFailure, CliIO> =>
  Effect.tryPromise({ try: f, catch: (error) => error }).pipe(
    Effect.catchAll((error) => {
      const known = isWorkflowError(error);
      const message = error instanceof Error ? error.message : String(error);
      const code = known ? error.code : "INTERNAL";
      const hint = known ? error.hint : undefined;
      const kind = known ? error.kind : "domain";
      if (kind === "domain") {
        const errorType: ErrorType = !known || /^(GIT_|IO_|INTERNAL)/.test(code) ? "runtime" : "validation";
        const wpId = (known ? error.wpId : undefined) ?? o.context?.wpId;
        o.emitter.emit(
          errorLoggedFact({
            errorType,
            message: `${code}: ${message}`,
            ...(wpId === undefined ? {} : { wpId }),
            ...(o.context?.missionSlug === undefined ? {} : { missionSlug: o.context.missionSlug }),
            ...(o.context?.agent === undefined ? {} : { agentId: o.context.agent }),
            ...(!known && error instanceof Error && error.stack !== undefined ? { stackTrace: error.stack } : {}),
          }),
        );
      }
      const print = o.json ? printJson({ error: known ? error.toJSON() : { code, message } }) : Effect.void;
      const failure: CliFailure =
        kind === "input"
          ? new InputFailure({ message, ...(hint === undefined ? {} : { hint }) })
          : kind === "usage"
            ? new UsageFailure({ message, ...(hint === undefined ? {} : { hint }) })
            : new DomainFailure({ message, ...(hint === undefined ? {} : { hint }) });
      return Effect.zipRight(print, Effect.fail(failure));
    }),
  );

/** The actor of a command: --actor/--agent, else $SPEC_KITTY_ACTOR, else the login name, else "user". */
export const defaultActor = (given: string | undefined): string => {
  const candidates = [given, process.env["SPEC_KITTY_ACTOR"], process.env["USER"], process.env["USERNAME"]];
  return candidates.find((c) => c !== undefined && c.trim() !== "")?.trim() ?? "user";
};
