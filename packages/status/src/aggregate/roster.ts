import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The authored subtask roster of a work package: the `subtasks:` list in the front matter of
 * `tasks/WPnn-*.md` (flow `[T001, T002]` or block `- T001` form). Completion is not read from here
 * (the event log's subtasks slot holds it). A work package without a file or list has an empty roster.
 */
export const readSubtaskRoster = (missionDir: string, wpId: string): readonly string[] => {
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
