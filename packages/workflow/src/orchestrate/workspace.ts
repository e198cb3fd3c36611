import { existsSync } from "node:fs";
import { join } from "node:path";
import type { MissionStatus } from "@spec-kitty/status";
import { WorkflowError } from "../errors.ts";
import { branchExists, git, gitOut } from "../git.ts";
import type { MissionContext } from "../mission.ts";
import type { DependencyGraph } from "../graph.ts";
import type { Workspace, WorkspacePort } from "./scheduler.ts";

/**
 * The workspace port over git worktrees, with the contract's naming: `.worktrees/<mission dir>-WPnn` on the branch
 * of the same name. The base is the target branch for a work package without dependencies (or whose dependencies
 * are all `done`, i.e. merged), the dependency's branch for one dependency, and for several the first unmerged
 * dependency's branch with the others merged into the new worktree (never in the user's checkout). A new workspace
 * moves the lane planned → claimed → in_progress as one batch through MissionStatus.
 */
export const gitWorkspacePort = (mission: MissionContext, status: MissionStatus, graph: DependencyGraph): WorkspacePort => {
  const root = mission.repo.mainRoot;
  const nameOf = (wpId: string): string => `${mission.dir}-${wpId}`;
  const isWorktree = async (path: string): Promise<boolean> =>
    existsSync(path) && (await git(path, ["rev-parse", "--git-dir"], { allowFail: true })).code === 0;

  const claim = async (wpId: string, actor: string, path: string): Promise<void> => {
    const lane = (await status.workPackage(wpId)).currentLane;
    const workspaceContext = `worktree:${path}`;
    if (lane === "planned") {
      await status.transitionBatch([
        { wpId, toLane: "claimed", actor },
        { wpId, toLane: "in_progress", actor, workspaceContext },
      ]);
    } else if (lane === "claimed") {
      await status.transition({ wpId, toLane: "in_progress", actor, workspaceContext });
    }
  };

  return {
    async prepare({ wpId, actor }) {
      const name = nameOf(wpId);
      const path = join(root, ".worktrees", name);
      let baseCommit: string | null = null;
      if (!(await isWorktree(path))) {
        if (existsSync(path)) {
          throw new WorkflowError({ code: "WORKSPACE_INVALID", message: `${path} exists but is not a git worktree`, wpId, hint: "move it away and resume" });
        }
        const depBranches: string[] = [];
        for (const dep of graph[wpId] ?? []) {
          const lane = (await status.workPackage(dep)).currentLane;
          if (lane === "done") continue;
          const branch = nameOf(dep);
          if (!(await branchExists(root, branch))) {
            throw new WorkflowError({ code: "BASE_WORKSPACE_MISSING", message: `the branch ${branch} of dependency ${dep} does not exist`, wpId });
          }
          depBranches.push(branch);
        }
        const [start, ...others] = depBranches;
        const startRef = start ?? mission.targetBranch;
        baseCommit = await gitOut(root, ["rev-parse", `${startRef}^{commit}`]);
        if (await branchExists(root, name)) await git(root, ["worktree", "add", path, name]);
        else await git(root, ["worktree", "add", "-b", name, path, startRef]);
        for (const other of others) {
          const merged = await git(path, ["merge", "--no-edit", "-m", `Merge ${other} into multi-parent base for ${wpId}`, other], { allowFail: true });
          if (merged.code !== 0) {
            await git(path, ["merge", "--abort"], { allowFail: true });
            await git(root, ["worktree", "remove", "--force", path], { allowFail: true });
            await git(root, ["branch", "-D", name], { allowFail: true });
            throw new WorkflowError({
              code: "MULTI_PARENT_CONFLICT",
              message: `merging ${other} into the base of ${wpId} conflicts`,
              wpId,
              hint: "merge the dependencies first (spec-kitty merge), then resume",
            });
          }
        }
        if (others.length > 0) baseCommit = await gitOut(path, ["rev-parse", "HEAD"]);
      } else {
        const merged = await git(root, ["merge-base", name, mission.targetBranch], { allowFail: true });
        baseCommit = merged.code === 0 ? merged.stdout.trim() : null;
      }
      await claim(wpId, actor, path);
      const ws: Workspace = { path, branch: name, baseCommit };
      return ws;
    },
    head: async (ws) => gitOut(ws.path, ["rev-parse", "HEAD"]),
  };
};
