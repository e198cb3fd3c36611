import type { MissionStatus, MissionStatusOptions } from "@spec-kitty/status";
import type { WorkflowEmitter } from "../emit.ts";
import { gitOut } from "../git.ts";
import { implement } from "../implement.ts";
import type { MissionContext } from "../mission.ts";
import type { WorkspacePort } from "./scheduler.ts";

/**
 * The workspace port over the `implement` command: the WP worktree `.worktrees/<mission dir>-WPnn` on the branch of
 * the same name, based as implement decides (§2.3: the dependency's branch, a multi-parent merge base, or the target
 * branch when the dependencies are merged), and planned → claimed → in_progress as one MissionStatus batch. A
 * workspace left behind by an interrupted run is reused; if the interruption came between the worktree and the
 * claim, the claim is completed here, so a resumed run never re-creates or re-claims anything.
 */
export const implementWorkspacePort = (p: {
  readonly mission: MissionContext;
  readonly status: MissionStatus;
  readonly emitter: WorkflowEmitter;
  readonly statusOptions: MissionStatusOptions;
}): WorkspacePort => ({
  async prepare({ wpId, base, actor }) {
    const result = await implement({
      cwd: p.mission.repo.mainRoot,
      mission: p.mission.dir,
      wpId,
      actor,
      // Dependencies that are all done (merged) mean: branch from the target branch.
      force: true,
      emitter: p.emitter,
      statusOptions: p.statusOptions,
      ...(base === undefined ? {} : { base }),
    });
    const lane = (await p.status.workPackage(wpId)).currentLane;
    const workspaceContext = `worktree:${result.workspacePath}`;
    if (lane === "planned") {
      await p.status.transitionBatch([
        { wpId, toLane: "claimed", actor },
        { wpId, toLane: "in_progress", actor, workspaceContext },
      ]);
    } else if (lane === "claimed") {
      await p.status.transition({ wpId, toLane: "in_progress", actor, workspaceContext });
    }
    return { path: result.workspacePath, branch: result.branch, baseCommit: result.baseCommit };
  },
  head: async (ws) => gitOut(ws.path, ["rev-parse", "HEAD"]),
});
