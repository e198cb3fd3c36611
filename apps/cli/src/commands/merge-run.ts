import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { merge, type MergeResult, type MergeStrategy } from "@spec-kitty/workflow";
import type { CommandSpec } from "../direct/parse.ts";
import { UsageFailure } from "../failure.ts";
import { commandEmission } from "../emission.ts";
import { CliIO, printDiagnostic, printJson, printLine } from "../io.ts";
import { defaultActor, runWorkflow } from "./workflow-run.ts";

/** What `spec-kitty merge` is given, as its @effect/cli definition (merge.ts) parses it. */
export interface MergeConfig {
  readonly mission: Option.Option<string>;
  readonly strategy: MergeStrategy;
  readonly deleteBranch: boolean;
  readonly keepBranch: boolean;
  readonly removeWorktree: boolean;
  readonly keepWorktree: boolean;
  readonly push: boolean;
  readonly target: Option.Option<string>;
  readonly dryRun: boolean;
  readonly resume: boolean;
  readonly abort: boolean;
  readonly force: boolean;
  readonly actor: Option.Option<string>;
  readonly json: boolean;
}

export const MERGE_STRATEGIES: ReadonlyArray<MergeStrategy> = ["merge", "squash"];

/** The same grammar for the direct path (ADR-0011). */
export const mergeSpec: CommandSpec = {
  positionals: [],
  options: {
    mission: { kind: "text", flag: "mission" },
    strategy: { kind: "text", flag: "strategy", default: "merge", choices: MERGE_STRATEGIES },
    deleteBranch: { kind: "flag", flag: "delete-branch" },
    keepBranch: { kind: "flag", flag: "keep-branch" },
    removeWorktree: { kind: "flag", flag: "remove-worktree" },
    keepWorktree: { kind: "flag", flag: "keep-worktree" },
    push: { kind: "flag", flag: "push" },
    target: { kind: "text", flag: "target" },
    dryRun: { kind: "flag", flag: "dry-run" },
    resume: { kind: "flag", flag: "resume" },
    abort: { kind: "flag", flag: "abort" },
    force: { kind: "flag", flag: "force" },
    actor: { kind: "text", flag: "actor" },
    json: { kind: "flag", flag: "json" },
  },
};

/** The --json document. */
export const mergeJson = (r: MergeResult) => ({
  status: r.status,
  mission_slug: r.missionSlug,
  mission_dir: r.missionDir,
  target_branch: r.targetBranch,
  strategy: r.strategy,
  workspace: r.workspace,
  plan: r.plan.map((s) => ({ wp_id: s.wpId, branch: s.branch, lane: s.lane, action: s.action })),
  merged: r.merged.map((m) => ({ wp_id: m.wpId, commit: m.commit })),
  transitions: r.transitions.map((t) => ({ wp_id: t.wp_id, from_lane: t.from_lane, to_lane: t.to_lane, event_id: t.event_id })),
  mission_number: r.missionNumber,
  mission_number_assigned: r.missionNumberAssigned,
  mission_closed: r.missionClosed,
  pushed: r.pushed,
  removed_worktrees: r.removedWorktrees,
  deleted_branches: r.deletedBranches,
  warnings: r.warnings,
});

/** `spec-kitty merge`: the mission's WP branches into its target branch, in dependency order. */
export const runMerge = (o: MergeConfig) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    if (o.deleteBranch && o.keepBranch) return yield* new UsageFailure({ message: "--delete-branch and --keep-branch contradict each other" });
    if (o.removeWorktree && o.keepWorktree) return yield* new UsageFailure({ message: "--remove-worktree and --keep-worktree contradict each other" });
    if (o.resume && o.abort) return yield* new UsageFailure({ message: "--resume and --abort cannot be used together" });
    const actor = defaultActor(Option.getOrUndefined(o.actor));
    const emission = commandEmission(io);
    const result = yield* runWorkflow(
      () =>
        merge({
          cwd: io.cwd,
          ...(Option.isSome(o.mission) ? { mission: o.mission.value } : {}),
          ...(Option.isSome(o.target) ? { target: o.target.value } : {}),
          strategy: o.strategy,
          deleteBranch: !o.keepBranch,
          removeWorktree: !o.keepWorktree,
          push: o.push,
          dryRun: o.dryRun,
          resume: o.resume,
          abort: o.abort,
          force: o.force,
          actor,
          emitter: emission.workflowEmitter,
          statusOptions: { postCommitHooks: emission.postCommitHooks },
        }),
      { json: o.json, emitter: emission.workflowEmitter, context: { agent: actor } },
    ).pipe(Effect.ensuring(Effect.promise(() => emission.settle())));
    for (const w of result.warnings) yield* printDiagnostic(`warning: ${w}`);
    if (o.json) return yield* printJson(mergeJson(result));
    yield* printHuman(result);
  });

const printHuman = (r: MergeResult) =>
  Effect.gen(function* () {
    if (r.status === "nothing-to-abort") return yield* printLine("No merge in progress; nothing to abort.");
    if (r.status === "aborted") return yield* printLine(`Merge aborted: ${r.targetBranch} is back where it was before the merge started.`);
    if (r.status === "dry-run") {
      yield* printLine(`Dry run: merge ${r.missionDir} into ${r.targetBranch} (${r.strategy}) in ${r.workspace ?? "?"}`);
      let n = 1;
      for (const s of r.plan) yield* printLine(`  ${n++}. ${s.wpId} (${s.lane}): ${s.action === "merge" ? `git merge ${s.branch}` : s.action}`);
      return;
    }
    if (r.status === "nothing-to-do") return yield* printLine(`${r.missionDir}: every work package is merged into ${r.targetBranch}; nothing to do.`);
    for (const m of r.merged) yield* printLine(`✓ ${m.wpId} merged into ${r.targetBranch} (${m.commit.slice(0, 7)})`);
    for (const t of r.transitions) yield* printLine(`  ${t.wp_id}: ${t.from_lane} -> ${t.to_lane}`);
    if (r.missionNumberAssigned) yield* printLine(`mission_number = ${r.missionNumber}`);
    yield* printLine(`✓ Mission ${r.missionDir} (${r.plan.length} WPs) merged into ${r.targetBranch}`);
  });
