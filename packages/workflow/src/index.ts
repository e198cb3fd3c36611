/**
 * @spec-kitty/workflow: the mission workflow commands (create, finalize-tasks, implement, merge, accept, mark-status,
 * add-history) over the status log (ADR-0019). Every lane change goes through `MissionStatus`; every other event is
 * a fact handed to the caller's `WorkflowEmitter` (the CLI wires it to the one emission funnel). Only entry point.
 */
export { WorkflowError, isWorkflowError, located, type WorkflowErrorFields, type WorkflowErrorKind } from "./errors.ts";
export {
  GIT_TIMEOUT_MS,
  branchExists,
  commitPaths,
  currentBranch,
  dirtyPaths,
  git,
  gitOut,
  locateRepo,
  requireRepo,
  revParse,
  type CommitOutcome,
  type GitOptions,
  type GitResult,
  type RepoLocation,
} from "./git.ts";
export {
  NULL_WORKFLOW_EMITTER,
  dependencyResolvedFact,
  errorLoggedFact,
  historyAddedFact,
  missionClosedFact,
  missionCreatedFact,
  recordingEmitter,
  wpAssignedFact,
  wpCreatedFact,
  type ErrorType,
  type HistoryEntryType,
  type MissionCreatedInput,
  type WorkflowEmitter,
  type WorkflowFact,
} from "./emit.ts";
export { metaJsonText, writeFileAtomic } from "./files.ts";
export {
  buildFrontmatter,
  frontList,
  frontString,
  parseFront,
  renderFront,
  setFront,
  splitFrontmatter,
  type FrontmatterFile,
} from "./frontmatter.ts";
export {
  DEFAULT_MISSION_TYPE,
  META_FILE,
  TASKS_DIR,
  TASKS_FILE,
  findWorkPackageFile,
  listWorkPackageFiles,
  missionStatus,
  openMission,
  readMetaFile,
  writeMetaFile,
  type MissionContext,
  type WorkPackageFile,
} from "./mission.ts";
export { ownerOf, parseTasksMd, type Subtask, type TasksDocument, type TasksSection } from "./tasks-md.ts";
export { WP_ID, directDependents, findCycles, graphProblems, topologicalOrder, type DependencyGraph, type GraphProblem } from "./graph.ts";
export { setFrontListInText } from "./frontmatter.ts";
export {
  SCAFFOLD_FILES,
  SLUG_PATTERN,
  TASKS_README,
  builtInSpecTemplate,
  createMission,
  type CreateOptions,
  type CreateResult,
} from "./create.ts";
export { finalizeTasks, type FinalizeOptions, type FinalizeResult, type FinalizedWorkPackage } from "./finalize.ts";
export {
  implement,
  readWorkspaceContext,
  wpDependencies,
  type ImplementOptions,
  type ImplementResult,
  type WorkspaceContext,
} from "./implement.ts";
export {
  LOCAL_STATE_EXCLUDES,
  WORKSPACES_DIR,
  WORKTREES_DIR,
  contextFilePath,
  listWorktrees,
  mergeBaseBranch,
  workspaceName,
  workspacePath,
  type WorktreeInfo,
} from "./workspace.ts";
export {
  MERGE_STATE_FILE,
  approvalReview,
  merge,
  type MergeOptions,
  type MergeResult,
  type MergeState,
  type MergeStep,
  type MergeStepAction,
  type MergeStrategy,
} from "./merge.ts";
export { asWorkflowError, viaStatus } from "./status-errors.ts";
export {
  readTasksDocument,
  subtaskCompletion,
  type CompletionSource,
  type SubtaskCompletion,
  type SubtaskState,
  type WorkPackageSubtasks,
} from "./subtasks.ts";
export {
  ACTIVITY_HEADING,
  activityTimestamp,
  agentProblem,
  appendActivityEntry,
  normalizeNote,
  parseActivityEntry,
  parseActivityLog,
  renderActivityEntry,
  type ActivityEntry,
  type LocatedActivityEntry,
} from "./activity-log.ts";
export { markStatus, type MarkStatusOptions, type MarkStatusResult, type SubtaskStatus } from "./mark-status.ts";
export { addHistory, type AddHistoryOptions, type AddHistoryResult } from "./add-history.ts";
export {
  ACCEPTANCE_FIELDS,
  accept,
  type AcceptMode,
  type AcceptOptions,
  type AcceptResult,
  type AcceptStatus,
  type AcceptSummary,
  type AcceptWorkPackage,
  type ValidationRun,
} from "./accept.ts";
export * from "./orchestrate/index.ts";
