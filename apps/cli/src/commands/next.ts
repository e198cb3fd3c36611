import * as Args from "@effect/cli/Args";
import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import { actorIdentity, answerNext, defaultPorts, STEP_RESULTS } from "@spec-kitty/runtime";
import * as Effect from "effect/Effect";
import { UsageFailure } from "../failure.ts";
import { commandEmission } from "../emission.ts";
import { CliIO, printJson, printLine } from "../io.ts";
import { repoRootOf, run, runNext } from "./next-run.ts";

const json = Options.boolean("json").pipe(Options.withDescription("print one JSON object instead of text"));
const repo = Options.directory("repo").pipe(
  Options.optional,
  Options.withDescription("repository holding kitty-specs/ (default: the git repository containing the working directory)"),
);
const missionOption = Options.text("mission").pipe(Options.withDescription("mission slug, mission_id, or its first 8 characters"));

const answerCommand = Command.make(
  "answer",
  {
    decisionId: Args.text({ name: "DECISION_ID" }).pipe(Args.withDescription("the pending decision, e.g. input:mission_owner_id or audit:<step>")),
    value: Args.text({ name: "VALUE" }).pipe(Args.withDescription("the answer")),
    mission: missionOption,
    actorId: Options.text("actor-id").pipe(Options.withDescription("who answers")),
    actorType: Options.choice("actor-type", ["human", "llm", "service"]).pipe(Options.withDescription("what kind of actor answers")),
    json,
    repo,
  },
  (o) =>
    Effect.gen(function* () {
      const repoRoot = yield* repoRootOf(o.repo);
      if (o.actorId.trim() === "") return yield* Effect.fail(new UsageFailure({ message: "--actor-id must not be empty" }));
      const emission = commandEmission(yield* CliIO, repoRoot);
      const result = yield* run(
        () =>
          answerNext({
            repoRoot,
            missionHandle: o.mission,
            decisionId: o.decisionId,
            answer: o.value,
            actor: actorIdentity(o.actorId, o.actorType),
            ports: { ...defaultPorts, emitter: emission.runtimeEmitter },
          }),
        o.json,
      ).pipe(Effect.ensuring(Effect.promise(() => emission.settle())));
      const doc = { answered: true, decision_id: o.decisionId, answer: o.value, run_id: result.ref.run_id, mission_slug: result.mission.slug, mission_id: result.mission.id };
      if (o.json) return yield* printJson(doc);
      yield* printLine(`answered ${o.decisionId} = ${o.value} (mission ${result.mission.slug}, run ${result.ref.run_id})`);
    }),
).pipe(Command.withDescription("Answer a pending decision of the mission's run (exit 1 with the reason when refused)."));

/** The configuration of `next` (its direct-path grammar is `nextSpec`). */
export const nextConfig = {
  mission: missionOption.pipe(Options.optional),
  agent: Options.text("agent").pipe(Options.withDefault("agent"), Options.withDescription("id of the agent asking")),
  result: Options.choice("result", STEP_RESULTS).pipe(Options.optional, Options.withDescription("outcome of the issued step")),
  json,
  repo,
};

/** `spec-kitty next`: the mission run's next decision, recording the issued step's result first when given. */
export const nextCommand = Command.make("next", nextConfig, runNext).pipe(
  Command.withDescription("Show the mission run's next step or decision (starting the run if needed); --result records the issued step's outcome first."),
  Command.withSubcommands([answerCommand]),
);
