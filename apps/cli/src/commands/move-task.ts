import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { CommitReceipt, DoneEvidence, TransitionRequest } from "@spec-kitty/status";
import type { CommandSpec } from "../direct/parse.ts";
import { InputFailure, UsageFailure, type CliFailure } from "../failure.ts";
import { commandEmission, type CommandEmission } from "../emission.ts";
import { CliIO, printJson, printLine } from "../io.ts";
import { loadMission, runStatus } from "./status-run.ts";

/** What `agent tasks move-task` is given, as its @effect/cli definition (agent.ts) parses it. */
export interface MoveTaskConfig {
  readonly wpId: string;
  readonly to: string;
  readonly mission: string;
  readonly actor: Option.Option<string>;
  readonly force: boolean;
  readonly reason: Option.Option<string>;
  readonly reviewRef: Option.Option<string>;
  readonly evidence: Option.Option<string>;
  readonly repo: Option.Option<string>;
  readonly json: boolean;
}

/** The same grammar for the direct path (ADR-0011). */
export const moveTaskSpec: CommandSpec = {
  positionals: [{ name: "wpId" }],
  options: {
    to: { kind: "text", flag: "to", required: true },
    mission: { kind: "text", flag: "mission", required: true },
    actor: { kind: "text", flag: "actor" },
    force: { kind: "flag", flag: "force" },
    reason: { kind: "text", flag: "reason" },
    reviewRef: { kind: "text", flag: "review-ref" },
    evidence: { kind: "text", flag: "evidence" },
    repo: { kind: "text", flag: "repo" },
    json: { kind: "flag", flag: "json" },
  },
};

/**
 * `spec-kitty agent tasks move-task WPID --to LANE --mission HANDLE`: one transition through
 * MissionStatus (validated, locked, appended, materialized and committed). A refused transition exits 1
 * with the guard's message and writes nothing; like every workflow command it then reports one ErrorLogged
 * (error_type `validation` for a refusal, `runtime` for a git or lock failure; the agent as agent_id).
 * Moving to approved or done with evidence that names no repository fills `repos` (the wire's DoneEvidence needs
 * one): the work package's worktree `.worktrees/<mission dir>-WPnn` when it exists, else the checkout the command
 * runs in; repo = the main checkout's directory name, its branch and head commit.
 */
export const runMoveTask = (o: MoveTaskConfig) =>
  Effect.scoped(moveTask(o));

const moveTask = (o: MoveTaskConfig) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const who = Option.getOrElse(o.actor, () => process.env["SPEC_KITTY_ACTOR"] ?? "");
    if (who.trim() === "") {
      return yield* new UsageFailure({ message: "an actor is required", hint: "pass --actor NAME or set SPEC_KITTY_ACTOR" });
    }
    const given = Option.isSome(o.evidence) ? yield* readEvidence(resolve(io.cwd, o.evidence.value)) : null;
    // The persisted transition is reported to sync by the status package's post-commit hook (ADR-0012).
    const emission = commandEmission(io, Option.isSome(o.repo) ? resolve(io.cwd, o.repo.value) : undefined);
    yield* Effect.addFinalizer(() => Effect.promise(() => emission.settle()));
    const failure: { error: unknown } = { error: undefined };
    const noted = <A>(f: () => Promise<A>) => () =>
      f().catch((error: unknown) => {
        failure.error = error;
        throw error;
      });
    return yield* transitionOne(o, who, given, emission, noted).pipe(
      Effect.tapError((cli: CliFailure) =>
        cli._tag === "DomainFailure" ? Effect.promise(() => reportError(emission, cli.message, failure.error, o.wpId, who)) : Effect.void,
      ),
    );
  });

const transitionOne = (
  o: MoveTaskConfig,
  who: string,
  given: DoneEvidence | null,
  emission: CommandEmission,
  noted: <A>(f: () => Promise<A>) => () => Promise<A>,
) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const status = yield* loadMission(o.repo, Option.some(o.mission), o.json, { postCommitHooks: emission.postCommitHooks });
    const current = yield* runStatus(noted(() => status.workPackage(o.wpId)), o.json);
    const done = given !== null && LANES_NEEDING_REPOS.has(o.to) && (given.repos ?? []).length === 0 ? yield* Effect.promise(() => withRepos(given, status.repoRoot, status.missionDir, o.wpId, Option.isSome(o.repo) ? resolve(io.cwd, o.repo.value) : io.cwd)) : given;
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
    const { event, receipt } = yield* runStatus(noted(() => status.transition(request)), o.json);
    if (o.json) return yield* printJson({ event, receipt: receiptJson(receipt) });
    if (receipt.isNoop) return yield* printLine(`${event.wp_id}: already ${event.to_lane} (nothing written)`);
    const where = receipt.committed
      ? `commit ${(receipt.commitSha ?? "").slice(0, 10)} on ${receipt.destinationRef}`
      : `written, not committed: ${receipt.note ?? ""}`;
    yield* printLine(`${event.wp_id}: ${event.from_lane} -> ${event.to_lane} (${where})`);
  });

const LANES_NEEDING_REPOS = new Set(["approved", "done"]);

/**
 * The evidence with `repos` filled: the work package's worktree when it exists, else the checkout `cwd` is in.
 * Unchanged when git cannot name a commit there (an empty repository).
 */
const withRepos = async (evidence: DoneEvidence, mainRoot: string, missionDir: string, wpId: string, cwd: string): Promise<DoneEvidence> => {
  const { currentBranch, revParse } = await import("@spec-kitty/workflow");
  const worktree = join(mainRoot, ".worktrees", `${missionDir}-${wpId}`);
  const where = existsSync(worktree) ? worktree : cwd;
  const [branch, commit] = await Promise.all([currentBranch(where).catch(() => null), revParse(where, "HEAD").catch(() => null)]);
  if (commit === null) return evidence;
  return { ...evidence, repos: [{ repo: basename(mainRoot), branch: branch ?? "HEAD", commit }] };
};

/** Status errors a user's request caused (refusals); anything else (git, locks, I/O) is a runtime failure. */
const REFUSALS = new Set([
  "TransitionError",
  "InvalidTransitionRequest",
  "MissionNotFound",
  "MissionSelectorAmbiguous",
  "InvalidMissionSlug",
  "CanonicalStatusNotFound",
  "MissionMetadataUnavailable",
]);

/** One ErrorLogged for a failed move (the same fact every workflow command reports). */
const reportError = async (emission: CommandEmission, message: string, cause: unknown, wpId: string, agent: string): Promise<void> => {
  const { errorLoggedFact } = await import("@spec-kitty/workflow");
  const tag = typeof cause === "object" && cause !== null ? (cause as { _tag?: unknown })._tag : undefined;
  const code = typeof cause === "object" && cause !== null && typeof (cause as { code?: unknown }).code === "string" ? (cause as { code: string }).code : null;
  emission.workflowEmitter.emit(
    errorLoggedFact({
      errorType: cause === undefined || REFUSALS.has(String(tag)) ? "validation" : "runtime",
      message: code === null ? message : `${code}: ${message}`,
      ...(/^WP\d{2}$/.test(wpId) ? { wpId } : {}),
      agentId: agent,
    }),
  );
};

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

