import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import { runOrchestrate } from "./orchestrate-run.ts";

/** The configuration of `orchestrate` (its direct-path grammar is `orchestrateSpec`). */
export const orchestrateConfig = {
  mission: Options.text("mission").pipe(Options.optional, Options.withDescription("start orchestrating this mission (slug, mission_id or its first 8 characters)")),
  implAgent: Options.text("impl-agent").pipe(Options.optional, Options.withDescription("the agent that implements every work package")),
  reviewAgent: Options.text("review-agent").pipe(Options.optional, Options.withDescription("the agent that reviews every work package")),
  maxParallel: Options.text("max-parallel").pipe(Options.optional, Options.withDescription("at most this many work packages at a time (capped by global_concurrency)")),
  merge: Options.boolean("merge").pipe(Options.withDescription("when every work package is approved, merge them into the target branch (spec-kitty merge)")),
  json: Options.boolean("json").pipe(Options.withDescription("one JSON object per state change on stdout")),
  status: Options.boolean("status").pipe(Options.withDescription("show the saved orchestration's progress")),
  resume: Options.boolean("resume").pipe(Options.withDescription("continue a paused or interrupted orchestration")),
  abort: Options.boolean("abort").pipe(Options.withDescription("end the orchestration and remove its state")),
  cleanup: Options.boolean("cleanup").pipe(Options.withDescription("with --abort: also remove the work packages' worktrees")),
  skip: Options.text("skip").pipe(Options.optional, Options.withDescription("treat this escalated work package as done so its dependents can run")),
};

/** `spec-kitty orchestrate`: AI agents implement and review a mission's work packages in dependency order. */
export const orchestrateCommand = Command.make("orchestrate", orchestrateConfig, runOrchestrate).pipe(
  Command.withDescription(
    "Run a mission's work packages through implementation and review by the agents in .kittify/agents.yaml, in dependency order and in parallel; exit 0 when every work package is approved, 1 when the run paused, 2 for usage or configuration errors.",
  ),
);
