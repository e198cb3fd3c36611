import * as Args from "@effect/cli/Args";
import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CommitReceipt, DoneEvidence, TransitionRequest, ValidationReport } from "@spec-kitty/status";
import { DomainFailure, InputFailure, UsageFailure } from "../failure.ts";
import { CliIO, printJson, printLine } from "../io.ts";
import { jsonOption, loadMission, missionOption, repoOption, runStatus } from "./status.ts";

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

/**
 * `spec-kitty agent tasks move-task WPID --to LANE --mission HANDLE`: one transition through
 * MissionStatus (validated, locked, appended, materialized and committed). A refused transition exits 1
 * with the guard's message and writes nothing.
 */
const moveTask = Command.make(
  "move-task",
  { wpId, to, mission: missionOption, actor, force, reason, reviewRef, evidence, repo: repoOption, json: jsonOption },
  (o) =>
    Effect.gen(function* () {
      const io = yield* CliIO;
      const who = Option.getOrElse(o.actor, () => process.env["SPEC_KITTY_ACTOR"] ?? "");
      if (who.trim() === "") {
        return yield* new UsageFailure({ message: "an actor is required", hint: "pass --actor NAME or set SPEC_KITTY_ACTOR" });
      }
      const done = Option.isSome(o.evidence) ? yield* readEvidence(resolve(io.cwd, o.evidence.value)) : null;
      const status = yield* loadMission(o.repo, Option.some(o.mission), o.json);
      const current = yield* runStatus(() => status.workPackage(o.wpId), o.json);
      const request: TransitionRequest = {
        wpId: o.wpId,
        toLane: o.to,
        actor: who,
        force: o.force,
        reason: Option.getOrNull(o.reason),
        reviewRef: Option.getOrNull(o.reviewRef),
        evidence: done,
        // A reviewer leaving in_review records the outcome the evidence carries.
        reviewResult: current.currentLane === "in_review" && done !== null ? done.review : null,
      };
      const { event, receipt } = yield* runStatus(() => status.transition(request), o.json);
      if (o.json) return yield* printJson({ event, receipt: receiptJson(receipt) });
      if (receipt.isNoop) return yield* printLine(`${event.wp_id}: already ${event.to_lane} (nothing written)`);
      const where = receipt.committed
        ? `commit ${(receipt.commitSha ?? "").slice(0, 10)} on ${receipt.destinationRef}`
        : `written, not committed: ${receipt.note ?? ""}`;
      yield* printLine(`${event.wp_id}: ${event.from_lane} -> ${event.to_lane} (${where})`);
    }),
).pipe(Command.withDescription("Move a work package to another lane (exit 1 with the reason when the FSM refuses)."));

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

/** `spec-kitty agent`: the commands agents run while working a mission. */
export const agentCommand = Command.make("agent").pipe(
  Command.withDescription("Commands for agents working a mission: move work packages, check the status log."),
  Command.withSubcommands([
    Command.make("tasks").pipe(Command.withDescription("Work package tasks."), Command.withSubcommands([moveTask])),
    Command.make("status").pipe(Command.withDescription("The mission's status log."), Command.withSubcommands([validate])),
  ]),
);

/** Reads and checks a DoneEvidence file; every problem names the file and the field. */
const readEvidence = (path: string): Effect.Effect<DoneEvidence, InputFailure> =>
  Effect.try({
    try: () => JSON.parse(readFileSync(path, "utf8")) as unknown,
    catch: (e) => new InputFailure({ message: `${path}: cannot read evidence: ${e instanceof Error ? e.message : String(e)}` }),
  }).pipe(
    Effect.flatMap((value) => {
      const review = typeof value === "object" && value !== null ? (value as { review?: unknown }).review : undefined;
      if (typeof review !== "object" || review === null) {
        return Effect.fail(new InputFailure({ message: `${path}: evidence needs an object 'review' {reviewer, verdict, reference}` }));
      }
      for (const field of ["reviewer", "verdict", "reference"] as const) {
        const v = (review as Record<string, unknown>)[field];
        if (typeof v !== "string" || v.trim() === "") {
          return Effect.fail(new InputFailure({ message: `${path}: evidence field 'review.${field}' must be a non-empty string` }));
        }
      }
      for (const list of ["repos", "verification"] as const) {
        const v = (value as Record<string, unknown>)[list];
        if (v !== undefined && !Array.isArray(v)) return Effect.fail(new InputFailure({ message: `${path}: evidence field '${list}' must be a list` }));
      }
      return Effect.succeed(value as DoneEvidence);
    }),
  );

const receiptJson = (r: CommitReceipt) => ({
  commit_sha: r.commitSha,
  committed_at: r.committedAt,
  destination_ref: r.destinationRef,
  worktree_root: r.worktreeRoot,
  event_ids: r.eventIds,
  is_noop: r.isNoop,
  committed: r.committed,
  note: r.note,
});

const reportJson = (r: ValidationReport) => ({
  mission_slug: r.missionSlug,
  log_path: r.logPath,
  valid: r.valid,
  transitions: r.transitions,
  annotations: r.annotations,
  findings: r.findings.map((f) => ({ severity: f.severity, code: f.code, line: f.line, wp_id: f.wpId, event_id: f.eventId, message: f.message })),
});
