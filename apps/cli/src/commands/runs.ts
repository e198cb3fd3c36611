import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import { listRuns } from "@spec-kitty/runtime";
import * as Effect from "effect/Effect";
import { printJson, printLine } from "../io.ts";
import { repoRootOf } from "./next-run.ts";

const json = Options.boolean("json").pipe(Options.withDescription("print one JSON object instead of text"));
const repo = Options.directory("repo").pipe(Options.optional, Options.withDescription("repository holding kitty-specs/"));

const list = Command.make("list", { json, repo }, (o) =>
  Effect.gen(function* () {
    const repoRoot = yield* repoRootOf(o.repo);
    const runs = listRuns(repoRoot);
    if (o.json) return yield* printJson({ runs });
    if (runs.length === 0) return yield* printLine("no missions under kitty-specs/");
    for (const r of runs)
      yield* printLine(
        [r.mission_slug, r.run_id ?? "-", r.state, r.current_step ?? "-", `${r.completed_steps} done`, r.detail ?? ""].join("\t").trimEnd(),
      );
  }),
).pipe(Command.withDescription("List missions with their runs, current step and state."));

/** `spec-kitty runs`: mission runs of the repository. */
export const runsCommand = Command.make("runs").pipe(
  Command.withDescription("Mission runs of this repository."),
  Command.withSubcommands([list]),
);
