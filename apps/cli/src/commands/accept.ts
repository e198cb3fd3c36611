import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { accept, type AcceptResult } from "@spec-kitty/workflow";
import type { CommandSpec } from "../direct/parse.ts";
import { commandEmission } from "../emission.ts";
import { DomainFailure } from "../failure.ts";
import { CliIO, printJson, printLine } from "../io.ts";
import { defaultActor, runWorkflow } from "./workflow-run.ts";

/** What `accept` is given, as its @effect/cli definition (accept-command.ts) parses it. */
export interface AcceptConfig {
  readonly mission: Option.Option<string>;
  readonly mode: string;
  readonly actor: Option.Option<string>;
  readonly test: ReadonlyArray<string>;
  readonly lenient: boolean;
  readonly noCommit: boolean;
  readonly allowFail: boolean;
  readonly json: boolean;
}

/** The direct path's grammar (ADR-0011); a line with `--test` (repeatable) goes to the full parser. */
export const acceptSpec: CommandSpec = {
  positionals: [],
  options: {
    mission: { kind: "text", flag: "mission" },
    mode: { kind: "text", flag: "mode", default: "auto", choices: ["auto", "pr", "local", "checklist"] },
    actor: { kind: "text", flag: "actor" },
    test: { kind: "absentList", flag: "test" },
    lenient: { kind: "flag", flag: "lenient" },
    noCommit: { kind: "flag", flag: "no-commit" },
    allowFail: { kind: "flag", flag: "allow-fail" },
    json: { kind: "flag", flag: "json" },
  },
};

/**
 * `spec-kitty accept`: the readiness report of a mission, and on success its acceptance recorded in meta.json
 * (one commit of meta.json alone). Not ready: the report, one ErrorLogged (not with --allow-fail), exit 1.
 */
export const runAccept = (o: AcceptConfig) => Effect.scoped(run(o));

const run = (o: AcceptConfig) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const actor = defaultActor(Option.getOrUndefined(o.actor));
    const emission = commandEmission(io);
    yield* Effect.addFinalizer(() => Effect.promise(() => emission.settle()));
    const mission = Option.getOrUndefined(o.mission);
    const result = yield* runWorkflow(
      () =>
        accept({
          cwd: io.cwd,
          ...(mission === undefined ? {} : { mission }),
          mode: o.mode,
          actor,
          tests: o.test,
          lenient: o.lenient,
          noCommit: o.noCommit,
          allowFail: o.allowFail,
          emitter: emission.workflowEmitter,
        }),
      { json: o.json, emitter: emission.workflowEmitter, context: { agent: actor, ...(mission === undefined ? {} : { missionSlug: mission }) } },
    );
    if (o.json) yield* printJson(result);
    else for (const line of renderAccept(result)) yield* printLine(line);
    if (!result.summary.ok) {
      return yield* new DomainFailure({
        message: `${result.summary.feature} is not ready for acceptance`,
        hint: "resolve the issues listed and run 'spec-kitty accept' again",
      });
    }
  });

const section = (title: string, items: ReadonlyArray<string>): string[] => (items.length === 0 ? [] : [`✗ ${title}:`, ...items.map((i) => `    ${i}`)]);

/** The readable report. */
export const renderAccept = (r: AcceptResult): string[] => {
  const s = r.summary;
  const lines = [`Mission ${s.feature} (${s.branch ?? "detached HEAD"}, mode ${r.mode}): ${s.ok ? "ready" : "NOT ready"}`];
  for (const [lane, ids] of Object.entries(s.lanes)) lines.push(`  ${lane.padEnd(12)} ${ids.join(" ")}`);
  lines.push(
    ...section("work packages not approved or done", s.not_done),
    ...section("subtasks not done", s.unchecked_tasks),
    ...section("missing artifacts", s.missing_artifacts),
    ...section("[NEEDS CLARIFICATION] markers", s.needs_clarification),
    ...section("uncommitted changes in the mission", s.git_dirty),
    ...section("work package files", s.metadata_issues),
    ...section("tests", s.test_failures),
  );
  for (const v of r.validation) lines.push(`  test ${v.result === "pass" ? "✓" : "✗"} ${v.command} (${v.duration_ms} ms)`);
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  if (r.status === "accepted") {
    lines.push(
      r.commit_created ? `✓ Accepted: meta.json committed (${(r.accept_commit ?? "").slice(0, 10)} "Accept ${s.feature}")` : "✓ Accepted: meta.json updated (not committed)",
    );
  } else if (r.status === "already_accepted") lines.push(`✓ Already accepted (${r.accepted_at ?? ""}); nothing changed`);
  for (const i of r.instructions) lines.push(`  next: ${i}`);
  for (const c of r.cleanup_instructions) lines.push(`  cleanup: ${c}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines;
};
