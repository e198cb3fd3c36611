import * as Args from "@effect/cli/Args";
import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import { runImplement } from "./implement-run.ts";

/** The configuration of `implement` (its direct-path grammar is `implementSpec`). */
export const implementConfig = {
  wpId: Args.text({ name: "WP_ID" }).pipe(Args.withDescription("the work package, e.g. WP01")),
  base: Options.text("base").pipe(Options.optional, Options.withDescription("branch from this work package's workspace (the target branch when it is done)")),
  mission: Options.text("mission").pipe(Options.optional, Options.withDescription("mission directory, slug, mission_id or its first 8 characters")),
  force: Options.boolean("force").pipe(Options.withDescription("proceed when several dependencies are all done (branch from the target)")),
  actor: Options.text("actor").pipe(Options.optional, Options.withDescription("who claims the work package (default $SPEC_KITTY_ACTOR, then the login name)")),
  json: Options.boolean("json").pipe(Options.withDescription("print one JSON object instead of text")),
};

export const implementCommand = Command.make("implement", implementConfig, runImplement).pipe(
  Command.withDescription("Create the work package's worktree (.worktrees/<mission>-WPnn) and move it planned -> claimed -> in_progress."),
);
