import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { reduce, readSubtaskRoster, type ParsedLog } from "@spec-kitty/status";
import { WorkflowError } from "./errors.ts";
import { listWorkPackageFiles, TASKS_FILE, type MissionContext } from "./mission.ts";
import { parseTasksMd, type Subtask, type TasksDocument } from "./tasks-md.ts";

/**
 * Which subtasks of each work package are done. A work package's subtasks are the subtask lines of its tasks.md
 * section (`- [ ] T001 …`) and the `subtasks:` roster of its prompt file's front matter. Completion comes from the
 * status log when the log has recorded subtasks for that work package (`InnerStateChanged` annotations
 * `{subtasks: {T001: "done" | "planned"}}`, merged per id, latest wins); otherwise, for missions from before
 * subtasks were recorded in the log, from the tasks.md checkboxes (`x` or `X`). The status package's
 * in_progress → for_review guard applies the same rule (`subtasksComplete` of @spec-kitty/status), so a work
 * package that is complete here passes the guard and one that is not is refused.
 */
export type CompletionSource = "log" | "tasks.md";

export interface SubtaskState {
  readonly id: string;
  readonly done: boolean;
  /** The tasks.md line, or null for an id only the front matter roster lists. */
  readonly line: number | null;
}

export interface WorkPackageSubtasks {
  readonly wpId: string;
  readonly source: CompletionSource;
  readonly subtasks: readonly SubtaskState[];
  readonly complete: boolean;
  /** Ids not done, in order. */
  readonly pending: readonly string[];
  /** The log's subtasks slot (undefined when source is tasks.md). */
  readonly slot: Readonly<Record<string, string>> | undefined;
}

export interface SubtaskCompletion {
  /** The parsed tasks.md, or null when the mission has none. */
  readonly tasks: TasksDocument | null;
  readonly tasksPath: string;
  /** Every work package with a tasks.md section, a prompt file or log rows, sorted by id. */
  readonly workPackages: ReadonlyMap<string, WorkPackageSubtasks>;
  /** Subtask lines outside every work package section: no work package owns them. */
  readonly orphans: readonly Subtask[];
}

/** Reads the mission's tasks.md (null when absent); a parse problem is a WorkflowError naming file and line. */
export const readTasksDocument = (ctx: MissionContext): TasksDocument | null => {
  const path = join(ctx.path, TASKS_FILE);
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new WorkflowError({ code: "TASKS_UNREADABLE", kind: "input", message: `${path}: cannot read tasks.md (${String(error)})`, file: path });
  }
  return parseTasksMd(text, path);
};

const byId = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });

/** Subtask completion of every work package of the mission `ctx`, given its parsed status `log`. */
export const subtaskCompletion = (ctx: MissionContext, log: ParsedLog, tasks: TasksDocument | null = readTasksDocument(ctx)): SubtaskCompletion => {
  const snapshot = reduce(log);
  const ids = new Set<string>([
    ...(tasks?.sections.map((s) => s.wpId) ?? []),
    ...listWorkPackageFiles(ctx).map((f) => f.wpId),
    ...Object.keys(snapshot.work_packages),
  ]);
  const workPackages = new Map<string, WorkPackageSubtasks>();
  for (const wpId of [...ids].sort(byId)) {
    const section = tasks?.sections.find((s) => s.wpId === wpId);
    // The first line of an id locates it; an id listed twice counts as ticked when any of its lines is.
    const lines = new Map<string, Subtask>();
    const ticked = new Set<string>();
    for (const t of section?.subtasks ?? []) {
      if (!lines.has(t.id)) lines.set(t.id, t);
      if (t.done) ticked.add(t.id);
    }
    // The roster reader of @spec-kitty/status: the front matter list together with the section's ids.
    const roster = readSubtaskRoster(ctx.path, wpId);
    const all = [...new Set([...lines.keys(), ...roster.ids])];
    const slot = snapshot.work_packages[wpId]?.subtasks;
    const source: CompletionSource = slot === undefined ? "tasks.md" : "log";
    const subtasks = all.map((id): SubtaskState => {
      const line = lines.get(id);
      const done = slot !== undefined ? slot[id] === "done" : ticked.has(id);
      return { id, done, line: line?.line ?? null };
    });
    const pending = subtasks.filter((s) => !s.done).map((s) => s.id);
    workPackages.set(wpId, { wpId, source, subtasks, complete: pending.length === 0, pending, slot });
  }
  return { tasks, tasksPath: join(ctx.path, TASKS_FILE), workPackages, orphans: tasks?.orphanSubtasks ?? [] };
};
