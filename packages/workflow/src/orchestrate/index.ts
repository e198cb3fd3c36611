/** `spec-kitty orchestrate`: agents implement and review a mission's work packages in dependency order. */
export {
  AGENT_ALIASES,
  AGENT_ROLES,
  AGENTS_FILE,
  DEFAULTS as ORCHESTRATOR_DEFAULTS,
  KNOWN_AGENT_BINARIES,
  canonicalAgentId,
  generateAgentsConfig,
  loadAgentsConfig,
  parseAgentsConfig,
  splitCommand,
  type AgentConfig,
  type AgentRole,
  type FallbackStrategy,
  type OrchestratorConfig,
} from "./config.ts";
export { BUILT_IN_INVOCATIONS, agentInvocation, type AgentInvocation } from "./invocation.ts";
export { classifyFailure, isRetryable, parseVerdict, type FailureClass, type Verdict } from "./outcome.ts";
export { runAgentProcess, type ProcessOutcome, type ProcessRequest } from "./process.ts";
export { implementationPrompt, reviewPrompt } from "./prompts.ts";
export {
  ESCALATION_ACTIONS,
  startScheduler,
  type AgentInvoker,
  type InvocationRequest,
  type InvocationResult,
  type LaneStore,
  type MissionPlan,
  type OrchestrationChange,
  type RunControl,
  type SchedulerDeps,
  type Workspace,
  type WorkspacePort,
} from "./scheduler.ts";
export {
  STATE_FILE,
  fileStateStore,
  memoryStateStore,
  newWpRecord,
  type OrchestrationState,
  type PhaseRecord,
  type RunStatus,
  type StateStore,
  type WpRecord,
  type WpRunStatus,
} from "./state.ts";
export {
  abortOrchestration,
  orchestrationStatus,
  prepareOrchestration,
  processInvoker,
  readPlanGraph,
  skipWorkPackage,
  type OrchestrateOptions,
  type PreparedRun,
  type RunPorts,
} from "./run.ts";
export { implementWorkspacePort } from "./workspace.ts";
