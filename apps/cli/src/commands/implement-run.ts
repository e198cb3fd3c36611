import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { implement, type ImplementResult } from "@spec-kitty/workflow";
import { relative } from "node:path";
import type { CommandSpec } from "../direct/parse.ts";
import { commandEmission } from "../emission.ts";
import { CliIO, printDiagnostic, printJson, printLine } from "../io.ts";
import { defaultActor, runWorkflow } from "./workflow-run.ts";

/** What `spec-kitty implement` is given, as its @effect/cli definition (implement.ts) parses it. */
export interface ImplementConfig {
  readonly wpId: string;
  readonly base: Option.Option<string>;
  readonly mission: Option.Option<string>;
  readonly force: boolean;
  readonly actor: Option.Option<string>;
  readonly json: boolean;
}

/** The same grammar for the direct path (ADR-0011). */
export const implementSpec: CommandSpec = {
  positionals: [{ name: "wpId" }],
  options: {
    base: { kind: "text", flag: "base" },
    mission: { kind: "text", flag: "mission" },
    force: { kind: "flag", flag: "force" },
    actor: { kind: "text", flag: "actor" },
    json: { kind: "flag", flag: "json" },
  },
};

/** The --json document. */
export const implementJson = (r: ImplementResult) => ({
  workspace_path: r.workspacePath,
  branch: r.branch,
  mission_slug: r.missionSlug,
  wp_id: r.wpId,
  base: r.base,
  base_commit: r.baseCommit,
  status: r.status,
});

/**
 * `spec-kitty implement WPnn`: the work package's worktree and the lane change planned → claimed → in_progress
 * (reported once per hop by the status package's post-commit hook).
 */
export const runImplement = (o: ImplementConfig) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const actor = defaultActor(Option.getOrUndefined(o.actor));
    const emission = commandEmission(io);
    const result = yield* runWorkflow(
      () =>
        implement({
          cwd: io.cwd,
          wpId: o.wpId,
          ...(Option.isSome(o.mission) ? { mission: o.mission.value } : {}),
          ...(Option.isSome(o.base) ? { base: o.base.value } : {}),
          force: o.force,
          actor,
          emitter: emission.workflowEmitter,
          statusOptions: { postCommitHooks: emission.postCommitHooks },
        }),
      { json: o.json, emitter: emission.workflowEmitter, context: { wpId: o.wpId, agent: actor } },
    ).pipe(Effect.ensuring(Effect.promise(() => emission.settle())));
    for (const n of result.notes) yield* printDiagnostic(n);
    for (const w of result.warnings) yield* printDiagnostic(`warning: ${w}`);
    if (o.json) return yield* printJson(implementJson(result));
    const rel = relative(io.cwd, result.workspacePath) || ".";
    if (result.status === "reused") {
      yield* printLine(`${result.wpId}: workspace already exists: ${rel} (branch ${result.branch}); nothing changed`);
    } else {
      yield* printLine(`✓ Workspace created: ${rel} (branch ${result.branch}, from ${result.base} at ${result.baseCommit.slice(0, 7)})`);
      for (const t of result.transitions) yield* printLine(`  ${t.wp_id}: ${t.from_lane} -> ${t.to_lane}`);
    }
    yield* printLine(`Change to the workspace before making any changes: cd ${result.workspacePath}`);
  });
