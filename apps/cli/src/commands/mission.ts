import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { createMission, finalizeTasks, type CreateResult, type FinalizeResult } from "@spec-kitty/workflow";
import type { CommandSpec } from "../direct/parse.ts";
import { commandEmission } from "../emission.ts";
import { CliIO, printJson, printLine } from "../io.ts";
import { defaultActor, runWorkflow } from "./workflow-run.ts";

/**
 * `spec-kitty agent mission create` and `agent mission finalize-tasks` (aliases under `agent feature`): parse,
 * call `@spec-kitty/workflow`, print. Facts go to the invocation's emission funnel; lane changes are reported by
 * the status package's post-commit hook.
 */

/** What `agent mission create` is given, as its @effect/cli definition (agent.ts) parses it. */
export interface CreateConfig {
  readonly slug: string;
  readonly targetBranch: Option.Option<string>;
  readonly missionType: Option.Option<string>;
  readonly friendlyName: Option.Option<string>;
  readonly purposeTldr: Option.Option<string>;
  readonly purposeContext: Option.Option<string>;
  readonly json: boolean;
}

export const createSpec: CommandSpec = {
  positionals: [{ name: "slug" }],
  options: {
    targetBranch: { kind: "text", flag: "target-branch" },
    missionType: { kind: "text", flag: "mission-type" },
    friendlyName: { kind: "text", flag: "friendly-name" },
    purposeTldr: { kind: "text", flag: "purpose-tldr" },
    purposeContext: { kind: "text", flag: "purpose-context" },
    json: { kind: "flag", flag: "json" },
  },
};

const given = (o: Option.Option<string>): { value?: string } => (Option.isSome(o) ? { value: o.value } : {});

export const runCreate = (o: CreateConfig) =>
  Effect.scoped(
    Effect.gen(function* () {
      const io = yield* CliIO;
      const emission = commandEmission(io);
      yield* Effect.addFinalizer(() => Effect.promise(() => emission.settle()));
      const opt = (x: Option.Option<string>) => given(x).value;
      const result = yield* runWorkflow(
        () =>
          createMission({
            cwd: io.cwd,
            slug: o.slug,
            ...(opt(o.targetBranch) === undefined ? {} : { targetBranch: opt(o.targetBranch) as string }),
            ...(opt(o.missionType) === undefined ? {} : { missionType: opt(o.missionType) as string }),
            ...(opt(o.friendlyName) === undefined ? {} : { friendlyName: opt(o.friendlyName) as string }),
            ...(opt(o.purposeTldr) === undefined ? {} : { purposeTldr: opt(o.purposeTldr) as string }),
            ...(opt(o.purposeContext) === undefined ? {} : { purposeContext: opt(o.purposeContext) as string }),
            emitter: emission.workflowEmitter,
          }),
        { json: o.json, emitter: emission.workflowEmitter, context: { missionSlug: o.slug } },
      );
      if (o.json) return yield* printJson(createJson(result));
      const verb = result.status === "created" ? "Mission created" : "Mission already exists";
      yield* printLine(`✓ ${verb}: ${result.missionSlug}`);
      yield* printLine(`  Directory: ${result.missionDir}`);
      yield* printLine(`  Mission id: ${result.missionId} (type ${result.missionType}, target branch ${result.targetBranch})`);
      if (result.commitCreated) yield* printLine(`  Spec committed to ${result.branch}: ${(result.commitHash ?? "").slice(0, 7)}`);
    }),
  );

export const createJson = (r: CreateResult) => ({
  result: "success",
  status: r.status,
  mission_slug: r.missionSlug,
  mission_id: r.missionId,
  mission_number: r.missionNumber,
  mission_type: r.missionType,
  friendly_name: r.friendlyName,
  feature: r.missionSlug,
  feature_dir: r.missionDir,
  spec_file: r.specFile,
  meta_file: r.metaFile,
  spec_template: r.specTemplate,
  target_branch: r.targetBranch,
  branch: r.branch,
  topology: "single_branch",
  coordination_branch: null,
  scaffold_only: false,
  created_at: r.createdAt,
  commit_created: r.commitCreated,
  commit_hash: r.commitHash,
  files_committed: r.filesCommitted,
});

