import * as Command from "@effect/cli/Command";
import * as ValidationError from "@effect/cli/ValidationError";
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import * as NodePath from "@effect/platform-node/NodePath";
import * as NodeTerminal from "@effect/platform-node/NodeTerminal";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { ExitCode } from "./failure.ts";
import { makeConsole } from "./console.ts";
import { CliIO, printDiagnostic, processIO } from "./io.ts";
import { reportExit } from "./report.ts";
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
    return yield* reportExit(exit, (error) => {
      if (!ValidationError.isValidationError(error)) return undefined;
      // @effect/cli has already printed the help page, or the error on stderr; we add what to do next.
      if (ValidationError.isHelpRequested(error)) return Effect.succeed(ExitCode.Ok);
      return Effect.as(
        printDiagnostic("hint: run 'spec-kitty --help' (or 'spec-kitty COMMAND --help') for usage"),
        ExitCode.UsageOrInput,
      );
    });
  });

/** Entry point used by bin.ts: real stdout/stderr, real exit code. */
export const main = (argv: ReadonlyArray<string>): Promise<number> =>
  Effect.runPromise(runCli(argv).pipe(Effect.provide(Layer.fresh(processIO))));
