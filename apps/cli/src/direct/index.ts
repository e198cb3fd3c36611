import * as Effect from "effect/Effect";
import type * as Layer from "effect/Layer";
import type { CliFailure, ExitCode } from "../failure.ts";
import { type CliIO, processIO } from "../io.ts";
import { reportExit } from "../report.ts";
import { type CommandSpec, parsePlain } from "./parse.ts";

/**
 * The direct path (ADR-0011): the commands run on every step of an agent's work skip @effect/cli when their
 * command line is in plain form. The command's own module is loaded alone, parsed by `parsePlain`, run with the
 * same handler and reported by the same `reportExit` as through the full parser, so output and exit codes are
 * the same either way; only start-up is shorter.
 */

interface DirectCommand<Config> {
  readonly spec: CommandSpec;
  readonly run: (config: Config) => Effect.Effect<void, CliFailure, CliIO>;
}

interface Route {
  /** The command words, e.g. `agent tasks move-task`. */
  readonly path: ReadonlyArray<string>;
  // The configuration object is built by parsePlain from `spec`; its shape is checked against the
  // @effect/cli definition of the same command by the direct-path tests.
  readonly load: () => Promise<DirectCommand<never>>;
}

const route = <Config>(path: ReadonlyArray<string>, load: () => Promise<DirectCommand<Config>>): Route => ({
  path,
  load: load as unknown as () => Promise<DirectCommand<never>>,
});

/** Longest paths first: `status materialize` before `status`. */
export const DIRECT_ROUTES: ReadonlyArray<Route> = [
  route(["agent", "tasks", "move-task"], async () => {
    const m = await import("../commands/move-task.ts");
    return { spec: m.moveTaskSpec, run: m.runMoveTask };
  }),
  route(["agent", "mission", "create"], async () => {
    const m = await import("../commands/mission.ts");
    return { spec: m.createSpec, run: m.runCreate };
  }),
  route(["agent", "mission", "finalize-tasks"], async () => {
    const m = await import("../commands/mission.ts");
    return { spec: m.finalizeSpec, run: m.runFinalize };
  }),
  route(["agent", "feature", "create-feature"], async () => {
    const m = await import("../commands/mission.ts");
    return { spec: m.createSpec, run: m.runCreate };
  }),
  route(["agent", "feature", "finalize-tasks"], async () => {
    const m = await import("../commands/mission.ts");
    return { spec: m.finalizeSpec, run: m.runFinalize };
  }),
  route(["implement"], async () => {
    const m = await import("../commands/implement-run.ts");
    return { spec: m.implementSpec, run: m.runImplement };
  }),
  route(["merge"], async () => {
    const m = await import("../commands/merge-run.ts");
    return { spec: m.mergeSpec, run: m.runMerge };
  }),
  route(["agent", "tasks", "mark-status"], async () => {
    const m = await import("../commands/mark-status.ts");
    return { spec: m.markStatusSpec, run: m.runMarkStatus };
  }),
  route(["agent", "tasks", "add-history"], async () => {
    const m = await import("../commands/add-history.ts");
    return { spec: m.addHistorySpec, run: m.runAddHistory };
  }),
  route(["accept"], async () => {
    const m = await import("../commands/accept.ts");
    return { spec: m.acceptSpec, run: m.runAccept };
  }),
  route(["events", "reduce"], async () => {
    const m = await import("../commands/events-reduce.ts");
    return { spec: m.reduceSpec, run: m.runReduce };
  }),
  route(["status", "materialize"], async () => {
    const m = await import("../commands/status-materialize.ts");
    return { spec: m.materializeSpec, run: m.runMaterialize };
  }),
  route(["status"], async () => {
    const m = await import("../commands/status-run.ts");
    return { spec: m.boardSpec, run: m.runBoard };
  }),
  route(["orchestrate"], async () => {
    const m = await import("../commands/orchestrate-run.ts");
    return { spec: m.orchestrateSpec, run: m.runOrchestrate };
  }),
  route(["next"], async () => {
    const m = await import("../commands/next-run.ts");
    return { spec: m.nextSpec, run: m.runNext };
  }),
];

/** Setting this variable to 1 sends every invocation through the full parser (for comparisons and diagnosis). */
export const FULL_PARSER_ENV = "SPEC_KITTY_FULL_PARSER";

/** The route `argv` names and the configuration parsed from the rest of it, or undefined when it is not plain. */
export const parseDirect = async (
  argv: ReadonlyArray<string>,
): Promise<{ readonly route: Route; readonly command: DirectCommand<never>; readonly config: unknown } | undefined> => {
  const found = DIRECT_ROUTES.find((r) => r.path.every((word, index) => argv[index] === word));
  if (found === undefined) return undefined;
  const command = await found.load();
  const config = parsePlain(command.spec, argv.slice(found.path.length));
  return config === undefined ? undefined : { route: found, command, config };
};

/**
 * Runs `argv` on the direct path and resolves to its exit code, or to undefined when the invocation is not one
 * the direct path handles (the caller then hands it to the full parser).
 */
export const runDirect = async (
  argv: ReadonlyArray<string>,
  io: Layer.Layer<CliIO> = processIO,
): Promise<ExitCode | undefined> => {
  const parsed = await parseDirect(argv);
  if (parsed === undefined) return undefined;
  const run = parsed.command.run as (config: unknown) => Effect.Effect<void, CliFailure, CliIO>;
  return Effect.runPromise(
    Effect.exit(run(parsed.config)).pipe(
      Effect.flatMap((exit) => reportExit(exit)),
      Effect.provide(io),
    ),
  );
};
