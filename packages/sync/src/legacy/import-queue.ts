import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { canonicalUuid, deriveBuildId } from "../identity/derive.ts";
import { validateEnvelope } from "../emit/validate.ts";
import type { OutboxStore } from "../outbox/store.ts";

/** A failure to read the Python CLI's queue, with a stable code. */
export class LegacyQueueError extends Error {
  readonly code: "LEGACY_QUEUE_MISSING" | "LEGACY_QUEUE_UNREADABLE";
  readonly path: string;
  constructor(code: LegacyQueueError["code"], path: string, message: string) {
    super(message);
    this.name = "LegacyQueueError";
    this.code = code;
    this.path = path;
  }
}

export interface LegacyImportReport {
  readonly path: string;
  /** Rows read from the queue table. */
  readonly rows: number;
  /** Newly captured in the outbox (deliverable, blocked or parked). */
  readonly imported: number;
  /** Already in the outbox (same event_id). */
  readonly duplicates: number;
  /** Imported without a project uuid (kept, blocked: missing_identity). */
  readonly blocked: number;
  /** Imported but breaking the 3.0.0 contract (kept, parked with their violations). */
  readonly parked: number;
  /** How many envelopes the legacy normaliser rewrote, by legacy shape. */
  readonly normalized: Readonly<Record<string, number>>;
  /** Rows that could not be read at all (their `data` is not a JSON object); left in the source untouched. */
  readonly unreadable: ReadonlyArray<{ readonly rowId: number; readonly eventId: string | null; readonly reason: string }>;
}

type Row = Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Imports the Python CLI's offline queue (`queue.db`, table `queue`: id, event_id, event_type, data, timestamp
 * in epoch seconds, retry_count) into the outbox, in the queue's order (timestamp, id). Each envelope goes
 * through `@spec-kitty/events`' legacy normaliser; an envelope of the 028/032 era that already names its
 * project gets what the 3.0.0 envelope adds (`build_id` derived as the reference derives it, `correlation_id`
 * = its event id, `schema_version`). Deduplicated by event_id, so running it twice imports nothing the second
 * time. The source database is opened read-only and never changed.
 */
export const importLegacyQueue = async (store: OutboxStore, path: string): Promise<LegacyImportReport> => {
  if (!existsSync(path)) throw new LegacyQueueError("LEGACY_QUEUE_MISSING", path, `${path}: no such queue database`);
  let db: DatabaseSync;
  let rows: Row[];
  try {
    db = new DatabaseSync(path, { readOnly: true, timeout: 5_000 });
  } catch (e) {
    throw new LegacyQueueError("LEGACY_QUEUE_UNREADABLE", path, `${path}: cannot open: ${(e as Error).message}`);
  }
  try {
    const table = db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'queue'").get();
    if (table === undefined) throw new LegacyQueueError("LEGACY_QUEUE_UNREADABLE", path, `${path}: not a spec-kitty queue database (no table 'queue')`);
    rows = db.prepare("SELECT id, event_id, event_type, data, timestamp FROM queue ORDER BY timestamp ASC, id ASC").all() as Row[];
  } catch (e) {
    if (e instanceof LegacyQueueError) throw e;
    throw new LegacyQueueError("LEGACY_QUEUE_UNREADABLE", path, `${path}: cannot read table 'queue': ${(e as Error).message}`);
  } finally {
    db.close();
  }
  const { normalizeLegacyEnvelope, NormalizedEnvelope } = await import("@spec-kitty/events");
  let imported = 0;
  let duplicates = 0;
  let blocked = 0;
  let parked = 0;
  const normalized: Record<string, number> = {};
  const unreadable: Array<{ rowId: number; eventId: string | null; reason: string }> = [];
  for (const r of rows) {
    const rowId = Number(r["id"]);
    const rowEventId = typeof r["event_id"] === "string" ? r["event_id"] : null;
    let raw: unknown;
    try {
      raw = JSON.parse(String(r["data"]));
    } catch (e) {
      unreadable.push({ rowId, eventId: rowEventId, reason: `data is not JSON: ${(e as Error).message}` });
      continue;
    }
    if (!isObject(raw)) {
      unreadable.push({ rowId, eventId: rowEventId, reason: "data is not a JSON object" });
      continue;
    }
    const n = normalizeLegacyEnvelope(raw);
    let envelope: Record<string, unknown>;
    if (n instanceof NormalizedEnvelope) {
      envelope = { ...n.canonical };
      normalized[n.legacy_shape] = (normalized[n.legacy_shape] ?? 0) + 1;
    } else {
      envelope = { ...raw };
    }
    const eventId = typeof envelope["event_id"] === "string" && envelope["event_id"] !== "" ? envelope["event_id"] : rowEventId;
    if (eventId === null) {
      unreadable.push({ rowId, eventId: null, reason: "no event_id" });
      continue;
    }
    envelope["event_id"] = eventId;
    const projectUuid = typeof envelope["project_uuid"] === "string" ? canonicalUuid(envelope["project_uuid"]) : null;
    const nodeId = typeof envelope["node_id"] === "string" ? envelope["node_id"] : "";
    if (projectUuid !== null) {
      envelope["project_uuid"] = projectUuid;
      if (!("build_id" in envelope) && nodeId !== "") envelope["build_id"] = deriveBuildId(projectUuid, nodeId);
    }
    if (!("correlation_id" in envelope)) envelope["correlation_id"] = eventId;
    if (!("schema_version" in envelope)) envelope["schema_version"] = "3.0.0";
    const lamportRaw = envelope["lamport_clock"];
    const lamport = typeof lamportRaw === "number" && Number.isSafeInteger(lamportRaw) && lamportRaw >= 0 ? lamportRaw : 0;
    const verdict = await validateEnvelope(projectUuid === null ? { ...envelope, project_uuid: "00000000-0000-4000-8000-000000000000" } : envelope);
    const eventType = typeof envelope["event_type"] === "string" ? envelope["event_type"] : String(r["event_type"] ?? "unknown");
    const ts = Number(r["timestamp"]);
    const ok = store.importEvent({
      eventId,
      eventType,
      projectUuid,
      repoRoot: null,
      envelope,
      lamport,
      capturedAt: Number.isFinite(ts) ? Math.round(ts * 1000) : Date.now(),
      blockedReason: projectUuid === null ? "missing_identity" : null,
      parkedReason: verdict.valid ? null : "invalid_envelope",
      violations: verdict.valid ? null : verdict.violations,
    });
    if (!ok) {
      duplicates++;
      continue;
    }
    imported++;
    if (projectUuid === null) blocked++;
    if (!verdict.valid) parked++;
  }
  return { path, rows: rows.length, imported, duplicates, blocked, parked, normalized, unreadable };
};
