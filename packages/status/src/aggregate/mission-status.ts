import * as Either from "effect/Either";
import { monotonicFactory } from "ulid";
import { join, resolve } from "node:path";
import type { Lane, Uninitialized } from "../fsm/index.ts";
import {
  type ActorField,
  EVENTS_FILENAME,
  type InnerStateChangedRow,
  type LaneTransitionRow,
  type ParsedLog,
  readEventLog,
  type WpInnerStateDelta,
} from "../log/index.ts";
import { materialize, reduce, type StatusSnapshot } from "../reduce/index.ts";
import { nowIsoMicros } from "../internal/clock.ts";
import { locateRepository } from "../internal/git.ts";
import { BookkeepingTransaction, type TransactionDeps } from "../internal/transaction.ts";
import { CanonicalStatusNotFound } from "./errors.ts";
import { listCandidates, type MissionCandidate, resolveMissionHandle } from "./handle.ts";
import { readMissionMeta, type MissionMeta } from "./meta.ts";
import { type PrepareContext, prepareAnnotation, prepareTransitions } from "./prepare.ts";
import { readSubtaskRoster } from "./roster.ts";
import { gatherTopologyFacts, primaryCheckout, type ResolvedTopology, resolveTopology, type Topology } from "./topology.ts";
import type {
  ActiveWPStatus,
  AnnotationOutcome,
  BatchOutcome,
  MissionStatusOptions,
  TransitionOutcome,
  TransitionRequest,
} from "./types.ts";
import { validateMissionLog, type ValidationReport } from "./validate-log.ts";

/**
 * The status of one mission and the only way to change it. `load` resolves the mission and its
 * topology once, failing closed; reads reduce the authoritative log; writes are validated against the
 * current log, then validated again under the mission's lock and committed by the bookkeeping.
 */
export class MissionStatus {
  /** Directory name under kitty-specs/. */
  readonly missionDir: string;
  readonly missionSlug: string;
  readonly missionId: string | null;
  /** The first 8 characters of mission_id, or "" without one. */
  readonly mid8: string;
  /** The primary checkout (or the given root when not a git work tree). */
  readonly repoRoot: string;
  readonly targetBranch: string;
  #resolved: ResolvedTopology;
  readonly #commonDir: string | null;
  readonly #options: MissionStatusOptions;
  readonly #newEventId: () => string;

  private constructor(
    missionDir: string,
    meta: MissionMeta,
    repoRoot: string,
    commonDir: string | null,
    resolved: ResolvedTopology,
    options: MissionStatusOptions,
  ) {
    this.missionDir = missionDir;
    this.missionSlug = meta.missionSlug;
    this.missionId = meta.missionId;
    this.mid8 = meta.missionId === null ? "" : meta.missionId.slice(0, 8);
    this.repoRoot = repoRoot;
    this.targetBranch = meta.targetBranch;
    this.#resolved = resolved;
    this.#commonDir = commonDir;
    this.#options = options;
    this.#newEventId = options.newEventId ?? monotonicFactory();
  }

  /**
   * Loads the mission `missionHandle` (directory name, `<slug>-<mid8>`, mid8 or mission_id) of the
   * repository containing `repoRoot`; missions are read from its primary checkout. Throws
   * InvalidMissionSlug, MissionNotFound, MissionSelectorAmbiguous, MissionMetadataUnavailable,
   * CoordinationBranchDeleted or CoordAuthorityUnavailable.
   */
  static async load(repoRoot: string, missionHandle: string, options: MissionStatusOptions = {}): Promise<MissionStatus> {
    const repo = await locateRepository(resolve(repoRoot));
    const primary = repo === null ? resolve(repoRoot) : primaryCheckout(repo, resolve(repoRoot));
    const kittySpecs = join(primary, "kitty-specs");
    const missionDir = resolveMissionHandle(kittySpecs, missionHandle);
    const meta = readMissionMeta(join(kittySpecs, missionDir, "meta.json"), missionDir);
    const facts = await gatherTopologyFacts(meta, missionDir, primary, repo);
    return new MissionStatus(missionDir, meta, primary, repo?.commonDir ?? null, resolveTopology(meta, facts), options);
  }

  /** The missions of the repository containing `repoRoot` (its primary checkout's kitty-specs/). */
  static async missions(repoRoot: string): Promise<{ readonly kittySpecs: string; readonly missions: readonly MissionCandidate[] }> {
    const repo = await locateRepository(resolve(repoRoot));
    const primary = repo === null ? resolve(repoRoot) : primaryCheckout(repo, resolve(repoRoot));
    const kittySpecs = join(primary, "kitty-specs");
    return { kittySpecs, missions: listCandidates(kittySpecs) };
  }

  get topology(): Topology {
    return this.#resolved.topology;
  }

  /** The directory the authoritative status.events.jsonl and status.json are in. */
  get readDir(): string {
    return this.#resolved.readDir;
  }

  get coordinationBranch(): string | null {
    return this.#resolved.coordinationBranch;
  }

  /** The full topology decision: where reads come from and where writes are committed. */
  get resolvedTopology(): ResolvedTopology {
    return this.#resolved;
  }

