import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import { runAccept } from "./accept.ts";
import { jsonOption } from "./status.ts";

/** The configuration of `accept` (its direct-path grammar is `acceptSpec`). */
export const acceptConfig = {
  mission: Options.text("mission").pipe(Options.optional, Options.withDescription("the mission: its directory name, <slug>-<mid8>, mid8 or mission_id")),
  mode: Options.choice("mode", ["auto", "pr", "local", "checklist"]).pipe(
    Options.withDefault("auto"),
    Options.withDescription("auto (pr when the repository has a remote, else local), pr, local, or checklist (report only)"),
  ),
  actor: Options.text("actor").pipe(Options.optional, Options.withDescription("who accepts (default: $SPEC_KITTY_ACTOR, $USER)")),
  test: Options.text("test").pipe(Options.repeated, Options.withDescription("a validation command to run (repeatable); each must exit 0")),
  lenient: Options.boolean("lenient").pipe(Options.withDescription("do not check the work package files' metadata")),
  noCommit: Options.boolean("no-commit").pipe(Options.withDescription("update meta.json without committing it")),
  allowFail: Options.boolean("allow-fail").pipe(Options.withDescription("print the checklist when not ready (still exit 1) without reporting an error")),
  json: jsonOption,
};

/** `spec-kitty accept`: check a mission's readiness and record its acceptance. */
export const acceptCommand = Command.make("accept", acceptConfig, runAccept).pipe(
  Command.withDescription("Check that a mission is ready (lanes, subtasks, artifacts, clean mission files, tests) and record its acceptance in meta.json."),
);
