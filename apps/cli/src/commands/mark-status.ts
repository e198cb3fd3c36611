import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { markStatus, type MarkStatusResult } from "@spec-kitty/workflow";
import type { CommandSpec } from "../direct/parse.ts";
import { commandEmission } from "../emission.ts";
import { CliIO, printJson, printLine } from "../io.ts";
import { defaultActor, runWorkflow } from "./workflow-run.ts";

/** What `agent tasks mark-status` is given, as its @effect/cli definition (agent.ts) parses it. */
export interface MarkStatusConfig {
  readonly taskIds: ReadonlyArray<string>;
  readonly status: string;
  readonly mission: Option.Option<string>;
  readonly actor: Option.Option<string>;
  readonly json: boolean;
}

/** The same grammar for the direct path (ADR-0011). */
export const markStatusSpec: CommandSpec = {
  positionals: [{ name: "taskIds", repeated: true }],
  options: {
    status: { kind: "text", flag: "status", required: true, choices: ["done", "pending"] },
    mission: { kind: "text", flag: "mission" },
    actor: { kind: "text", flag: "actor" },
    json: { kind: "flag", flag: "json" },
  },
};

/**
 * `spec-kitty agent tasks mark-status T001 [T002 …] --status done|pending`: one InnerStateChanged annotation and
 * one HistoryAdded per owning work package; tasks.md is not rewritten.
 */
export const runMarkStatus = (o: MarkStatusConfig) => Effect.scoped(run(o));

const run = (o: MarkStatusConfig) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const actor = defaultActor(Option.getOrUndefined(o.actor));
    const emission = commandEmission(io);
    yield* Effect.addFinalizer(() => Effect.promise(() => emission.settle()));
    const mission = Option.getOrUndefined(o.mission);
    const result = yield* runWorkflow(
      () =>
        markStatus({
          cwd: io.cwd,
          ...(mission === undefined ? {} : { mission }),
          ids: o.taskIds,
          status: o.status,
          actor,
          emitter: emission.workflowEmitter,
          statusOptions: { postCommitHooks: emission.postCommitHooks },
        }),
      { json: o.json, emitter: emission.workflowEmitter, context: { agent: actor, ...(mission === undefined ? {} : { missionSlug: mission }) } },
    );
    if (o.json) return yield* printJson(markStatusJson(result));
    if (result.updated.length === 0) {
      return yield* printLine(`Nothing to do: ${result.unchanged.join(", ")} already ${result.status}`);
    }
    yield* printLine(
      result.updated.length === 1
        ? `✓ Marked ${result.updated[0]} as ${result.status}`
        : `✓ Marked ${result.updated.length} subtasks as ${result.status}: ${result.updated.join(", ")}`,
    );
    if (result.unchanged.length > 0) yield* printLine(`Already ${result.status}: ${result.unchanged.join(", ")}`);
  });

export const markStatusJson = (r: MarkStatusResult) => ({
  result: r.result,
  mission_slug: r.missionSlug,
  updated: r.updated,
  unchanged: r.unchanged,
  not_found: r.notFound,
  status: r.status,
  count: r.updated.length,
  by_work_package: r.byWorkPackage,
  annotations: r.annotations.map((a) => ({ wp_id: a.wpId, event_id: a.eventId, commit: a.commitSha })),
});
