import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A work package's subtasks and the ones ticked in tasks.md. The ids are the `subtasks:` list of its
 * `tasks/WPnn-*.md` front matter together with the subtask lines of its tasks.md section; `checked` are the
 * section's `- [x]`/`- [X]` lines. Completion is the event log's subtasks slot when the log has one for the work
 * package (InnerStateChanged annotations), else these checkboxes (missions from before subtasks were recorded in
 * the log): `subtasksComplete`. @spec-kitty/workflow's `subtaskCompletion` applies the same rule.
 */
export interface SubtaskRoster {
  readonly ids: readonly string[];
  readonly checked: ReadonlySet<string>;
}

export const readSubtaskRoster = (missionDir: string, wpId: string): SubtaskRoster => {
  const authored = readAuthoredRoster(missionDir, wpId);
  let section: { readonly ids: readonly string[]; readonly checked: ReadonlySet<string> } = { ids: [], checked: new Set() };
  try {
    section = parseTasksSection(readFileSync(join(missionDir, "tasks.md"), "utf8"), wpId);
  } catch {
    // no tasks.md: the front matter roster alone
  }
  return { ids: [...new Set([...section.ids, ...authored])], checked: section.checked };
};

/**
 * The completion rule shared by the in_progress -> for_review guard and the workflow's readers: with a subtasks
 * slot in the log (any subtask annotation of the work package), every id must be `done` there; without one, every
 * id must be ticked in tasks.md. An empty roster is complete.
 */
export const subtasksComplete = (roster: SubtaskRoster, slot: Readonly<Record<string, string>> | undefined): boolean =>
  slot !== undefined ? roster.ids.every((id) => slot[id] === "done") : roster.ids.every((id) => roster.checked.has(id));

const WP_HEADING = /^#{2,3}\s+(?:\*\*)?(?:Work\s+Package\s+(?:(WP\d{2})|(\d{1,2}))|(WP\d{2}))\b/i;
const OTHER_HEADING = /^(#{1,6})\s/;
const SUBTASK_LINE = /^\s*[-*]\s*\[([ xX])\]\s*(T\d{3,})\b/;

/**
 * The subtask lines of `wpId`'s section of a tasks.md (pure). A section opens at a `##`/`###` heading titled
 * `WPnn …` or `Work Package WPnn|N …` and ends at the next such heading or the next heading of level 1 or 2;
 * fenced blocks are skipped: the grammar of @spec-kitty/workflow's tasks.md parser.
 */
export const parseTasksSection = (text: string, wpId: string): { readonly ids: readonly string[]; readonly checked: ReadonlySet<string> } => {
  const ids: string[] = [];
  const checked = new Set<string>();
  let inside = false;
  let fence = false;
  for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) {
      fence = !fence;
      continue;
    }
    if (fence) continue;
    const wp = WP_HEADING.exec(line);
    if (wp !== null) {
      const id = (wp[1] ?? wp[3] ?? `WP${String(Number(wp[2])).padStart(2, "0")}`).toUpperCase();
      inside = id === wpId;
      continue;
    }
    const heading = OTHER_HEADING.exec(line);
    if (heading !== null) {
      if ((heading[1] as string).length <= 2) inside = false;
      continue;
    }
    if (!inside) continue;
    const sub = SUBTASK_LINE.exec(line);
    if (sub === null) continue;
    const id = (sub[2] as string).toUpperCase();
    if (!ids.includes(id)) ids.push(id);
    if (sub[1] !== " ") checked.add(id);
  }
  return { ids, checked };
};

/** The `subtasks:` list of the work package's prompt file front matter. */
const readAuthoredRoster = (missionDir: string, wpId: string): readonly string[] => {
  const tasksDir = join(missionDir, "tasks");
  let names: string[];
  try {
    names = readdirSync(tasksDir);
  } catch {
    return [];
  }
  const file = names.filter((n) => n === `${wpId}.md` || (n.startsWith(`${wpId}-`) && n.endsWith(".md"))).sort()[0];
  if (file === undefined) return [];
  try {
    return parseRoster(readFileSync(join(tasksDir, file), "utf8"));
  } catch {
    return [];
  }
};

/** The `subtasks:` list of a Markdown file's YAML front matter (pure). */
export const parseRoster = (text: string): readonly string[] => {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines[0]?.trim() !== "---") return [];
  const end = lines.findIndex((line, index) => index > 0 && line.trim() === "---");
  const front = lines.slice(1, end === -1 ? lines.length : end);
  const start = front.findIndex((line) => /^subtasks\s*:/.test(line));
  if (start === -1) return [];
  const inline = (front[start] as string).replace(/^subtasks\s*:/, "").trim();
  if (inline.startsWith("[")) {
    return inline
      .replace(/^\[|\]\s*(#.*)?$/g, "")
      .split(",")
      .map(unquote)
      .filter((id) => id !== "");
  }
  const items: string[] = [];
  for (const line of front.slice(start + 1)) {
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item === null) {
      if (line.trim() === "" || /^\s+#/.test(line)) continue;
      break;
    }
    const id = unquote(item[1] as string);
    if (id !== "") items.push(id);
  }
  return items;
};

const unquote = (raw: string): string => raw.replace(/\s+#.*$/, "").trim().replace(/^(['"])(.*)\1$/, "$2").trim();
