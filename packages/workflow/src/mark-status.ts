import { relative } from "node:path";
import type { MissionStatusOptions, WpInnerStateDelta } from "@spec-kitty/status";
import { historyAddedFact, type WorkflowEmitter } from "./emit.ts";
import { WorkflowError } from "./errors.ts";
import { missionStatus, openMission } from "./mission.ts";
import { viaStatus } from "./status-errors.ts";
import { readTasksDocument, subtaskCompletion } from "./subtasks.ts";
import { ownerOf } from "./tasks-md.ts";

/**
 * `agent tasks mark-status T001 [T002 …] --status done|pending`: records subtask completion the @HEAD way, as one
 * `InnerStateChanged` annotation per owning work package (`{subtasks: {T001: "done"}}`; pending is "planned"),
 * through `MissionStatus.annotate` (locked, appended, committed with the status files). tasks.md is not rewritten.
 * The owner of an id is the work package whose tasks.md section lists it (never its number). Ids already in the
 * requested state write nothing and emit nothing. One HistoryAdded per work package that changed.
 */
export type SubtaskStatus = "done" | "pending";

export interface MarkStatusOptions {
  readonly cwd: string;
  readonly mission?: string;
  readonly ids: readonly string[];
  readonly status: string;
  readonly actor: string;
  readonly emitter: WorkflowEmitter;
  readonly statusOptions?: MissionStatusOptions;
}

export interface MarkStatusResult {
  readonly result: "success";
  readonly missionSlug: string;
  readonly status: SubtaskStatus;
  /** Ids whose state changed, in the order given. */
  readonly updated: readonly string[];
  /** Ids already in the requested state. */
  readonly unchanged: readonly string[];
  /** Always empty on success (an unowned id is an error); kept for the reference's JSON shape. */
  readonly notFound: readonly string[];
  /** Owning work package → the ids of this call it owns. */
  readonly byWorkPackage: Readonly<Record<string, readonly string[]>>;
  /** The annotation rows written, one per work package that changed. */
  readonly annotations: readonly { readonly wpId: string; readonly eventId: string; readonly commitSha: string | null }[];
}

const SUBTASK_ID = /^T\d{3,}$/;
const WP_ID = /^WP\d{2}$/;

export const markStatus = async (o: MarkStatusOptions): Promise<MarkStatusResult> => {
  if (o.status !== "done" && o.status !== "pending") {
    throw new WorkflowError({ code: "INVALID_SUBTASK_STATUS", kind: "usage", message: `invalid status '${o.status}': must be 'done' or 'pending'`, field: "status" });
  }
  const status: SubtaskStatus = o.status;
  if (o.ids.length === 0) throw new WorkflowError({ code: "SUBTASK_IDS_REQUIRED", kind: "usage", message: "give at least one subtask id (e.g. T001)" });
  const ids = [...new Set(o.ids.map((id) => id.trim().toUpperCase()))];
  const wpIds = ids.filter((id) => WP_ID.test(id));
  if (wpIds.length > 0) {
    throw new WorkflowError({
      code: "NOT_A_SUBTASK",
      kind: "usage",
      message: `${wpIds.join(", ")} ${wpIds.length === 1 ? "is a work package" : "are work packages"}, not ${wpIds.length === 1 ? "a subtask" : "subtasks"}`,
      hint: `to change a work package's lane use 'spec-kitty agent tasks move-task ${wpIds[0]} --to LANE'`,
    });
  }
  const malformed = ids.filter((id) => !SUBTASK_ID.test(id));
  if (malformed.length > 0) {
    throw new WorkflowError({
      code: "INVALID_SUBTASK_ID",
      kind: "usage",
      message: `invalid subtask id${malformed.length === 1 ? "" : "s"}: ${malformed.join(", ")} (expected T followed by three digits, like T001)`,
    });
  }

  const ctx = await openMission(o.cwd, o.mission);
  const tasks = readTasksDocument(ctx);
  if (tasks === null) {
    throw new WorkflowError({
      code: "TASKS_NOT_FOUND",
      kind: "input",
      message: `tasks.md not found: ${relative(ctx.repo.mainRoot, `${ctx.path}/tasks.md`)}`,
      hint: "write tasks.md and run finalize-tasks first",
    });
  }
  const owners = new Map<string, string>();
  const notFound: string[] = [];
  for (const id of ids) {
    const owner = ownerOf(tasks, id);
    if (owner === undefined) notFound.push(id);
    else owners.set(id, owner.wpId);
  }
  if (notFound.length > 0) {
    const orphanLines = notFound
      .map((id) => tasks.orphanSubtasks.find((t) => t.id === id))
      .filter((t) => t !== undefined)
      .map((t) => `${t.id} (line ${t.line} is outside every work package section)`);
    throw new WorkflowError({
      code: "SUBTASK_NOT_FOUND",
      message: `no work package owns ${notFound.join(", ")} in ${relative(ctx.repo.mainRoot, tasks.path)}${orphanLines.length > 0 ? `: ${orphanLines.join("; ")}` : ""}`,
      file: tasks.path,
      hint: "a subtask belongs to the work package whose tasks.md section lists it ('- [ ] T001 …' under '## Work Package WP01 …'); nothing was written",
      details: { not_found: notFound },
    });
  }

  const ms = await viaStatus(() => missionStatus(ctx, o.statusOptions ?? {}));
  const completion = subtaskCompletion(ctx, await viaStatus(() => ms.readLog()), tasks);
  const wanted = status === "done";
  const byWorkPackage: Record<string, string[]> = {};
  const changes = new Map<string, string[]>();
  const updated: string[] = [];
  const unchanged: string[] = [];
  for (const id of ids) {
    const wpId = owners.get(id) as string;
    (byWorkPackage[wpId] ??= []).push(id);
    const state = completion.workPackages.get(wpId)?.subtasks.find((s) => s.id === id);
    if (state?.done === wanted) {
      unchanged.push(id);
      continue;
    }
    updated.push(id);
    const list = changes.get(wpId) ?? [];
    list.push(id);
    changes.set(wpId, list);
  }

  const annotations: { wpId: string; eventId: string; commitSha: string | null }[] = [];
  for (const [wpId, changed] of [...changes.entries()].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))) {
    const wp = completion.workPackages.get(wpId);
    const subtasks: Record<string, string> = {};
    // The first annotation of a work package switches its completion from the checkboxes to the log: it carries
    // the ticked boxes of its other subtasks along, so nothing already done is lost by the switch.
    if (wp?.source === "tasks.md") for (const s of wp.subtasks) if (s.done) subtasks[s.id] = "done";
    for (const id of changed) subtasks[id] = wanted ? "done" : "planned";
    const delta: WpInnerStateDelta = { subtasks };
    const { annotation, receipt } = await viaStatus(() => ms.annotate(wpId, delta, o.actor), wpId);
    annotations.push({ wpId, eventId: annotation.event_id, commitSha: receipt.committed ? receipt.commitSha : null });
    o.emitter.emit(
      historyAddedFact({
        wpId,
        entryType: "note",
        content: `Subtask(s) ${changed.join(", ")} marked as ${status}`,
        author: o.actor,
      }),
    );
  }
  return { result: "success", missionSlug: ctx.slug, status, updated, unchanged, notFound: [], byWorkPackage, annotations };
};
