import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Option from "effect/Option";
import { type CliFailure, ExitCode, exitCodeOf } from "./failure.ts";
import { type CliIO, printDiagnostic } from "./io.ts";

const isCliFailure = (error: unknown): error is CliFailure =>
  typeof error === "object" &&
  error !== null &&
  "_tag" in error &&
  (error._tag === "UsageFailure" || error._tag === "InputFailure" || error._tag === "DomainFailure");

/**
 * The exit code of a finished command, printing its failure exactly once on stderr with what to do next.
 * `other` handles failures that are not the CLI's own (the parser's validation errors); anything still unknown
 * is reported as an internal error.
 */
export const reportExit = (
  exit: Exit.Exit<unknown, unknown>,
  other: (error: unknown) => Effect.Effect<ExitCode, never, CliIO> | undefined = () => undefined,
): Effect.Effect<ExitCode, never, CliIO> =>
  Effect.gen(function* () {
    if (Exit.isSuccess(exit)) return ExitCode.Ok;
    const failure = Cause.failureOption(exit.cause);
    if (Option.isNone(failure)) {
      const pretty = Cause.pretty(exit.cause);
      yield* printDiagnostic(`spec-kitty: internal error (please report it):\n${pretty}`);
      return ExitCode.DomainFailure;
    }
    const error: unknown = failure.value;
    if (isCliFailure(error)) {
      yield* printDiagnostic(`error: ${error.message}`);
      if (error.hint !== undefined) yield* printDiagnostic(`hint: ${error.hint}`);
      return exitCodeOf(error);
    }
    const handled = other(error);
    if (handled !== undefined) return yield* handled;
    yield* printDiagnostic(`spec-kitty: internal error (please report it): ${String(error)}`);
    return ExitCode.DomainFailure;
  });
