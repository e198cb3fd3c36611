import * as Args from "@effect/cli/Args";
import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import * as Effect from "effect/Effect";
import type { ValidationReport } from "@spec-kitty/status";
import { DomainFailure } from "../failure.ts";
import { printJson, printLine } from "../io.ts";
import { runCreate, runFinalize } from "./mission.ts";
import { runAddHistory } from "./add-history.ts";
import { runMarkStatus } from "./mark-status.ts";
import { runMoveTask } from "./move-task.ts";
import { jsonOption, missionOption, repoOption } from "./status.ts";
import { loadMission, runStatus } from "./status-run.ts";

const wpId = Args.text({ name: "WPID" }).pipe(Args.withDescription("the work package, e.g. WP01"));
const to = Options.text("to").pipe(Options.withDescription("the target lane (planned, claimed, in_progress, for_review, ...)"));
const actor = Options.text("actor").pipe(
  Options.optional,
  Options.withDescription("who moves it (default: $SPEC_KITTY_ACTOR)"),
);
const force = Options.boolean("force").pipe(Options.withDescription("override the FSM (needs --reason)"));
const reason = Options.text("reason").pipe(Options.optional, Options.withDescription("why (required with --force and for in_progress -> planned)"));
const reviewRef = Options.text("review-ref").pipe(Options.optional, Options.withDescription("review feedback reference"));
const evidence = Options.file("evidence").pipe(
  Options.optional,
  Options.withDescription(
    "JSON file {review: {reviewer, verdict, reference}, repos?, verification?}; leaving in_review, its review is the review result",
  ),
);

/** The configuration of `agent tasks move-task` (its direct-path grammar is `moveTaskSpec`). */
export const moveTaskConfig = { wpId, to, mission: missionOption, actor, force, reason, reviewRef, evidence, repo: repoOption, json: jsonOption };

const moveTask = Command.make("move-task", moveTaskConfig, runMoveTask).pipe(
  Command.withDescription("Move a work package to another lane (exit 1 with the reason when the FSM refuses)."),
);

const slug = Args.text({ name: "SLUG" }).pipe(Args.withDescription("the mission's name in lower-case kebab case, e.g. user-auth (a leading NNN- is dropped)"));
const optionalText = (name: string, description: string) => Options.text(name).pipe(Options.optional, Options.withDescription(description));

/** The configuration of `agent mission create` (its direct-path grammar is `createSpec`). */
export const createConfig = {
  slug,
  targetBranch: optionalText("target-branch", "the branch the mission merges into (default: the current branch)"),
  missionType: optionalText("mission-type", "the mission type (default software-dev)"),
  friendlyName: optionalText("friendly-name", "a human title (default: the slug's words)"),
  purposeTldr: optionalText("purpose-tldr", "one sentence: why this mission exists (default: the friendly name)"),
  purposeContext: optionalText("purpose-context", "a paragraph of context (default: the purpose summary)"),
  json: jsonOption,
};

/** The configuration of `agent mission finalize-tasks` (its direct-path grammar is `finalizeSpec`). */
export const finalizeConfig = {
  mission: missionOption.pipe(Options.optional),
  validateOnly: Options.boolean("validate-only").pipe(Options.withDescription("check everything and report what would change; write nothing")),
  actor: optionalText("actor", "who announces the work packages (default: $SPEC_KITTY_ACTOR, else the login name)"),
  json: jsonOption,
};

const createDescription = "Create a mission: kitty-specs/<slug>-<mid8> with meta.json, an empty status log and spec.md, committed on the current branch.";
const finalizeDescription =
  "Check tasks.md and the WP prompt files, record dependencies in the front matter, commit, and seed every new work package as planned.";
const missionCreate = (name: string) => Command.make(name, createConfig, runCreate).pipe(Command.withDescription(createDescription));
const missionFinalize = () => Command.make("finalize-tasks", finalizeConfig, runFinalize).pipe(Command.withDescription(finalizeDescription));
/** The configuration of `agent tasks mark-status` (its direct-path grammar is `markStatusSpec`). */
export const markStatusConfig = {
  taskIds: Args.text({ name: "TASK_ID" }).pipe(Args.atLeast(1), Args.withDescription("subtask ids, e.g. T001 T002")),
  status: Options.choice("status", ["done", "pending"]).pipe(Options.withDescription("done or pending")),
  mission: missionOption.pipe(Options.optional),
  actor: Options.text("actor").pipe(Options.optional, Options.withDescription("who records it (default: $SPEC_KITTY_ACTOR, $USER)")),
  json: jsonOption,
};

