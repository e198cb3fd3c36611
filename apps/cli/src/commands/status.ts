import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import * as Args from "@effect/cli/Args";
import { runBoard } from "./status-run.ts";
import { runMaterialize } from "./status-materialize.ts";

/** Options shared by the commands that work on one mission's status (`status`, `agent ...`). */
export const jsonOption = Options.boolean("json").pipe(Options.withDescription("print one JSON object instead of text"));
export const repoOption = Options.directory("repo").pipe(
  Options.optional,
  Options.withDescription("a directory of the repository whose kitty-specs/ holds the mission (default: the working directory)"),
);
export const missionOption = Options.text("mission").pipe(
  Options.withDescription("the mission: its directory name, <slug>-<mid8>, mid8 or mission_id"),
);

const dirs = Args.directory({ name: "DIR", exists: "either" }).pipe(
  Args.withDescription("a mission directory holding status.events.jsonl (and meta.json)"),
  Args.atLeast(1),
);
const stdout = Options.boolean("stdout").pipe(
  Options.withDescription("print the status.json bytes instead of writing them (one DIR only)"),
);
const outputRoot = Options.text("output-root").pipe(
  Options.withDescription("write OUT/<basename of DIR>/status.json instead of DIR/status.json"),
  Options.optional,
);

/** The configuration of `status materialize` (its direct-path grammar is `materializeSpec`). */
export const materializeConfig = { dirs, stdout, outputRoot };

const materializeCommand = Command.make("materialize", materializeConfig, runMaterialize).pipe(
  Command.withDescription(
    "Rebuild status.json of each mission DIR from its status.events.jsonl (skipped when the bytes are unchanged).",
  ),
);

/** The configuration of `status` (its direct-path grammar is `boardSpec`). */
export const boardConfig = { mission: missionOption.pipe(Options.optional), repo: repoOption, json: jsonOption };

/** `spec-kitty status [--mission HANDLE] [--json]`: the board of a mission; `status materialize` rebuilds status.json. */
export const statusCommand = Command.make("status", boardConfig, runBoard).pipe(
  Command.withDescription("Show a mission's work packages by lane (reads the event log; writes nothing)."),
  Command.withSubcommands([materializeCommand]),
);
