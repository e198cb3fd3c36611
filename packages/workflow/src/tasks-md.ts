import { WorkflowError } from "./errors.ts";

/**
 * The grammar of a mission's `tasks.md` (reference-workflow §1.2, the @HEAD superset): one section per work package,
 * opened by a `##` or `###` heading titled `WPnn …` or `Work Package WPnn …` (also `Work Package N`); a section ends
 * at the next work package heading or at the first other heading of level 2 or higher. Inside a section:
 * - subtasks: `- [ ] T001 text`, `- [x] T002 [P] text` (`x` or `X`; `[P]` = parallel-safe; `*` bullets too);
 * - dependencies, in declaration order without repeats, from any of: a `Depends on WP01, WP02` line, a
 *   `Dependencies: …` / `**Dependencies**: …` line, a `| Dependencies | … |` table row, or the bullets under a
 *   `### Dependencies` heading (`- WP01`, `- Depends on WP01.`); `None` means none;
 * - the prompt file: `**Prompt**: \`/tasks/WP02-….md\``.
 * The parser only reads; every line number is 1-based.
 */
export interface Subtask {
  readonly id: string;
  readonly done: boolean;
  readonly parallel: boolean;
  readonly text: string;
  readonly line: number;
}

export interface TasksSection {
  readonly wpId: string;
  readonly title: string;
  /** The heading line. */
  readonly line: number;
  /** The last line of the section (inclusive). */
  readonly endLine: number;
  readonly subtasks: readonly Subtask[];
  readonly dependencies: readonly string[];
  /** Where each dependency was declared. */
  readonly dependencyLines: Readonly<Record<string, number>>;
  /** The prompt path as written (`/tasks/WP02-….md`), when given. */
  readonly promptPath: string | null;
}

export interface TasksDocument {
  readonly path: string;
  readonly sections: readonly TasksSection[];
  /** Subtask lines outside every work package section (no owner). */
  readonly orphanSubtasks: readonly Subtask[];
}

const WP_HEADING = /^(#{2,3})\s+(?:\*\*)?(?:Work\s+Package\s+(?:(WP\d{2})|(\d{1,2}))|(WP\d{2}))\b(?:\*\*)?(.*)$/i;
const ANY_HEADING = /^(#{1,6})\s+(.*)$/;
const SUBTASK = /^\s*[-*]\s*\[([ xX])\]\s*(T\d{3,})\b\s*(\[P\])?\s*(.*)$/;
const WP_TOKEN = /\bWP\d{2}\b/g;
const DEPENDS_ON = /^\s*(?:[-*]\s*)?(?:\*\*)?depends?\s+on(?:\*\*)?\s*:?\s*(.*)$/i;
const DEPENDENCIES_LINE = /^\s*(?:[-*]\s*)?(?:\*\*)?dependencies(?:\*\*)?\s*:\s*(?:\*\*)?\s*(.*)$/i;
const DEPENDENCIES_ROW = /^\s*\|\s*(?:\*\*)?dependencies(?:\*\*)?\s*\|(.*)$/i;
const DEPENDENCIES_HEADING = /^#{3,6}\s+(?:\*\*)?dependencies(?:\*\*)?\s*:?\s*$/i;
const BULLET = /^\s*[-*]\s+(.*)$/;
const PROMPT = /^\s*(?:[-*]\s*)?\*\*Prompt\*\*\s*:\s*`?([^`\s]+)`?/i;

const cleanTitle = (raw: string): string =>
  raw
    .replace(/^\s*\*\*/, "")
    .replace(/^\s*[:：–—-]\s*/, "")
    .replace(/\s*\(Priority:[^)]*\)\s*$/i, "")
    .replace(/\*\*$/, "")
    .trim();

export const parseTasksMd = (text: string, path: string): TasksDocument => {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const sections: Array<{
    wpId: string;
    title: string;
    line: number;
    endLine: number;
    subtasks: Subtask[];
    deps: string[];
    depLines: Record<string, number>;
    promptPath: string | null;
  }> = [];
  const orphans: Subtask[] = [];
  const seen = new Map<string, number>();
  let current: (typeof sections)[number] | null = null;
  let inDependencyList = false;
  let inFence = false;

  const addDeps = (rest: string, lineNo: number): void => {
    if (current === null) return;
    for (const m of rest.matchAll(WP_TOKEN)) {
      const dep = m[0].toUpperCase();
      if (!current.deps.includes(dep)) {
        current.deps.push(dep);
        current.depLines[dep] = lineNo;
      }
    }
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const lineNo = i + 1;
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const wp = WP_HEADING.exec(line);
    if (wp !== null) {
      const wpId = (wp[2] ?? wp[4] ?? `WP${String(Number(wp[3])).padStart(2, "0")}`).toUpperCase();
      if (current !== null) current.endLine = lineNo - 1;
      const earlier = seen.get(wpId);
      if (earlier !== undefined) {
        throw new WorkflowError({
          code: "TASKS_DUPLICATE_SECTION",
          kind: "input",
          message: `${path}:${lineNo}: a second section for ${wpId} (the first is on line ${earlier})`,
          file: path,
          line: lineNo,
          wpId,
        });
      }
      seen.set(wpId, lineNo);
      current = { wpId, title: cleanTitle(wp[5] ?? ""), line: lineNo, endLine: lineNo, subtasks: [], deps: [], depLines: {}, promptPath: null };
      sections.push(current);
      inDependencyList = false;
      continue;
    }
    const heading = ANY_HEADING.exec(line);
    if (heading !== null) {
      if ((heading[1] as string).length <= 2 && current !== null) {
        current.endLine = lineNo - 1;
        current = null;
      }
      inDependencyList = current !== null && DEPENDENCIES_HEADING.test(line);
      continue;
    }
    const sub = SUBTASK.exec(line);
    if (sub !== null) {
      const subtask: Subtask = {
        id: (sub[2] as string).toUpperCase(),
        done: sub[1] !== " ",
        parallel: sub[3] !== undefined,
        text: (sub[4] ?? "").trim(),
        line: lineNo,
      };
      if (current === null) orphans.push(subtask);
      else current.subtasks.push(subtask);
      continue;
    }
    if (current === null) continue;
    const prompt = PROMPT.exec(line);
    if (prompt !== null) {
      current.promptPath = prompt[1] ?? null;
      continue;
    }
    const depends = DEPENDS_ON.exec(line) ?? DEPENDENCIES_LINE.exec(line) ?? DEPENDENCIES_ROW.exec(line);
    if (depends !== null) {
      addDeps(depends[1] ?? "", lineNo);
      continue;
    }
    if (inDependencyList) {
      const bullet = BULLET.exec(line);
      if (bullet !== null) addDeps(bullet[1] ?? "", lineNo);
      else if (line.trim() !== "") inDependencyList = false;
    }
  }
  if (current !== null) {
    let end = lines.length;
    while (end > current.line && (lines[end - 1] ?? "").trim() === "") end--;
    current.endLine = end;
  }
  return {
    path,
    sections: sections.map((s) => ({
      wpId: s.wpId,
      title: s.title,
      line: s.line,
      endLine: s.endLine,
      subtasks: s.subtasks,
      dependencies: s.deps,
      dependencyLines: s.depLines,
      promptPath: s.promptPath,
    })),
    orphanSubtasks: orphans,
  };
};

/** The section owning subtask `id`, or undefined. */
export const ownerOf = (doc: TasksDocument, subtaskId: string): TasksSection | undefined =>
  doc.sections.find((s) => s.subtasks.some((t) => t.id === subtaskId.toUpperCase()));
