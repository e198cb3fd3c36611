import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { MissionStatus, type LaneTransitionRow, type MissionStatusOptions, type PostCommitEvent } from "@spec-kitty/status";
import { git, makeMissionRepo, missionMeta, type TempDirs } from "@spec-kitty/test-support";

/** Fixtures shared by the implement and merge tests: a finalized mission in a real repository. */
export const MISSION_DIR = "001-checkout";
export const MISSION_ID = "01KZ8Q3M4N5P6R7S8T9V0W1X2Y";

/** A repository on main with one mission whose WPs declare `graph` as front matter dependencies, all planned. */
export const missionRepo = (temps: TempDirs, graph: Readonly<Record<string, readonly string[]>>, extraMeta: Record<string, unknown> = {}): string => {
  const wps = Object.keys(graph).sort();
  const root = makeMissionRepo(temps, [{ dir: MISSION_DIR, meta: missionMeta(MISSION_DIR, MISSION_ID, extraMeta), wps }]);
  for (const wp of wps) {
    const deps = graph[wp] ?? [];
    writeFileSync(
      join(root, "kitty-specs", MISSION_DIR, "tasks", `${wp}-task.md`),
      `---\nwork_package_id: ${wp}\ntitle: Task ${wp}\ndependencies: [${deps.join(", ")}]\n---\n# ${wp}\n`,
    );
  }
  writeFileSync(join(root, "app.txt"), "base\n");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "tasks");
  return root;
};

/** Status options that record every persisted row (what the sync hook would report). */
export const recordingStatus = (): { options: MissionStatusOptions; rows: LaneTransitionRow[] } => {
  const rows: LaneTransitionRow[] = [];
  return {
    rows,
    options: {
      postCommitHooks: [
        (e: PostCommitEvent) => {
          for (const r of e.rows) if (!("kind" in r)) rows.push(r as LaneTransitionRow);
        },
      ],
    },
  };
};

/** Moves an in_progress WP through for_review → in_review → approved. */
export const approve = async (root: string, wpId: string, reviewer = "rita"): Promise<void> => {
  const status = await MissionStatus.load(root, MISSION_DIR);
  await status.transitionBatch([
    { wpId, toLane: "for_review", actor: "impl", subtasksComplete: true, implementationEvidencePresent: true },
    { wpId, toLane: "in_review", actor: reviewer },
    {
      wpId,
      toLane: "approved",
      actor: reviewer,
      reviewRef: `review://${wpId}`,
      reviewResult: { reviewer, verdict: "approved", reference: `review://${wpId}` },
      evidence: { review: { reviewer, verdict: "approved", reference: `review://${wpId}` } },
    },
  ]);
};

/** Commits `files` (name → content) on the workspace branch of `wpId`. */
export const commitIn = (worktree: string, files: Readonly<Record<string, string>>, message: string): void => {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(worktree, name), content);
  git(worktree, "add", "-A");
  git(worktree, "commit", "-q", "-m", message);
};

export const lanes = async (root: string): Promise<Record<string, string>> => {
  const snap = await (await MissionStatus.load(root, MISSION_DIR)).snapshot();
  return Object.fromEntries(Object.entries(snap.work_packages).map(([k, v]) => [k, v.lane]));
};