  /** The parsed authoritative log. Throws CanonicalStatusNotFound when it does not exist, LogReadError when corrupt. */
  readLog(): ParsedLog {
    const logPath = join(this.readDir, EVENTS_FILENAME);
    const parsed = readEventLog(logPath);
    if (Either.isLeft(parsed)) throw parsed.left;
    if (!parsed.right.exists) throw this.#statusNotFound(logPath);
    return parsed.right;
  }

  /** The reduced state of every work package (not written anywhere). */
  async snapshot(): Promise<StatusSnapshot> {
    return reduce(this.readLog());
  }

  /** One work package's lane and last transition; `uninitialized` when the log does not mention it. */
  async workPackage(wpId: string): Promise<ActiveWPStatus> {
    const log = this.readLog();
    const state = reduce(log).work_packages[wpId];
    const lastEvent = log.transitions.findLast((row) => row.wp_id === wpId) ?? null;
    return { wpId, currentLane: (state?.lane ?? "uninitialized") as Lane | Uninitialized, lastEvent };
  }

  /** Moves one work package. Throws TransitionError (nothing written) when the FSM refuses. */
  async transition(request: TransitionRequest): Promise<TransitionOutcome> {
    const { events, receipt } = await this.#write([request], `status transition ${request.wpId}`);
    // One request yields exactly one event (prepareTransitions refuses or returns it).
    return { event: events[0] as LaneTransitionRow, receipt };
  }

  /** Moves several work packages (or one through several lanes) in one atomic append and one commit. */
  async transitionBatch(requests: readonly TransitionRequest[]): Promise<BatchOutcome> {
    const ids = [...new Set(requests.map((r) => r.wpId))].join(", ");
    return this.#write(requests, `status transition ${ids}`);
  }

  /** Records runtime state of a work package (an InnerStateChanged row; no lane change, no FSM). */
  async annotate(wpId: string, delta: WpInnerStateDelta, actor: ActorField): Promise<AnnotationOutcome> {
    this.readLog();
    const result = await BookkeepingTransaction.run(this.#scope(`status annotation ${wpId}`), this.#deps(), (log) => [
      prepareAnnotation(log, wpId, delta, actor, this.#prepareContext()),
    ]);
    this.#afterWrite(result.missionDir);
    return { annotation: result.rows[0] as InnerStateChangedRow, receipt: result.receipt };
  }

  /** Reports corrupt lines and illegal edges of the authoritative log; changes nothing. */
  async validate(): Promise<ValidationReport> {
    return validateMissionLog(join(this.readDir, EVENTS_FILENAME), this.missionSlug);
  }

  async #write(requests: readonly TransitionRequest[], operation: string): Promise<BatchOutcome> {
    // A first answer without the lock: a refused move never waits for other writers.
    prepareTransitions(this.readLog(), requests, this.#prepareContext());
    let prepared: ReturnType<typeof prepareTransitions> | undefined;
    const result = await BookkeepingTransaction.run(this.#scope(operation), this.#deps(), (log) => {
      prepared = prepareTransitions(log, requests, this.#prepareContext());
      return prepared.rows;
    });
    this.#afterWrite(result.missionDir);
    return { events: (prepared?.events ?? []).map((e) => e.row), receipt: result.receipt };
  }

  #scope(operation: string) {
    return {
      missionSlug: this.missionSlug,
      missionId: this.missionId,
      commonDir: this.#commonDir,
      primaryRoot: this.repoRoot,
      write: this.#resolved.write,
      operation,
    };
  }

  #deps(): TransactionDeps {
    return {
      lockTimeoutMs: this.#options.lockTimeoutMs ?? 30_000,
      clock: this.#options.clock ?? nowIsoMicros,
      materialize: (dir) => {
        materialize(dir);
      },
      ...(this.#options.stageProbe === undefined ? {} : { stageProbe: this.#options.stageProbe }),
      postCommitHooks: this.#options.postCommitHooks ?? [],
      onPostCommitHookFailure: this.#options.onPostCommitHookFailure ?? (() => undefined),
    };
  }

  #prepareContext(): PrepareContext {
    const primaryMissionDir = join(this.repoRoot, "kitty-specs", this.missionDir);
    return {
      missionSlug: this.missionSlug,
      missionId: this.missionId,
      repoRoot: this.repoRoot,
      clock: this.#options.clock ?? nowIsoMicros,
      newEventId: this.#newEventId,
      // The roster is authored on the primary side, whatever the status topology.
      subtaskRoster: (wpId) => readSubtaskRoster(primaryMissionDir, wpId),
    };
  }

  /** After the first write of a coordination mission its worktree exists: it is the authority from now on. */
  #afterWrite(missionDir: string): void {
    const write = this.#resolved.write;
    if (write.kind !== "create-coordination-worktree") return;
    this.#resolved = {
      ...this.#resolved,
      readDir: missionDir,
      coordinationWorktree: "materialized",
      write: { kind: "commit", missionDir, worktree: write.worktree, branch: write.branch },
    };
  }

  #statusNotFound(logPath: string): CanonicalStatusNotFound {
    return new CanonicalStatusNotFound({
      missionSlug: this.missionSlug,
      logPath,
      message: `no status log at ${logPath}: the work packages of mission '${this.missionSlug}' were never finalized (run finalize-tasks)`,
    });
  }
}
