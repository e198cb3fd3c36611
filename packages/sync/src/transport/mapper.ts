/**
 * The one response mapper: every answer to `POST /api/v1/events/batch/` (any status, any body, or no answer at all)
 * becomes a typed BatchVerdict. Nothing else in the package reads statuses or bodies of batch answers.
 *
 * Rules (reference-server.md §5.2–5.3, reference-sync.md §5.3, §15.10):
 * - 200 with a `results` list: per event. success/accepted/warning → synced; duplicate → duplicate;
 *   queued/pending → pending; rejected with a terminal category → parked; anything else → rejected;
 *   an event missing from the list → pending. A 200 without a `results` list, or not JSON → transient.
 * - 400 with `details` (a list, or a JSON string holding one): the named events are rejected, the others pending
 *   (400 means nothing was stored). Without details: bisect, or reject when the batch is a single event.
 * - 401 → unauthorized (the caller refreshes once). 412 → halt with the server's guidance.
 * - 413 (or an error text saying "too large"/"oversized") → shrink, or park when the batch is a single event.
 * - 403, 408, 429, 5xx, other statuses, timeouts, resets → transient for the whole batch, never a retry bump.
 */
import type { AdvertisedLimits, BatchVerdict, EventOutcome } from "./outcome.ts";

/** What came back from one POST; `status` is 0 when no HTTP answer arrived (`transportError` says why). */
export interface BatchResponse {
  readonly status: number;
  /** The Retry-After header, verbatim, when present. */
  readonly retryAfter: string | null;
  readonly body: string;
  readonly transportError?: string;
}

/** Per-event categories that mean "this project may never send here": the event is parked, not retried. */
const TERMINAL_CATEGORIES = new Set(["project_not_admitted", "project_not_consented", "project_refused"]);

const SUCCESS = new Set(["success", "accepted", "warning"]);
const PENDING = new Set(["queued", "pending"]);

/** The longest wait a server can ask for, whatever it advertises (keeps a bad header from stalling a drain). */
export const RETRY_AFTER_CEILING_MS = 3_600_000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const firstText = (record: Record<string, unknown>, keys: ReadonlyArray<string>): string | undefined => {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === "string" && value.trim().length > 0) return value.trim();
  }
  return undefined;
};

const positiveInt = (value: unknown): number | undefined => {
  const number = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof number === "number" && Number.isSafeInteger(number) && number > 0 ? number : undefined;
};

/** Reads a `limits` object (health endpoint's `sync_ingress.limits`, or a 413 body's `limits`). */
export const parseLimits = (value: unknown): AdvertisedLimits => {
  if (!isRecord(value)) return {};
  const limits: {
    maxEventsPerBatch?: number;
    maxDecompressedBytesPerBatch?: number;
    retryAfterMinSeconds?: number;
    retryAfterMaxSeconds?: number;
  } = {};
  const events = positiveInt(value["max_events_per_batch"]);
  const bytes = positiveInt(value["max_decompressed_bytes_per_batch"]);
  const min = positiveInt(value["retry_after_min_seconds"]);
  const max = positiveInt(value["retry_after_max_seconds"]);
  if (events !== undefined) limits.maxEventsPerBatch = events;
  if (bytes !== undefined) limits.maxDecompressedBytesPerBatch = bytes;
  if (min !== undefined) limits.retryAfterMinSeconds = min;
  if (max !== undefined) limits.retryAfterMaxSeconds = max;
  return limits;
};

/**
 * A Retry-After value (delta seconds or an HTTP date) in milliseconds, clamped to the advertised bounds and to
 * RETRY_AFTER_CEILING_MS; null when absent or unreadable (and no advertised minimum applies).
 */
export const retryAfterMs = (header: string | null, limits: AdvertisedLimits, now: number = Date.now()): number | null => {
  let ms: number | null = null;
  if (header !== null) {
    const trimmed = header.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Math.round(Number(trimmed) * 1000);
    else if (trimmed.length > 0) {
      const at = Date.parse(trimmed);
      if (Number.isFinite(at)) ms = Math.max(0, at - now);
    }
  }
  const min = limits.retryAfterMinSeconds !== undefined ? limits.retryAfterMinSeconds * 1000 : undefined;
  const max = limits.retryAfterMaxSeconds !== undefined ? limits.retryAfterMaxSeconds * 1000 : undefined;
  if (ms === null) return null;
  if (min !== undefined && ms < min) ms = min;
  if (max !== undefined && max >= (min ?? 0) && ms > max) ms = max;
  return Math.min(ms, RETRY_AFTER_CEILING_MS);
};

