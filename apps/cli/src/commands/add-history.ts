import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { addHistory, type AddHistoryResult } from "@spec-kitty/workflow";
import type { CommandSpec } from "../direct/parse.ts";
import { commandEmission } from "../emission.ts";
import { CliIO, printJson, printLine } from "../io.ts";
import { defaultActor, runWorkflow } from "./workflow-run.ts";

/** What `agent tasks add-history` is given, as its @effect/cli definition (agent.ts) parses it. */
export interface AddHistoryConfig {
  readonly wpId: string;
  readonly note: string;
  readonly agent: Option.Option<string>;
  readonly shellPid: Option.Option<string>;
  readonly mission: Option.Option<string>;
  readonly json: boolean;
}

/** The same grammar for the direct path (ADR-0011). */
export const addHistorySpec: CommandSpec = {
  positionals: [{ name: "wpId" }],
  options: {
    note: { kind: "text", flag: "note", required: true },
    agent: { kind: "text", flag: "agent" },
    shellPid: { kind: "text", flag: "shell-pid" },
    mission: { kind: "text", flag: "mission" },
    json: { kind: "flag", flag: "json" },
  },
};

/** `spec-kitty agent tasks add-history WPnn --note TEXT`: one Activity Log entry, one commit, one HistoryAdded. */
export const runAddHistory = (o: AddHistoryConfig) => Effect.scoped(run(o));

const run = (o: AddHistoryConfig) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const agent = defaultActor(Option.getOrUndefined(o.agent));
    const emission = commandEmission(io);
    yield* Effect.addFinalizer(() => Effect.promise(() => emission.settle()));
    const mission = Option.getOrUndefined(o.mission);
    const shellPid = Option.getOrUndefined(o.shellPid);
    const result = yield* runWorkflow(
      () =>
        addHistory({
          cwd: io.cwd,
          ...(mission === undefined ? {} : { mission }),
          wpId: o.wpId,
          note: o.note,
          agent,
          ...(shellPid === undefined ? {} : { shellPid }),
          emitter: emission.workflowEmitter,
        }),
      {
        json: o.json,
        emitter: emission.workflowEmitter,
        context: { agent, wpId: o.wpId.toUpperCase(), ...(mission === undefined ? {} : { missionSlug: mission }) },
      },
    );
    if (o.json) return yield* printJson(addHistoryJson(result));
    yield* printLine(result.appended ? `✓ Added history entry to ${result.wpId}` : `${result.wpId}: the same entry is already the last one (nothing added)`);
  });

export const addHistoryJson = (r: AddHistoryResult) => ({
  result: r.result,
  task_id: r.wpId,
  note: r.note,
  entry: r.entry,
  path: r.path,
  appended: r.appended,
  commit_created: r.commitCreated,
  commit: r.commitSha,
});