const markStatus = Command.make("mark-status", markStatusConfig, runMarkStatus).pipe(
  Command.withDescription("Record subtasks as done or pending in the status log (one annotation per owning work package; tasks.md is not rewritten)."),
);

/** The configuration of `agent tasks add-history` (its direct-path grammar is `addHistorySpec`). */
export const addHistoryConfig = {
  wpId,
  note: Options.text("note").pipe(Options.withDescription("the entry's text")),
  agent: Options.text("agent").pipe(Options.optional, Options.withDescription("who writes it (default: $SPEC_KITTY_ACTOR, $USER)")),
  shellPid: Options.text("shell-pid").pipe(Options.optional, Options.withDescription("the agent's shell process id, recorded in the entry")),
  mission: missionOption.pipe(Options.optional),
  json: jsonOption,
};

const addHistory = Command.make("add-history", addHistoryConfig, runAddHistory).pipe(
  Command.withDescription("Append an entry to a work package's Activity Log and commit it."),
);

/** `spec-kitty agent status validate`: corrupt lines and illegal edges of the mission's log; changes nothing. */
const validate = Command.make(
  "validate",
  { mission: missionOption.pipe(Options.optional), repo: repoOption, json: jsonOption },
  (o) =>
    Effect.gen(function* () {
      const status = yield* loadMission(o.repo, o.mission, o.json);
      const report = yield* runStatus(() => status.validate(), o.json);
      if (o.json) yield* printJson(reportJson(report));
      else {
        for (const f of report.findings) yield* printLine(`${f.severity.padEnd(8)}${f.code.padEnd(32)}${f.message}`);
        const errors = report.findings.filter((f) => f.severity === "error").length;
        const warnings = report.findings.length - errors;
        yield* printLine(
          `${report.valid ? "valid" : "invalid"}: ${report.logPath}: ${report.transitions} transitions, ${report.annotations} annotations, ${errors} errors, ${warnings} warnings`,
        );
      }
      if (!report.valid) {
        return yield* new DomainFailure({ message: `the status log of ${status.missionSlug} has errors (${report.logPath})` });
      }
    }),
).pipe(Command.withDescription("Check a mission's status log: corrupt lines, illegal transitions (read-only; exit 1 when invalid)."));

/** The configurations of the agent commands, for the direct-path tests. */
export const agentConfigForTests = {
  moveTask: moveTaskConfig,
  create: createConfig,
  finalize: finalizeConfig,
  markStatus: markStatusConfig,
  addHistory: addHistoryConfig,
} as const;

/** `spec-kitty agent`: the commands agents run while working a mission. */
export const agentCommand = Command.make("agent").pipe(
  Command.withDescription("Commands for agents working a mission: create and finalize missions, move work packages, check the status log."),
  Command.withSubcommands([
    Command.make("tasks").pipe(Command.withDescription("Work package tasks."), Command.withSubcommands([moveTask, markStatus, addHistory])),
    Command.make("status").pipe(Command.withDescription("The mission's status log."), Command.withSubcommands([validate])),
    Command.make("mission").pipe(
      Command.withDescription("Create missions and finalize their work packages."),
      Command.withSubcommands([missionCreate("create"), missionFinalize()]),
    ),
    Command.make("feature").pipe(
      Command.withDescription("The earlier names of the mission commands (create-feature, finalize-tasks)."),
      Command.withSubcommands([missionCreate("create-feature"), missionFinalize()]),
    ),
  ]),
);

const reportJson = (r: ValidationReport) => ({
  mission_slug: r.missionSlug,
  log_path: r.logPath,
  valid: r.valid,
  transitions: r.transitions,
  annotations: r.annotations,
  findings: r.findings.map((f) => ({ severity: f.severity, code: f.code, line: f.line, wp_id: f.wpId, event_id: f.eventId, message: f.message })),
});