const lower = (text: string | undefined): string => (text ?? "").toLowerCase();

/** Keyword categories for server text (reference-server.md §5.5), used only when no machine category was sent. */
const KEYWORD_CATEGORIES: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["oversized_batch", ["batch payload exceeds decompressed byte limit", "sync_batch_too_large", "request_too_large", "payload too large"]],
  ["oversized_event", ["single event exceeds decompressed byte limit", "event exceeds decompressed byte limit", "oversized event"]],
  ["throttled", ["rate limit", "rate_limited", "too many requests", "throttle"]],
  ["schema_mismatch", ["invalid", "schema", "field", "missing", "type"]],
  ["auth_expired", ["token", "expired", "unauthorized", "401"]],
  ["unauthenticated", ["not authenticated", "no valid access token"]],
  ["direct_ingress_missing_private_team", ["private teamspace", "private team", "direct ingress"]],
  ["retryable_transport", ["timeout", "connection", "network", "unreachable", "unavailable"]],
  ["server_error", ["internal", "500", "502", "503", "504", "server error"]],
];

export const categorize = (text: string): string => {
  const haystack = text.toLowerCase();
  for (const [category, words] of KEYWORD_CATEGORIES) if (words.some((word) => haystack.includes(word))) return category;
  return "unknown";
};

const machineCategory = (record: Record<string, unknown>): string | undefined => {
  const value = firstText(record, ["error_category", "category", "code", "error_code"]);
  return value === undefined ? undefined : value.toLowerCase();
};

const statusCategory = (status: number): string => {
  if (status === 0) return "retryable_transport";
  if (status === 403) return "unauthorized";
  if (status === 408) return "retryable_transport";
  if (status === 429) return "throttled";
  if (status >= 500) return "server_error";
  return "unexpected_status";
};

const describe = (response: BatchResponse, record: Record<string, unknown> | undefined): string => {
  if (response.status === 0) return `no answer from the server (${response.transportError ?? "connection failed"})`;
  const text = record === undefined ? undefined : firstText(record, ["error_message", "error", "message", "detail", "error_description"]);
  return text === undefined ? `HTTP ${response.status}` : `HTTP ${response.status}: ${text}`;
};

const isOversizedText = (record: Record<string, unknown> | undefined): boolean => {
  if (record === undefined) return false;
  const text = lower(firstText(record, ["error", "message", "detail", "error_message"]));
  return text.includes("too large") || text.includes("oversized");
};

/** `details` as a list of records, when the 400 carries one (a list, or a JSON string encoding a list). */
const detailList = (record: Record<string, unknown> | undefined): ReadonlyArray<unknown> | undefined => {
  if (record === undefined) return undefined;
  const raw = record["details"];
  if (Array.isArray(raw)) return raw.length > 0 ? raw : undefined;
  if (typeof raw === "string") {
    const parsed = parseJson(raw);
    if (Array.isArray(parsed) && parsed.length > 0) return parsed;
  }
  return undefined;
};

const mapResults = (results: ReadonlyArray<unknown>, eventIds: ReadonlyArray<string>): Array<EventOutcome> => {
  const byId = new Map<string, Record<string, unknown>>();
  for (const entry of results) {
    if (!isRecord(entry)) continue;
    const id = entry["event_id"];
    // The first answer for an id wins; the server echoes ids verbatim.
    if (typeof id === "string" && !byId.has(id)) byId.set(id, entry);
  }
  return eventIds.map((eventId): EventOutcome => {
    const entry = byId.get(eventId);
    if (entry === undefined) return { eventId, kind: "pending", reason: "missing from the server's results" };
    const status = lower(typeof entry["status"] === "string" ? entry["status"] : "").trim();
    if (SUCCESS.has(status)) return { eventId, kind: "synced" };
    if (status === "duplicate") return { eventId, kind: "duplicate" };
    if (PENDING.has(status)) return { eventId, kind: "pending", reason: `server status '${status}'` };
    const reason = firstText(entry, ["error_message", "error", "detail", "reason"]) ?? `server status '${status || "(none)"}'`;
    const category = machineCategory(entry) ?? categorize(reason);
    if (TERMINAL_CATEGORIES.has(category)) return { eventId, kind: "parked", reason, category };
    return { eventId, kind: "rejected", reason, category };
  });
};

