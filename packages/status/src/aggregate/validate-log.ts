import * as Either from "effect/Either";
import { edgeGuard, isLane } from "../fsm/index.ts";
import { actorDisplay, decodeUtf8, type LaneTransitionRow, type LocatedRow, parseEventLog, readBytesNoFollow, serializeRow, splitLogLines } from "../log/index.ts";

/**
 * A read-only check of a status log: every corrupt line (not only the first), and every transition
 * whose edge the FSM does not allow (an unforced move off the table, a forced one without actor and
 * reason, an unknown lane). A `from_lane` that disagrees with the lane the work package had is a
 * warning: logs merged from parallel worktrees legitimately contain such rows. Nothing is modified.
 */

export interface ValidationFinding {
  readonly severity: "error" | "warning";
  readonly code:
    | "LOG_UNREADABLE"
    | "CORRUPT_LINE"
    | "DUPLICATE_EVENT_ID"
    | "UNKNOWN_LANE"
    | "ILLEGAL_TRANSITION"
    | "FORCE_WITHOUT_ACTOR_AND_REASON"
    | "FROM_LANE_MISMATCH";
  /** 1-based line in the log, when the finding is about one line. */
  readonly line: number | null;
  readonly wpId: string | null;
  readonly eventId: string | null;
  readonly message: string;
}

export interface ValidationReport {
  readonly missionSlug: string;
  readonly logPath: string;
  /** True when there is no error (warnings allowed). */
  readonly valid: boolean;
  readonly transitions: number;
  readonly annotations: number;
  readonly findings: readonly ValidationFinding[];
}

export const validateMissionLog = (logPath: string, missionSlug: string): ValidationReport => {
  const findings: ValidationFinding[] = [];
  const report = (rows: readonly LocatedRow[], annotations: number): ValidationReport => {
    const transitions = rows.filter((r) => !("kind" in r.row));
    findings.push(...checkEdges(transitions as readonly { line: number; row: LaneTransitionRow }[]));
    findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return {
      missionSlug,
      logPath,
      valid: !findings.some((f) => f.severity === "error"),
      transitions: transitions.length,
      annotations,
      findings,
    };
  };
  const bytes = readBytesNoFollow(logPath);
  const text = Either.flatMap(bytes, (b) => (b === null ? Either.right(null) : decodeUtf8(b, logPath)));
  if (Either.isLeft(text) || text.right === null) {
    const message = Either.isLeft(text) ? text.left.message : `no status log at ${logPath}`;
    findings.push({ severity: "error", code: "LOG_UNREADABLE", line: null, wpId: null, eventId: null, message });
    return report([], 0);
  }
  const { rows, annotations, corrupt } = parseEveryLine(text.right, logPath);
  for (const { line, message } of corrupt) {
    findings.push({ severity: "error", code: "CORRUPT_LINE", line, wpId: null, eventId: null, message });
  }
  return report(rows, annotations);
};

/** Parses the log, and after each bad line carries on with the rest, so every corrupt line is reported. */
const parseEveryLine = (text: string, path: string) => {
  // The reference's lines (see splitLogLines); rejoined with "\n" they split the same way again.
  const lines = splitLogLines(text);
  const rows: LocatedRow[] = [];
  const corrupt: { line: number; message: string }[] = [];
  let annotations = 0;
  let start = 0;
  while (start < lines.length) {
    // Blank padding keeps the parser's line numbers those of the file.
    const chunk = "\n".repeat(start) + lines.slice(start).join("\n");
    const parsed = parseEventLog(chunk, path);
    if (Either.isRight(parsed)) {
      rows.push(...parsed.right.rows);
      annotations += parsed.right.annotations.length;
      break;
    }
    const bad = parsed.left.line ?? lines.length;
    corrupt.push({ line: bad, message: parsed.left.message });
    if (bad > start + 1) {
      const good = parseEventLog("\n".repeat(start) + lines.slice(start, bad - 1).join("\n"), path);
      if (Either.isRight(good)) {
        rows.push(...good.right.rows);
        annotations += good.right.annotations.length;
      }
    }
    start = bad;
  }
  return { rows, annotations, corrupt };
};

const checkEdges = (rows: readonly { line: number; row: LaneTransitionRow }[]): ValidationFinding[] => {
  const findings: ValidationFinding[] = [];
  const byId = new Map<string, { line: number; row: LaneTransitionRow }>();
  for (const entry of rows) {
    const first = byId.get(entry.row.event_id);
    if (first === undefined) {
      byId.set(entry.row.event_id, entry);
    } else if (serializeRow(first.row) !== serializeRow(entry.row)) {
      findings.push(finding("error", "DUPLICATE_EVENT_ID", entry, `event ${entry.row.event_id} on line ${entry.line} repeats the id of line ${first.line} with different content`));
    }
  }
  const ordered = [...byId.values()].sort((a, b) =>
    a.row.at < b.row.at ? -1 : a.row.at > b.row.at ? 1 : a.row.event_id < b.row.event_id ? -1 : a.row.event_id > b.row.event_id ? 1 : 0,
  );
  const lanes = new Map<string, string>();
  for (const entry of ordered) {
    const { from_lane: from, to_lane: to, wp_id: wpId } = entry.row;
    const where = `line ${entry.line} (${wpId} ${from} -> ${to})`;
    if (!isLane(from) || !isLane(to) || to === "genesis") {
      findings.push(finding("error", isLane(from) && isLane(to) ? "ILLEGAL_TRANSITION" : "UNKNOWN_LANE", entry, `${where}: ${!isLane(from) ? `unknown lane ${from}` : !isLane(to) ? `unknown lane ${to}` : "genesis is never a target"}`));
    } else if (entry.row.force) {
      if (actorDisplay(entry.row.actor).trim() === "" || (entry.row.reason ?? "").trim() === "") {
        findings.push(finding("error", "FORCE_WITHOUT_ACTOR_AND_REASON", entry, `${where}: Force transitions require actor and reason`));
      }
    } else if (edgeGuard(from, to) === undefined) {
      findings.push(finding("error", "ILLEGAL_TRANSITION", entry, `${where}: Illegal transition: ${from} -> ${to}`));
    }
    const previous = lanes.get(wpId);
    if (previous !== undefined && previous !== from) {
      findings.push(finding("warning", "FROM_LANE_MISMATCH", entry, `${where}: from_lane is ${from} but the work package was in ${previous}`));
    }
    lanes.set(wpId, to);
  }
  return findings;
};

const finding = (
  severity: ValidationFinding["severity"],
  code: ValidationFinding["code"],
  entry: { line: number; row: LaneTransitionRow },
  message: string,
): ValidationFinding => ({ severity, code, line: entry.line, wpId: entry.row.wp_id, eventId: entry.row.event_id, message });
