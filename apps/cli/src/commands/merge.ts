import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import { MERGE_STRATEGIES, runMerge } from "./merge-run.ts";

const flag = (name: string, description: string) => Options.boolean(name).pipe(Options.withDescription(description));

/** The configuration of `merge` (its direct-path grammar is `mergeSpec`). */
export const mergeConfig = {
  mission: Options.text("mission").pipe(Options.optional, Options.withDescription("mission directory, slug, mission_id or its first 8 characters")),
  strategy: Options.choice("strategy", MERGE_STRATEGIES).pipe(Options.withDefault("merge" as const), Options.withDescription("merge commits (default) or one squashed commit per work package")),
  deleteBranch: flag("delete-branch", "delete each merged WP branch (the default)"),
  keepBranch: flag("keep-branch", "keep the WP branches"),
  removeWorktree: flag("remove-worktree", "remove each merged WP worktree (the default)"),
  keepWorktree: flag("keep-worktree", "keep the WP worktrees"),
  push: flag("push", "push the target branch to origin afterwards"),
  target: Options.text("target").pipe(Options.optional, Options.withDescription("merge into this branch instead of meta.json target_branch")),
  dryRun: flag("dry-run", "print the plan and change nothing"),
  resume: flag("resume", "continue a merge stopped by a conflict, after resolving and committing it"),
  abort: flag("abort", "undo a merge stopped by a conflict: the target goes back to where it was"),
  force: flag("force", "merge work packages that are not approved yet"),
  actor: Options.text("actor").pipe(Options.optional, Options.withDescription("who records the done transitions (default $SPEC_KITTY_ACTOR, then the login name)")),
  json: flag("json", "print one JSON object instead of text"),
};

export const mergeCommand = Command.make("merge", mergeConfig, runMerge).pipe(
  Command.withDescription("Merge the mission's WP branches into its target branch in dependency order; resumable after a conflict."),
);