const mapDetails = (details: ReadonlyArray<unknown>, eventIds: ReadonlyArray<string>): Array<EventOutcome> => {
  const named = new Map<string, Record<string, unknown>>();
  const known = new Set(eventIds);
  details.forEach((detail, position) => {
    if (!isRecord(detail)) return;
    const id = detail["event_id"];
    const index = positiveInt(detail["index"]) ?? (detail["index"] === 0 ? 0 : undefined);
    const target =
      typeof id === "string" && known.has(id)
        ? id
        : index !== undefined
          ? eventIds[index]
          : typeof id === "string"
            ? undefined
            : eventIds[position];
    if (target !== undefined && !named.has(target)) named.set(target, detail);
  });
  return eventIds.map((eventId): EventOutcome => {
    const detail = named.get(eventId);
    // 400 stores nothing: an event the server did not name is innocent and goes again.
    if (detail === undefined) return { eventId, kind: "pending", reason: "batch refused because of other events" };
    const reason = firstText(detail, ["detail", "error", "reason", "error_message", "message"]) ?? "rejected by the server";
    const category = machineCategory(detail) ?? categorize(reason);
    if (TERMINAL_CATEGORIES.has(category)) return { eventId, kind: "parked", reason, category };
    return { eventId, kind: "rejected", reason, category };
  });
};

/** Maps one answer for the events `eventIds` (in the order sent) to a verdict. Never throws. */
export const mapBatchResponse = (
  response: BatchResponse,
  eventIds: ReadonlyArray<string>,
  limits: AdvertisedLimits = {},
): BatchVerdict => {
  const parsed = response.body.length > 0 ? parseJson(response.body) : undefined;
  const record = isRecord(parsed) ? parsed : undefined;
  const status = response.status;
  const transient = (category: string, reason: string): BatchVerdict => ({
    kind: "transient",
    status,
    category,
    reason,
    retryAfterMs: retryAfterMs(response.retryAfter, limits),
  });

  if (status === 200) {
    const results = record?.["results"];
    if (!Array.isArray(results)) return transient("unexpected_response", "HTTP 200 without a results list");
    return { kind: "adjudicated", outcomes: mapResults(results, eventIds) };
  }
  if (status === 401) return { kind: "unauthorized", reason: describe(response, record) };
  if (status === 412) {
    const protocol = record?.["sync_protocol"];
    const guidance =
      (isRecord(protocol) ? firstText(protocol, ["upgrade_guidance"]) : undefined) ??
      (record === undefined ? undefined : firstText(record, ["error_description", "error", "message"])) ??
      "The server does not accept this client's sync protocol; check the server's upgrade notes.";
    const code = lower(record === undefined ? undefined : firstText(record, ["error_code"])) || "protocol_mismatch";
    return { kind: "halt", code, guidance };
  }
  if (status === 413 || (status >= 400 && status < 500 && status !== 429 && isOversizedText(record))) {
    const reason = describe(response, record);
    if (eventIds.length <= 1) {
      return {
        kind: "adjudicated",
        outcomes: eventIds.map((eventId) => ({ eventId, kind: "parked", reason, category: "oversized_event" })),
      };
    }
    return { kind: "shrink", reason, limits: parseLimits(record?.["limits"]) };
  }
  if (status === 400) {
    const details = detailList(record);
    if (details !== undefined) return { kind: "adjudicated", outcomes: mapDetails(details, eventIds) };
    const reason = describe(response, record);
    if (eventIds.length <= 1) {
      const category = (record === undefined ? undefined : machineCategory(record)) ?? categorize(reason);
      return {
        kind: "adjudicated",
        outcomes: eventIds.map((eventId) =>
          TERMINAL_CATEGORIES.has(category)
            ? { eventId, kind: "parked", reason, category }
            : { eventId, kind: "rejected", reason, category },
        ),
      };
    }
    return { kind: "bisect", reason };
  }
  const category =
    status === 403 && record !== undefined && lower(JSON.stringify(record)).includes("private team")
      ? "direct_ingress_missing_private_team"
      : statusCategory(status);
  return transient(category, describe(response, record));
};
