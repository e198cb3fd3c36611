import { existsSync } from "node:fs";
import { join } from "node:path";
import { MissionRuntimeError } from "../errors.ts";
import { readFrozenTemplate } from "../engine/run-files.ts";
import { listMissions } from "../mission/resolve.ts";
import { planNext } from "../planner/planner.ts";
import { readIndex } from "../registry/feature-runs.ts";
import { readSnapshotFile, STATE_FILE } from "../snapshot/store.ts";

export type RunState = "not_started" | "in_progress" | "decision_required" | "blocked" | "terminal" | "unreadable";

/** One row of `spec-kitty runs list`. */
export interface RunSummary {
  readonly mission_slug: string;
  readonly mission_id: string | null;
  readonly mission_key: string | null;
  readonly run_id: string | null;
  readonly run_dir: string | null;
  readonly current_step: string | null;
  readonly completed_steps: number;
  readonly state: RunState;
  readonly detail: string | null;
}

/** Every mission under kitty-specs/ and every indexed run, with where each run stands. Sorted by slug. */
export const listRuns = (repoRoot: string): ReadonlyArray<RunSummary> => {
  const index = readIndex(repoRoot);
  const missions = new Map(listMissions(repoRoot).map((m) => [m.slug, m]));
  const slugs = [...new Set([...missions.keys(), ...Object.keys(index)])].sort();
  return slugs.map((slug): RunSummary => {
    const mission = missions.get(slug);
    const entry = index[slug];
    const base = { mission_slug: slug, mission_id: mission?.id ?? entry?.mission_id ?? null, mission_key: entry?.mission_key ?? mission?.type ?? null };
    const none = { ...base, run_id: null, run_dir: null, current_step: null, completed_steps: 0, state: "not_started" as const, detail: null };
    if (entry === undefined || typeof entry.run_dir !== "string" || !existsSync(join(entry.run_dir, STATE_FILE))) return none;
    try {
      const s = readSnapshotFile(entry.run_dir);
      const template = readFrozenTemplate(entry.run_dir, s.mission_key);
      const plan = planNext(s, template, s.policy_snapshot);
      const state: RunState = s.issued_step_id !== null && s.blocked_reason === null ? "in_progress" : plan.kind === "step" ? "in_progress" : plan.kind;
      const detail = state === "in_progress" ? null : plan.kind === "decision_required" ? plan.decision_id : plan.kind === "blocked" ? plan.reason : null;
      return { ...base, mission_key: s.mission_key, run_id: s.run_id, run_dir: entry.run_dir, current_step: s.issued_step_id, completed_steps: s.completed_steps.length, state, detail };
    } catch (e) {
      const detail = e instanceof MissionRuntimeError ? e.message : String(e);
      return { ...base, run_id: entry.run_id, run_dir: entry.run_dir, current_step: null, completed_steps: 0, state: "unreadable", detail };
    }
  });
};
