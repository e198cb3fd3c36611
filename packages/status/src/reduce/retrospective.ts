import type { JsonObject, JsonValue } from "../log/json.ts";
import type { RetrospectiveSummary } from "./snapshot.ts";

const TERMINAL: Readonly<Record<string, RetrospectiveSummary["status"]>> = {
  "retrospective.completed": "completed",
  "retrospective.skipped": "skipped",
  "retrospective.failed": "failed",
};

const text = (value: JsonValue | undefined): string => (typeof value === "string" ? value : "");

/**
 * The retrospective block from the log's `retrospective.*` rows, or `null` when there are none (the
 * block is then left out of `status.json`). Status comes from the latest terminal row in `(at, event_id)`
 * order, else "pending"; mode from the latest request; proposals are counted by outcome.
 */
export const reduceRetrospective = (rows: readonly JsonObject[]): RetrospectiveSummary | null => {
  if (rows.length === 0) return null;
  const ordered = [...rows].sort((a, b) => {
    const ka = text(a["at"]);
    const kb = text(b["at"]);
    if (ka !== kb) return ka < kb ? -1 : 1;
    const ia = text(a["event_id"]);
    const ib = text(b["event_id"]);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  const name = (row: JsonObject) => text(row["event_name"]);
  const payload = (row: JsonObject): JsonObject => {
    const p = row["payload"];
    return typeof p === "object" && p !== null && !Array.isArray(p) ? (p as JsonObject) : {};
  };
  const terminal = ordered.filter((row) => Object.hasOwn(TERMINAL, name(row)));
  const requested = ordered.filter((row) => name(row) === "retrospective.requested");
  const lastTerminal = terminal[terminal.length - 1];
  const lastRequested = requested[requested.length - 1];
  const recordPath = lastTerminal === undefined ? undefined : payload(lastTerminal)["record_path"];
  const count = (event: string) => rows.filter((row) => name(row) === event).length;
  const total = count("retrospective.proposal.generated");
  const applied = count("retrospective.proposal.applied");
  const rejected = count("retrospective.proposal.rejected");
  return {
    status: lastTerminal === undefined ? "pending" : (TERMINAL[name(lastTerminal)] as RetrospectiveSummary["status"]),
    mode: lastRequested === undefined ? null : (payload(lastRequested)["mode"] ?? null),
    record_path: recordPath === undefined || recordPath === null ? null : typeof recordPath === "string" ? recordPath : String(recordPath),
    proposals_total: total,
    proposals_applied: applied,
    proposals_rejected: rejected,
    proposals_pending: Math.max(0, total - applied - rejected),
  };
};
