import { homedir } from "node:os";
import { runtimeError } from "../errors.ts";
import { answerDecision } from "../engine/answer.ts";
import { nextStep, readRun, startRun, type StepResult } from "../engine/engine.ts";
import { defaultPorts, type EnginePorts, readFrozenTemplate } from "../engine/run-files.ts";
import { gateStep, WP_ITERATION_STEPS, type WorkPackageLanes } from "../gating/work-packages.ts";
import { type MissionInfo, resolveMission } from "../mission/resolve.ts";
import type { NextDecision } from "../planner/decision.ts";
import { presentIssuedStep } from "../planner/planner.ts";
import { getOrStartRun, runStore } from "../registry/feature-runs.ts";
import type { ActorIdentity, MissionRunRef } from "../snapshot/model.ts";
import { type DiscoveryContext, type DiscoveryWarning, findMissionTemplate } from "../template/discovery.ts";

/** How the bridge reaches the outside: discovery roots, the WP lanes of a mission, engine ports. */
export interface BridgeOptions {
  readonly repoRoot: string;
  readonly missionHandle: string;
  /** Lanes of the mission's work packages (the status package's view); asked only on implement/review. */
  readonly lanesFor: (mission: MissionInfo) => WorkPackageLanes;
  readonly discovery?: Omit<DiscoveryContext, "projectRoot">;
  readonly ports?: EnginePorts;
}

/** A decision together with the mission and run it belongs to. `wp_id` names the WP a WP-iteration step is on. */
export interface BridgeDecision {
  readonly decision: NextDecision;
  readonly wp_id: string | null;
  readonly mission: MissionInfo;
  readonly ref: MissionRunRef;
  readonly warnings: ReadonlyArray<DiscoveryWarning>;
}

/**
 * `spec-kitty next`: finds the mission's run (starting one if needed), records `result` for the issued step, and
 * returns what to do next. Without a result an issued step is returned again unchanged. implement/review stay
 * issued while work packages remain, naming the next one. Rejects with MissionRuntimeError or TemplateError.
 */
export const decideNext = async (o: BridgeOptions & { readonly agentId: string; readonly result?: StepResult }): Promise<BridgeDecision> => {
  const ports = o.ports ?? defaultPorts;
  const { mission, ref, warnings } = openMissionRun(o, ports);
  const snapshot = readRun(ref);
  const issued = snapshot.issued_step_id;
  const lanes = o.lanesFor(mission);
  const wrap = (decision: NextDecision, wp_id: string | null = null): BridgeDecision => ({ decision, wp_id, mission, ref, warnings });

  if (issued !== null && (o.result === undefined || o.result === "success")) {
    const template = readFrozenTemplate(ref.run_dir, snapshot.mission_key);
    const current = presentIssuedStep(snapshot, template, issued, snapshot.policy_snapshot);
    if (current !== null && WP_ITERATION_STEPS.has(issued)) {
      const held = await holdOnWorkPackages(current, lanes);
      if (held !== null) return wrap(held.decision, held.wp_id);
    }
    if (current !== null && o.result === undefined) return wrap(current);
  }
  const decision = nextStep(ref, { agentId: o.agentId, ...(o.result === undefined ? {} : { result: o.result }) }, ports);
  if (decision.kind === "step" && decision.step_id !== null && WP_ITERATION_STEPS.has(decision.step_id)) {
    const held = await holdOnWorkPackages(decision, lanes);
    if (held !== null) return wrap(held.decision, held.wp_id);
  }
  return wrap(decision);
};

/** `spec-kitty next answer`: answers a pending decision of the mission's run. */
export const answerNext = (
  o: Omit<BridgeOptions, "lanesFor"> & { readonly decisionId: string; readonly answer: string; readonly actor: ActorIdentity },
): { readonly mission: MissionInfo; readonly ref: MissionRunRef } => {
  const ports = o.ports ?? defaultPorts;
  const { mission, ref } = openMissionRun(o, ports);
  answerDecision(ref, { decisionId: o.decisionId, answer: o.answer, actor: o.actor }, ports);
  return { mission, ref };
};

const openMissionRun = (o: Omit<BridgeOptions, "lanesFor">, ports: EnginePorts) => {
  const mission = resolveMission(o.repoRoot, o.missionHandle);
  let warnings: ReadonlyArray<DiscoveryWarning> = [];
  const { ref } = getOrStartRun(o.repoRoot, { slug: mission.slug, id: mission.id, type: mission.type }, () => {
    const ctx: DiscoveryContext = { userHome: homedir(), ...o.discovery, projectRoot: o.repoRoot };
    const found = findMissionTemplate(ctx, mission.type);
    warnings = found.warnings;
    if (!found.result.ok) throw found.result.error;
    return startRun(
      { template: found.result.value, runStore: runStore(o.repoRoot), inputs: { mission_slug: mission.slug }, missionId: mission.id, missionSlug: mission.slug },
      ports,
    );
  });
  return { mission, ref, warnings };
};

/** The WP-level decision while a WP-iteration step must stay, or null when it may advance. */
const holdOnWorkPackages = async (step: NextDecision, lanes: WorkPackageLanes): Promise<{ decision: NextDecision; wp_id: string } | null> => {
  let map: ReadonlyMap<string, string>;
  try {
    map = await lanes.lanes();
  } catch (e) {
    throw runtimeError("WORK_PACKAGES_UNREADABLE", `cannot read work package lanes: ${e instanceof Error ? e.message : String(e)}`);
  }
  const verdict = gateStep(step.step_id ?? "", map);
  if (verdict.advance) return null;
  if (verdict.blocked)
    return {
      wp_id: verdict.wpId,
      decision: { ...step, kind: "blocked", prompt: null, context: null, reason: `Work package ${verdict.wpId} is blocked; step '${step.step_id}' cannot advance until it is unblocked.` },
    };
  const verb = step.step_id === "review" ? "Review" : "Implement";
  return {
    wp_id: verdict.wpId,
    decision: { ...step, prompt: `${verb} work package ${verdict.wpId} (lane: ${verdict.lane}). ${step.prompt ?? ""}`.trim() },
  };
};
