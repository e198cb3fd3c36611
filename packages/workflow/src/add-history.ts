import { readFileSync } from "node:fs";
import { activityTimestamp, agentProblem, appendActivityEntry, normalizeNote, parseActivityLog, renderActivityEntry, type ActivityEntry } from "./activity-log.ts";
import { historyAddedFact, type WorkflowEmitter } from "./emit.ts";
import { WorkflowError } from "./errors.ts";
import { writeFileAtomic } from "./files.ts";
import { commitPaths, dirtyPaths, git } from "./git.ts";
import { findWorkPackageFile, openMission } from "./mission.ts";

/**
 * `agent tasks add-history WPnn --note TEXT`: appends one entry to the WP prompt file's `## Activity Log` (created
 * when absent) in the @HEAD form `- <ts> – <agent> – [shell_pid=<pid> – ]<note>`, commits that one file and emits
 * one HistoryAdded.
 *
 * Retries: an agent that repeats the call after a timeout must not log twice. When the section's last entry already
 * has the same agent, shell pid and note, stamped within the same UTC minute, the call is a retry: if that entry is
 * committed nothing is written, committed or emitted (`appended: false`); if an earlier attempt wrote it but did
 * not commit it, it is committed now and HistoryAdded emitted once. The same note later (another minute) or after
 * another entry is a new entry.
 */
export interface AddHistoryOptions {
  readonly cwd: string;
  readonly mission?: string;
  readonly wpId: string;
  readonly note: string;
  readonly agent: string;
  readonly shellPid?: string;
  readonly emitter: WorkflowEmitter;
  /** The clock (default: now). */
  readonly now?: () => Date;
}

export interface AddHistoryResult {
  readonly result: "success";
  readonly missionSlug: string;
  readonly wpId: string;
  readonly note: string;
  /** The entry line as written (or as found, for a retry). */
  readonly entry: string;
  /** Relative to the main checkout. */
  readonly path: string;
  /** False for a retry whose entry was already there. */
  readonly appended: boolean;
  readonly commitCreated: boolean;
  readonly commitSha: string | null;
}

const minute = (timestamp: string): string => timestamp.slice(0, 16);

export const addHistory = async (o: AddHistoryOptions): Promise<AddHistoryResult> => {
  const wpId = o.wpId.trim().toUpperCase();
  const note = normalizeNote(o.note);
  if (note === null) throw new WorkflowError({ code: "NOTE_REQUIRED", kind: "usage", message: "--note must not be empty", field: "note" });
  const agentIssue = agentProblem(o.agent);
  if (agentIssue !== null) throw new WorkflowError({ code: "INVALID_AGENT", kind: "usage", message: `invalid agent '${o.agent}': ${agentIssue}`, field: "agent" });
  if (o.shellPid !== undefined && !/^\d+$/.test(o.shellPid)) {
    throw new WorkflowError({ code: "INVALID_SHELL_PID", kind: "usage", message: `invalid --shell-pid '${o.shellPid}': expected a process id (digits)`, field: "shell_pid" });
  }
  const ctx = await openMission(o.cwd, o.mission);
  const file = findWorkPackageFile(ctx, wpId);
  const root = ctx.repo.mainRoot;
  const text = readFileSync(file.path, "utf8");
  const entry: ActivityEntry = {
    timestamp: activityTimestamp((o.now ?? (() => new Date()))()),
    agent: o.agent,
    shellPid: o.shellPid ?? null,
    lane: null,
    note,
  };
  const dirty = await dirtyPaths(root, [file.relPath]);
  const last = parseActivityLog(text).at(-1);
  const retry =
    last !== undefined && last.agent === entry.agent && last.note === entry.note && last.shellPid === entry.shellPid && minute(last.timestamp) === minute(entry.timestamp);
  const message = `chore: Add history entry to ${wpId} on ${ctx.slug}`;
  if (retry) {
    const line = renderActivityEntry(last);
    if (dirty.length === 0) {
      return { result: "success", missionSlug: ctx.slug, wpId, note, entry: line, path: file.relPath, appended: false, commitCreated: false, commitSha: null };
    }
    // An earlier attempt wrote the entry and stopped before its commit: finish it, once.
    if (!(await onlyAppendedSinceHead(root, file.relPath, text, line))) throw dirtyError(file.relPath, wpId);
    const commit = await commitPaths(root, [file.relPath], message);
    if (commit.created) o.emitter.emit(historyAddedFact({ wpId, entryType: "note", content: note, author: o.agent }));
    return { result: "success", missionSlug: ctx.slug, wpId, note, entry: line, path: file.relPath, appended: false, commitCreated: commit.created, commitSha: commit.sha };
  }
  // The commit takes the whole file: edits of someone else in it would be committed under this message.
  if (dirty.length > 0) throw dirtyError(file.relPath, wpId);
  const line = renderActivityEntry(entry);
  writeFileAtomic(file.path, appendActivityEntry(text, line));
  let commit;
  try {
    commit = await commitPaths(root, [file.relPath], message);
  } catch (error) {
    // Nothing half-done: the file goes back to what it was.
    writeFileAtomic(file.path, text);
    throw error;
  }
  o.emitter.emit(historyAddedFact({ wpId, entryType: "note", content: note, author: o.agent }));
  return { result: "success", missionSlug: ctx.slug, wpId, note, entry: line, path: file.relPath, appended: true, commitCreated: commit.created, commitSha: commit.sha };
};

const dirtyError = (relPath: string, wpId: string): WorkflowError =>
  new WorkflowError({
    code: "WP_FILE_DIRTY",
    message: `${relPath} has uncommitted changes; add-history commits that file and would take them along`,
    file: relPath,
    wpId,
    hint: `commit or stash the changes to ${relPath}, then run add-history again`,
  });

/** True when the file at HEAD plus `line` in its Activity Log is exactly `text`. */
const onlyAppendedSinceHead = async (root: string, relPath: string, text: string, line: string): Promise<boolean> => {
  const head = await git(root, ["show", `HEAD:${relPath}`], { allowFail: true });
  if (head.code !== 0) return false;
  return appendActivityEntry(head.stdout, line) === text;
};
