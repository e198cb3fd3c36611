/**
 * What the workflow commands report to the team, as facts for the one emission funnel (ADR-0012, ADR-0019). The
 * package does not know the funnel: the CLI passes a `WorkflowEmitter` that hands each fact to it. Lane changes are
 * never emitted here: they are `MissionStatus` transitions, reported by the status package's post-commit hook, so
 * each real transition is reported exactly once. Every payload is the canonical 3.0.0 vocabulary; optional keys
 * are omitted, not null.
 */
export interface WorkflowFact {
  readonly eventType: string;
  readonly aggregateId: string;
  readonly aggregateType: "Mission" | "WorkPackage" | "Feature";
  readonly payload: Readonly<Record<string, unknown>>;
  /** ISO-8601 with offset; default: when the funnel captures it. */
  readonly occurredAt?: string;
  readonly causationId?: string | null;
  /** A fixed event id (ULID) for a fact that may be reported again (a resumed orchestration); the outbox keeps one. */
  readonly eventId?: string;
}

/** The port the commands emit through. `emit` never throws and never waits on the network. */
export interface WorkflowEmitter {
  readonly emit: (fact: WorkflowFact) => void;
}

export const NULL_WORKFLOW_EMITTER: WorkflowEmitter = { emit: () => undefined };

/** Collects facts in memory (tests, dry runs). */
export const recordingEmitter = (): WorkflowEmitter & { readonly facts: WorkflowFact[] } => {
  const facts: WorkflowFact[] = [];
  return { facts, emit: (fact) => void facts.push(fact) };
};

const compact = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export interface MissionCreatedInput {
  readonly missionId: string;
  readonly missionSlug: string;
  readonly missionType: string;
  readonly targetBranch: string;
  readonly friendlyName: string;
  readonly purposeTldr: string;
  readonly purposeContext: string;
  readonly createdAt: string;
}

/** MissionCreated, aggregate `Mission` = mission_id; `mission_number` is null until merge assigns one. */
export const missionCreatedFact = (m: MissionCreatedInput): WorkflowFact => ({
  eventType: "MissionCreated",
  aggregateId: m.missionId,
  aggregateType: "Mission",
  payload: {
    mission_id: m.missionId,
    mission_slug: m.missionSlug,
    mission_number: null,
    mission_type: m.missionType,
    target_branch: m.targetBranch,
    wp_count: 0,
    friendly_name: m.friendlyName,
    purpose_tldr: m.purposeTldr,
    purpose_context: m.purposeContext,
    created_at: m.createdAt,
  },
});

/** MissionClosed, aggregate `Mission` = mission_id (else the slug); the number is ≥ 1. */
export const missionClosedFact = (m: {
  readonly missionId: string | null;
  readonly missionSlug: string;
  readonly missionNumber: number;
  readonly missionType: string;
}): WorkflowFact => ({
  eventType: "MissionClosed",
  aggregateId: m.missionId ?? m.missionSlug,
  aggregateType: "Mission",
  payload: { mission_slug: m.missionSlug, mission_number: Math.max(1, m.missionNumber), mission_type: m.missionType },
});

/** WPCreated, aggregate `WorkPackage` = wp_id; one per work package of a finalize run, sharing its causation. */
export const wpCreatedFact = (w: {
  readonly wpId: string;
  readonly title: string;
  readonly dependsOn: readonly string[];
  readonly missionSlug: string;
  readonly actor: string;
  readonly wpPath?: string;
  readonly causationId?: string | null;
}): WorkflowFact => ({
  eventType: "WPCreated",
  aggregateId: w.wpId,
  aggregateType: "WorkPackage",
  payload: compact({
    wp_id: w.wpId,
    wp_title: w.title.trim() === "" ? w.wpId : w.title,
    depends_on: [...w.dependsOn],
    mission_slug: w.missionSlug,
    actor: w.actor,
    wp_path: w.wpPath,
  }),
  ...(w.causationId === undefined ? {} : { causationId: w.causationId }),
});

export type HistoryEntryType = "note" | "review" | "error" | "comment";

/** HistoryAdded, aggregate `WorkPackage` = the owning work package. */
export const historyAddedFact = (h: {
  readonly wpId: string;
  readonly entryType: HistoryEntryType;
  readonly content: string;
  readonly author: string;
}): WorkflowFact => ({
  eventType: "HistoryAdded",
  aggregateId: h.wpId,
  aggregateType: "WorkPackage",
  payload: { wp_id: h.wpId, entry_type: h.entryType, entry_content: h.content, author: h.author },
});

/** The `error_type` vocabulary of ErrorLogged. */
export type ErrorType = "validation" | "runtime" | "network" | "auth" | "unknown";

/** ErrorLogged: aggregate the work package when there is one, else the mission (`Feature`, as the reference). */
export const errorLoggedFact = (e: {
  readonly errorType: ErrorType;
  readonly message: string;
  readonly wpId?: string;
  readonly missionSlug?: string;
  readonly agentId?: string;
  readonly stackTrace?: string;
}): WorkflowFact => ({
  eventType: "ErrorLogged",
  aggregateId: e.wpId ?? e.missionSlug ?? "error",
  aggregateType: e.wpId === undefined ? "Feature" : "WorkPackage",
  payload: compact({
    error_type: e.errorType,
    error_message: e.message.trim() === "" ? "unknown error" : e.message,
    wp_id: e.wpId,
    stack_trace: e.stackTrace,
    agent_id: e.agentId,
  }),
});

/** DependencyResolved, aggregate the dependent work package. */
export const dependencyResolvedFact = (d: {
  readonly wpId: string;
  readonly dependencyWpId: string;
  readonly resolutionType: "completed" | "skipped" | "merged";
}): WorkflowFact => ({
  eventType: "DependencyResolved",
  aggregateId: d.wpId,
  aggregateType: "WorkPackage",
  payload: { wp_id: d.wpId, dependency_wp_id: d.dependencyWpId, resolution_type: d.resolutionType },
});

/** WPAssigned: a work package handed to an agent for a phase. */
export const wpAssignedFact = (a: {
  readonly wpId: string;
  readonly agentId: string;
  readonly phase: "implementation" | "review";
  readonly retryCount: number;
}): WorkflowFact => ({
  eventType: "WPAssigned",
  aggregateId: a.wpId,
  aggregateType: "WorkPackage",
  payload: { wp_id: a.wpId, agent_id: a.agentId, phase: a.phase, retry_count: a.retryCount },
});
