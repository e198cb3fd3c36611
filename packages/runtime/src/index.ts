/**
 * @spec-kitty/runtime: mission templates, mission runs (state.json), the planner and run engine, the feature-runs
 * index and the `spec-kitty next` bridge. This file is the package's only public entry point.
 */
export { MissionRuntimeError, type RuntimeErrorCode, TemplateError, type TemplateErrorCode } from "./errors.ts";
export type {
  ActorType,
  AuditConfig,
  AuditStep,
  Enforcement,
  LoadedTemplate,
  MissionHeader,
  MissionTemplate,
  PromptStep,
  RaciAssignment,
  RaciRole,
  Significance,
  SignificanceDimension,
  TriggerMode,
} from "./template/types.ts";
export { ENFORCEMENTS, SIGNIFICANCE_DIMENSIONS, TRIGGER_MODES } from "./template/types.ts";
export { type ParseOptions, type ParseResult, parseMissionTemplate } from "./template/parse.ts";
export {
  DISCOVERY_TIERS,
  type DiscoveredMission,
  type DiscoveryContext,
  type DiscoveryResult,
  type DiscoveryTier,
  type DiscoveryWarning,
  discoverMissions,
  findMissionTemplate,
  loadTemplateFile,
  type LoadResult,
  type ShadowedMission,
  TEMPLATE_FILE_NAMES,
} from "./template/discovery.ts";
export { BUILTIN_TEMPLATES, builtinPath } from "./template/builtin.ts";
export {
  type ActorIdentity,
  actorIdentity,
  DEFAULT_POLICY,
  type DecisionRequest,
  type MissionRunRef,
  type MissionRunSnapshot,
  type PolicySnapshot,
} from "./snapshot/model.ts";
export { type DecodeResult, decodeSnapshot, encodeSnapshot } from "./snapshot/codec.ts";
export { readSnapshotFile, STATE_FILE, writeSnapshotFile } from "./snapshot/store.ts";
export { AUDIT_PREFIX, type DecisionKind, INPUT_PREFIX, type NextDecision, REASONS, type StepContextBundle } from "./planner/decision.ts";
export { type PlanOptions, planNext, presentIssuedStep } from "./planner/planner.ts";
export { type NextOptions, nextStep, openRun, readRun, type StartOptions, startRun, STEP_RESULTS, type StepResult } from "./engine/engine.ts";
export { type AnswerOptions, answerDecision, applyAnswer } from "./engine/answer.ts";
export { defaultPorts, type EnginePorts, FROZEN_TEMPLATE_FILE, sha256Hex } from "./engine/run-files.ts";
export { NULL_EMITTER, readRows, type RunEventType, type RunLogRow, type RuntimeEventEmitter, SIDE_LOG_FILE } from "./engine/side-log.ts";
export { type Clock, systemClock } from "./engine/time.ts";
export { BANDS, evaluateSignificance, type SignificanceRecord } from "./engine/significance.ts";
export {
  type FeatureRunsIndex,
  type FeatureRunsIndexEntry,
  getOrStartRun,
  type GetOrStartResult,
  indexPath,
  type MissionIdentity,
  readIndex,
  runStore,
} from "./registry/feature-runs.ts";
export { compareWpIds, gateStep, type GateVerdict, type WorkPackageLanes, WP_ITERATION_STEPS } from "./gating/work-packages.ts";
export { statusWorkPackageLanes } from "./gating/status-lanes.ts";
export { findRepoRoot, listMissions, type MissionInfo, resolveMission, ULID_PATTERN } from "./mission/resolve.ts";
export { answerNext, type BridgeDecision, type BridgeOptions, decideNext } from "./bridge/next.ts";
export { listRuns, type RunState, type RunSummary } from "./bridge/runs.ts";
export { dumpsCompact, dumpsIndented } from "./json/python-json.ts";
