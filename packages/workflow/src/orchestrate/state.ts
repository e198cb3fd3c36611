import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { WorkflowError } from "../errors.ts";
import { writeFileAtomic } from "../files.ts";

/**
 * The orchestration state, `.kittify/orchestration-state.json` (the reference's layout, snake_case, plus our
 * fields), written atomically after every change with the previous copy kept as `.bak`. It records what the
 * orchestrator decided (phases, agents, counters, feedback, escalations); the lanes stay in the status log, which
 * resume reads to know what really happened.
 */
export type RunStatus = "running" | "paused" | "completed" | "failed" | "aborted";
export type WpRunStatus = "pending" | "implementation" | "review" | "rework" | "completed" | "failed" | "skipped";

export interface PhaseRecord {
  agent: string | null;
  started: string | null;
  completed: string | null;
  exit_code: number | null;
  /** Invocation retries in this phase (failed invocations retried with the same agent). */
  retries: number;
}

export interface WpRecord {
  wp_id: string;
  status: WpRunStatus;
  implementation: PhaseRecord;
  review: PhaseRecord & { feedback: string | null };
  /** Rejections so far (the review-cycle budget; separate from invocation retries). */
  review_cycles: number;
  /** Implementation invocations that finished successfully (a resumed run never repeats a finished one). */
  implementations_completed: number;
  /** Fallback agents tried in the current phase. */
  fallback_agents_tried: string[];
  log_file: string | null;
  worktree_path: string | null;
  branch: string | null;
  last_error: string | null;
  failure_class: string | null;
  /** Set when the run paused for this work package: why, and what the user can do. */
  escalation: { reason: string; actions: string[] } | null;
  /** The WP branch head the approval was recorded for. */
  approved_commit: string | null;
}

export interface OrchestrationState {
  version: 1;
  run_id: string;
  correlation_id: string;
  mission_slug: string;
  mission_dir: string;
  started_at: string;
  completed_at: string | null;
  status: RunStatus;
  /** The process running the orchestration while `status` is running. */
  pid: number | null;
  concurrency_limit: number;
  impl_agent: string | null;
  review_agent: string | null;
  merge: boolean;
  wps_total: number;
  wps_completed: number;
  wps_failed: number;
  parallel_peak: number;
  total_agent_invocations: number;
  /** Seconds, kept here because the 3.0.0 MissionClosed payload has no place for it (028's total_duration). */
  total_duration_seconds: number | null;
  /** True once MissionClosed was handed to the emitter (a resumed run never emits it twice). */
  mission_closed_emitted: boolean;
  /** DependencyResolved already emitted, as `dependent<-dependency` (a resumed run never repeats one). */
  dependencies_resolved: string[];
  /**
   * Every fact the run reported, with its event id, saved before it is handed to the emitter: a resumed run reports
   * them again (the outbox keeps one copy per event id), so a kill between saving and capturing loses nothing.
   */
  events: JournalEntry[];
  work_packages: Record<string, WpRecord>;
  /** With --merge: what the final merge did (`merged`, `nothing-to-do`) or why it failed. */
  merge_result?: { status: string; error: string | null; merged: string[] } | null;
}

export interface JournalEntry {
  readonly event_id: string;
  readonly event_type: string;
  readonly aggregate_id: string;
  readonly aggregate_type: "Mission" | "WorkPackage" | "Feature";
  readonly payload: Readonly<Record<string, unknown>>;
  readonly occurred_at: string;
}

export const STATE_FILE = join(".kittify", "orchestration-state.json");

export const emptyPhase = (): PhaseRecord => ({ agent: null, started: null, completed: null, exit_code: null, retries: 0 });

export const newWpRecord = (wpId: string): WpRecord => ({
  wp_id: wpId,
  status: "pending",
  implementation: emptyPhase(),
  review: { ...emptyPhase(), feedback: null },
  review_cycles: 0,
  implementations_completed: 0,
  fallback_agents_tried: [],
  log_file: null,
  worktree_path: null,
  branch: null,
  last_error: null,
  failure_class: null,
  escalation: null,
  approved_commit: null,
});

/** Reads and writes one state file. */
export interface StateStore {
  readonly path: string;
  load(): OrchestrationState | null;
  save(state: OrchestrationState): void;
  remove(): void;
}

export const fileStateStore = (repoRoot: string): StateStore => {
  const path = join(repoRoot, STATE_FILE);
  const bak = `${path}.bak`;
  const parse = (file: string): OrchestrationState => {
    const text = readFileSync(file, "utf8");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new WorkflowError({
        code: "ORCHESTRATION_STATE_INVALID",
        kind: "input",
        message: `${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        file,
        hint: "restore it from the .bak copy next to it, or run 'spec-kitty orchestrate --abort' to discard it",
      });
    }
    const s = value as Partial<OrchestrationState>;
    for (const field of ["run_id", "mission_slug", "mission_dir", "status", "work_packages"] as const) {
      if (s[field] === undefined || s[field] === null) {
        throw new WorkflowError({
          code: "ORCHESTRATION_STATE_INVALID",
          kind: "input",
          message: `${file}: field '${field}' is missing`,
          file,
          field,
          hint: "restore it from the .bak copy next to it, or run 'spec-kitty orchestrate --abort' to discard it",
        });
      }
    }
    return s as OrchestrationState;
  };
  return {
    path,
    load: () => {
      if (!existsSync(path)) return null;
      try {
        return parse(path);
      } catch (error) {
        // A torn write cannot happen (rename), but a hand-edited file can be broken: the previous copy then serves.
        if (existsSync(bak)) return parse(bak);
        throw error;
      }
    },
    save: (state) => {
      mkdirSync(dirname(path), { recursive: true });
      if (existsSync(path)) copyFileSync(path, bak);
      writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
    },
    remove: () => {
      rmSync(path, { force: true });
      rmSync(bak, { force: true });
    },
  };
};

/** In memory (tests, the benchmark): keeps every saved copy. */
export const memoryStateStore = (): StateStore & { readonly saves: OrchestrationState[] } => {
  let current: OrchestrationState | null = null;
  const saves: OrchestrationState[] = [];
  return {
    path: "(memory)",
    saves,
    load: () => (current === null ? null : (JSON.parse(JSON.stringify(current)) as OrchestrationState)),
    save: (state) => {
      current = JSON.parse(JSON.stringify(state)) as OrchestrationState;
      saves.push(current);
    },
    remove: () => {
      current = null;
    },
  };
};
