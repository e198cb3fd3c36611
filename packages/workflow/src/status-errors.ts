import { WorkflowError } from "./errors.ts";

/**
 * An error of @spec-kitty/status as a WorkflowError: its stable `code` and message are kept (a refused
 * transition, a missing log, a mission that cannot be resolved: exit 1; a corrupt log: an unreadable input, exit 2).
 * Anything else passes through unchanged.
 */
export const asWorkflowError = (error: unknown, wpId?: string): unknown => {
  if (error instanceof WorkflowError) return error;
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return error;
  const input = (error as { _tag?: unknown })._tag === "LogReadError";
  return new WorkflowError({
    code,
    kind: input ? "input" : "domain",
    message: error.message,
    ...(wpId === undefined ? {} : { wpId }),
    ...(code === "CANONICAL_STATUS_NOT_FOUND" ? { hint: "run 'spec-kitty agent mission finalize-tasks' first" } : {}),
  });
};

/** Runs `f`, rethrowing status errors as WorkflowErrors. */
export const viaStatus = async <A>(f: () => Promise<A> | A, wpId?: string): Promise<A> => {
  try {
    return await f();
  } catch (error) {
    throw asWorkflowError(error, wpId);
  }
};
