import * as Command from "@effect/cli/Command";
import * as ValidationError from "@effect/cli/ValidationError";
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import * as NodePath from "@effect/platform-node/NodePath";
import * as NodeTerminal from "@effect/platform-node/NodeTerminal";
import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Layer from "effect/Layer";
import * as Option from "effect/Option";
import { type CliFailure, ExitCode, exitCodeOf } from "./failure.ts";
import { makeConsole } from "./console.ts";
import { CliIO, printDiagnostic, processIO } from "./io.ts";
import { CLI_VERSION } from "./version.ts";
import { loadCommands } from "./commands/index.ts";

const DESCRIPTION =
  "spec-kitty: spec-driven development for teams of humans and AI agents (execution-state core). " +
  "Data goes to stdout, diagnostics to stderr; --json gives machine output; " +
  "exit codes: 0 ok, 1 domain failure, 2 usage or input error.";

/** The parser for one invocation, over the commands `argv` needs (see loadCommands). */
const makeCli = (commands: Awaited<ReturnType<typeof loadCommands>>) =>
  Command.run(
    Command.make("spec-kitty").pipe(Command.withDescription(DESCRIPTION), Command.withSubcommands(commands)),
    { name: "spec-kitty", version: CLI_VERSION },
  );

// What @effect/cli needs from the platform (file system, path, terminal), without the rest of NodeContext
// (command executor, worker manager), which only costs start-up time here.
const platform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer);

const isCliFailure = (error: unknown): error is CliFailure =>
  typeof error === "object" &&
  error !== null &&
  "_tag" in error &&
  (error._tag === "UsageFailure" || error._tag === "InputFailure" || error._tag === "DomainFailure");

/**
 * Runs the CLI on `argv` (without the node and script entries) and resolves to the process exit code.
 * Every failure is printed exactly once, on stderr, with what to do next.
 */
export const runCli = (argv: ReadonlyArray<string>): Effect.Effect<ExitCode, never, CliIO> =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const cli = makeCli(yield* Effect.promise(() => loadCommands(argv)));
    const exit = yield* Effect.exit(
      cli(["node", "spec-kitty", ...argv]).pipe(
        Effect.provide(platform),
        Effect.withConsole(makeConsole(io.stdout, io.stderr, io.isTTY)),
      ),
    );
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
    if (ValidationError.isValidationError(error)) {
      // @effect/cli has already printed the help page, or the error on stderr; we add what to do next.
      if (ValidationError.isHelpRequested(error)) return ExitCode.Ok;
      yield* printDiagnostic("hint: run 'spec-kitty --help' (or 'spec-kitty COMMAND --help') for usage");
      return ExitCode.UsageOrInput;
    }
    yield* printDiagnostic(`spec-kitty: internal error (please report it): ${String(error)}`);
    return ExitCode.DomainFailure;
  });

/** Entry point used by bin.ts: real stdout/stderr, real exit code. */
export const main = (argv: ReadonlyArray<string>): Promise<number> =>
  Effect.runPromise(runCli(argv).pipe(Effect.provide(Layer.fresh(processIO))));
