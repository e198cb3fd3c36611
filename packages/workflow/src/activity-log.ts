/**
 * The `## Activity Log` section of a WP prompt file (reference-workflow §1.3). One entry per line:
 *
 *   - 2026-02-07T08:19:25Z – claude-opus – shell_pid=49920 – lane=doing – Assigned agent via workflow command
 *   - <UTC %Y-%m-%dT%H:%M:%SZ> – <agent> – [shell_pid=<pid> – ][lane=<lane> – ]<note>
 *
 * The separators are space, EN DASH (U+2013), space when written; a hyphen is accepted when read. `lane=` is the
 * older form (move-task wrote it); add-history writes the newer form without it. Insertion only adds bytes: every
 * other byte of the file stays as it was.
 */
export interface ActivityEntry {
  /** `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly timestamp: string;
  readonly agent: string;
  readonly shellPid: string | null;
  readonly lane: string | null;
  readonly note: string;
}

export interface LocatedActivityEntry extends ActivityEntry {
  /** 1-based line in the file. */
  readonly line: number;
}

export const ACTIVITY_HEADING = "## Activity Log";
const SEPARATOR = " \u2013 ";

const ENTRY =
  /^\s*-\s*(?<timestamp>[0-9T:-]+Z)\s+[\u2013-]\s+(?<agent>\S+(?:\s+\S+)*?)\s+[\u2013-]\s+(?:shell_pid=(?<shell>\S*)\s+[\u2013-]\s+)?(?:lane=(?<lane>[a-z_]+)\s+[\u2013-]\s+)?(?<note>.*)$/;
const HEADING = /^##\s+Activity Log\s*$/;
const LEVEL2 = /^##\s/;
const FENCE = /^\s*(```|~~~)/;

/** The timestamp form of an entry: UTC, whole seconds. */
export const activityTimestamp = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

/** One entry as a line (no line ending). */
export const renderActivityEntry = (e: ActivityEntry): string =>
  `- ${e.timestamp}${SEPARATOR}${e.agent}${SEPARATOR}${e.shellPid === null ? "" : `shell_pid=${e.shellPid}${SEPARATOR}`}${
    e.lane === null ? "" : `lane=${e.lane}${SEPARATOR}`
  }${e.note}`;

/** Reads one line as an entry, or null when it is not one. */
export const parseActivityEntry = (line: string): ActivityEntry | null => {
  const m = ENTRY.exec(line.replace(/\r$/, ""));
  const g = m?.groups;
  if (g === undefined) return null;
  return {
    timestamp: g["timestamp"] as string,
    agent: g["agent"] as string,
    shellPid: g["shell"] ?? null,
    lane: g["lane"] ?? null,
    note: g["note"] as string,
  };
};

/**
 * Why `agent` cannot be written into an entry (it would not read back as itself), or null when it can: one line,
 * no surrounding blanks, no separator (a dash between blanks) inside.
 */
export const agentProblem = (agent: string): string | null => {
  if (agent.trim() === "") return "the agent is empty";
  if (/[\r\n]/.test(agent)) return "the agent must be one line";
  if (agent !== agent.trim()) return "the agent must not start or end with blanks";
  if (/\s[\u2013-]\s/.test(agent)) return "the agent must not contain ' – ' or ' - '";
  return null;
};

/**
 * A note as it is written into an entry: line breaks and runs of blanks become one space, surrounding blanks go.
 * Null when nothing is left.
 */
export const normalizeNote = (note: string): string | null => {
  const flat = note.replace(/\s+/g, " ").trim();
  return flat === "" ? null : flat;
};

interface Line {
  readonly text: string;
  /** The line ending as found ("" for a last line without one). */
  readonly eol: string;
}

const splitLines = (text: string): Line[] => {
  const out: Line[] = [];
  const re = /([^\n]*?)(\r?\n|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === "" && m.index >= text.length) break;
    out.push({ text: m[1] as string, eol: m[2] as string });
    if (m[2] === "") break;
  }
  return out;
};

/** The Activity Log heading's index and the index after the section's last line, fences skipped; null when absent. */
const findSection = (lines: readonly Line[]): { readonly heading: number; readonly end: number } | null => {
  let fence = false;
  let heading = -1;
  for (let i = 0; i < lines.length; i++) {
    const text = (lines[i] as Line).text;
    if (FENCE.test(text)) {
      fence = !fence;
      continue;
    }
    if (fence) continue;
    if (heading === -1) {
      if (HEADING.test(text)) heading = i;
    } else if (LEVEL2.test(text) || /^#\s/.test(text)) {
      return { heading, end: i };
    }
  }
  return heading === -1 ? null : { heading, end: lines.length };
};

/** The entries of the file's Activity Log section, in file order (lines that are not entries are skipped). */
export const parseActivityLog = (text: string): readonly LocatedActivityEntry[] => {
  const lines = splitLines(text);
  const section = findSection(lines);
  if (section === null) return [];
  const out: LocatedActivityEntry[] = [];
  for (let i = section.heading + 1; i < section.end; i++) {
    const entry = parseActivityEntry((lines[i] as Line).text);
    if (entry !== null) out.push({ ...entry, line: i + 1 });
  }
  return out;
};

/**
 * `text` with `entryLine` added at the end of its Activity Log section (after the section's last non-blank line),
 * or, without the section, a new one at the end of the file (`\n## Activity Log\n\n<entry>\n`). Nothing else
 * changes: the result is the input with bytes inserted at one place. CRLF files get a CRLF line.
 */
export const appendActivityEntry = (text: string, entryLine: string): string => {
  const lines = splitLines(text);
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const section = findSection(lines);
  if (section === null) {
    const lead = text === "" ? "" : text.endsWith("\n") ? eol : `${eol}${eol}`;
    return `${text}${lead}${ACTIVITY_HEADING}${eol}${eol}${entryLine}${eol}`;
  }
  let last = section.end - 1;
  while (last > section.heading && (lines[last] as Line).text.trim() === "") last--;
  // Insert after line `last`: at the offset where the next line starts (or at the end).
  let offset = 0;
  for (let i = 0; i <= last; i++) offset += (lines[i] as Line).text.length + (lines[i] as Line).eol.length;
  const lastLine = lines[last] as Line;
  if (lastLine.eol === "") return `${text}${eol}${entryLine}`;
  const blankAfterHeading = last === section.heading ? eol : "";
  return `${text.slice(0, offset)}${blankAfterHeading}${entryLine}${eol}${text.slice(offset)}`;
};