/** What `agent mission finalize-tasks` is given. */
export interface FinalizeConfig {
  readonly mission: Option.Option<string>;
  readonly validateOnly: boolean;
  readonly actor: Option.Option<string>;
  readonly json: boolean;
}

export const finalizeSpec: CommandSpec = {
  positionals: [],
  options: {
    mission: { kind: "text", flag: "mission" },
    validateOnly: { kind: "flag", flag: "validate-only" },
    actor: { kind: "text", flag: "actor" },
    json: { kind: "flag", flag: "json" },
  },
};

export const runFinalize = (o: FinalizeConfig) =>
  Effect.scoped(
    Effect.gen(function* () {
      const io = yield* CliIO;
      const emission = commandEmission(io);
      yield* Effect.addFinalizer(() => Effect.promise(() => emission.settle()));
      const actor = defaultActor(Option.getOrUndefined(o.actor));
      const mission = Option.getOrUndefined(o.mission);
      const result = yield* runWorkflow(
        () =>
          finalizeTasks({
            cwd: io.cwd,
            ...(mission === undefined ? {} : { mission }),
            validateOnly: o.validateOnly,
            actor,
            emitter: emission.workflowEmitter,
            statusOptions: { postCommitHooks: emission.postCommitHooks },
          }),
        { json: o.json, emitter: emission.workflowEmitter, context: { ...(mission === undefined ? {} : { missionSlug: mission }), agent: actor } },
      );
      for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
      if (o.json) return yield* printJson(finalizeJson(result));
      const ids = (xs: readonly string[]) => (xs.length === 0 ? "none" : xs.join(", "));
      if (result.validateOnly) {
        yield* printLine(`✓ ${result.wpCount} work packages of ${result.missionSlug} are valid (nothing written)`);
        yield* printLine(`  would update dependencies of: ${ids(result.modifiedWps)}`);
        yield* printLine(`  would seed as planned: ${ids(result.bootstrap.newlySeeded)}`);
        return;
      }
      if (result.commitCreated) {
        yield* printLine(`✓ Tasks committed to ${result.branch}`);
        yield* printLine(`  Commit: ${(result.commitHash ?? "").slice(0, 7)}`);
      } else {
        yield* printLine(`✓ Tasks of ${result.missionSlug} already committed (nothing to commit)`);
      }
      yield* printLine(`  Updated ${result.modifiedWps.length} WP files with dependencies`);
      yield* printLine(
        `  Status: ${result.bootstrap.newlySeeded.length} seeded as planned (${ids(result.bootstrap.newlySeeded)}), ${result.bootstrap.alreadyInitialized.length} already initialized`,
      );
      for (const wp of result.workPackages) {
        yield* printLine(`  ${wp.wpId} ${wp.title}${wp.dependencies.length === 0 ? "" : ` (depends on ${wp.dependencies.join(", ")})`}`);
      }
    }),
  );

export const finalizeJson = (r: FinalizeResult) => ({
  result: "success",
  mission_slug: r.missionSlug,
  tasks_dir: `${r.missionDir}/tasks`,
  validate_only: r.validateOnly,
  wp_count: r.wpCount,
  modified_wps: r.modifiedWps,
  unchanged_wps: r.unchangedWps,
  ...(r.validateOnly ? { would_modify: r.modifiedWps, would_seed: r.bootstrap.newlySeeded } : {}),
  updated_wp_count: r.validateOnly ? 0 : r.modifiedWps.length,
  commit_created: r.commitCreated,
  commit_hash: r.commitHash,
  files_committed: r.filesCommitted,
  status_commit_hash: r.statusCommitHash,
  dependencies_parsed: r.dependenciesParsed,
  bootstrap: {
    total_wps: r.bootstrap.totalWps,
    newly_seeded: r.bootstrap.newlySeeded.length,
    already_initialized: r.bootstrap.alreadyInitialized.length,
    newly_seeded_wps: r.bootstrap.newlySeeded,
  },
  wp_created: r.announced,
  dependency_warnings: r.warnings,
});
