import { gunzip } from "node:zlib";
import type { Principal } from "../auth/service.ts";
import type { Ingestor } from "../ingest/ingest.ts";
import type { Team } from "../store/port.ts";
import type { TeamRateLimiter } from "./ratelimit.ts";
import { json, type HttpRequest, type HttpResponse } from "./types.ts";

export interface IngressLimits {
  readonly maxEventsPerBatch: number;
  /** Enforced for clients that send X-Spec-Kitty-Sync-Protocol or X-Team-Slug (and advertised). */
  readonly maxDecompressedBytes: number;
  /** For clients with neither header (the 028-era client has no byte budget and cannot recover from 413). */
  readonly legacyMaxDecompressedBytes: number;
  readonly maxCompressedBytes: number;
  readonly retryAfterMinSeconds: number;
  readonly retryAfterMaxSeconds: number;
}

export const DEFAULT_LIMITS: IngressLimits = {
  maxEventsPerBatch: 1000,
  maxDecompressedBytes: 1_048_576,
  legacyMaxDecompressedBytes: 8 * 1_048_576,
  maxCompressedBytes: 16 * 1_048_576,
  retryAfterMinSeconds: 2,
  retryAfterMaxSeconds: 30,
};

/** The `sync_ingress` object of the health endpoint and of 413 bodies. */
export const advertisedLimits = (l: IngressLimits) => ({
  max_events_per_batch: l.maxEventsPerBatch,
  max_decompressed_bytes_per_batch: l.maxDecompressedBytes,
  retry_after_min_seconds: l.retryAfterMinSeconds,
  retry_after_max_seconds: l.retryAfterMaxSeconds,
});

/** Protocol majors this server speaks on `X-Spec-Kitty-Sync-Protocol`. */
export const SUPPORTED_PROTOCOL_MAJOR = 2;

/** 412 for an advertised, unsupported sync protocol; undefined when the header is absent or supported. */
export const protocolGate = (headers: HttpRequest["headers"]): HttpResponse | undefined => {
  const raw = headers["x-spec-kitty-sync-protocol"] ?? headers["x-speckitty-protocol-version"];
  if (raw === undefined) return undefined;
  const m = /^\s*v?(\d+)(?:\.\d+)*\s*$/i.exec(raw);
  let code: "client-too-old" | "client-too-new" | "client-protocol-unparseable";
  let guidance: string;
  if (m === null) {
    code = "client-protocol-unparseable";
    guidance = `The sync protocol version '${raw.slice(0, 40)}' sent by this client cannot be read; this server speaks protocol ${SUPPORTED_PROTOCOL_MAJOR}.x. Upgrade spec-kitty.`;
  } else {
    const major = Number(m[1]);
    if (major === SUPPORTED_PROTOCOL_MAJOR) return undefined;
    if (major < SUPPORTED_PROTOCOL_MAJOR) {
      code = "client-too-old";
      guidance = `This client speaks sync protocol ${major}; this server needs ${SUPPORTED_PROTOCOL_MAJOR}.x. Upgrade spec-kitty to a current release.`;
    } else {
      code = "client-too-new";
      guidance = `This client speaks sync protocol ${major}; this server speaks ${SUPPORTED_PROTOCOL_MAJOR}.x. Pin spec-kitty to a release that speaks protocol ${SUPPORTED_PROTOCOL_MAJOR}, or upgrade the server.`;
    }
  }
  return json(412, {
    ok: false,
    error: guidance,
    error_code: code,
    error_description: guidance,
    sync_protocol: { contract_version: "sync-protocol-handshake.v1", supported: [`${SUPPORTED_PROTOCOL_MAJOR}.0`], upgrade_guidance: guidance },
  });
};

/** The team a request writes into: `X-Team-Slug` (id or slug of one of the caller's teams) or the default. */
export const ingressTeam = (principal: Principal, header: string | undefined): Team | undefined => {
  if (header === undefined || header.trim() === "") return principal.ingressTeam;
  const h = header.trim();
  return principal.memberships.find((m) => m.team.id === h || m.team.slug === h)?.team;
};

const teamForbidden = (): HttpResponse =>
  json(403, {
    error: "Forbidden: X-Team-Slug does not name a team of these credentials",
    message: "Forbidden: X-Team-Slug does not name a team of these credentials",
    category: "not_a_team_member",
    error_code: "not_a_team_member",
  });

const tooLarge = (limits: IngressLimits, what: "compressed" | "decompressed", max: number): HttpResponse =>
  json(413, {
    error: "Batch payload exceeds decompressed byte limit",
    detail: `the ${what} request body exceeds ${max} bytes`,
    error_code: "sync_batch_too_large",
    category: "request_too_large",
    limits: advertisedLimits(limits),
  });

const badRequest = (error: string, details: ReadonlyArray<Record<string, unknown>>, code = "invalid_request"): HttpResponse =>
  json(400, { error, category: code, code, details });

export type ParsedBatch = { readonly ok: true; readonly events: ReadonlyArray<unknown> } | { readonly ok: false; readonly response: HttpResponse };

/**
 * Reads, decompresses and parses a batch body after the request-level checks. Order (reference-server.md
 * §5.6): size cap from Content-Length, encoding (415), streaming read with a cap, gzip with a capped output,
 * JSON with an `events` list.
 */
export const readBatchBody = async (req: HttpRequest, limits: IngressLimits, allowEmpty: boolean): Promise<ParsedBatch> => {
  const budgeted = req.headers["x-spec-kitty-sync-protocol"] !== undefined || req.headers["x-team-slug"] !== undefined;
  const maxDecompressed = budgeted ? limits.maxDecompressedBytes : limits.legacyMaxDecompressedBytes;
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > limits.maxCompressedBytes) {
    return { ok: false, response: { ...tooLarge(limits, "compressed", limits.maxCompressedBytes), close: true } };
  }
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "gzip" && encoding !== "identity" && encoding !== "") {
    return {
      ok: false,
      response: {
        ...json(415, { error: `Unsupported Content-Encoding '${encoding.slice(0, 40)}': send gzip or no encoding`, category: "unsupported_media_type", code: "unsupported_media_type" }),
        close: true,
      },
    };
  }
  const body = await req.readBody(encoding === "gzip" ? limits.maxCompressedBytes : maxDecompressed);
  if (body === "too_large") return { ok: false, response: { ...tooLarge(limits, encoding === "gzip" ? "compressed" : "decompressed", encoding === "gzip" ? limits.maxCompressedBytes : maxDecompressed), close: true } };
  let text: Buffer = body;
  if (encoding === "gzip") {
    const r = await new Promise<Buffer | "too_large" | "corrupt">((resolve) => {
      gunzip(body, { maxOutputLength: maxDecompressed }, (err, out) => {
        if (err === null) resolve(out);
        else resolve((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" ? "too_large" : "corrupt");
      });
    });
    if (r === "too_large") return { ok: false, response: tooLarge(limits, "decompressed", maxDecompressed) };
    if (r === "corrupt") {
      return { ok: false, response: badRequest("Malformed request: the body is not valid gzip data", [{ index: null, path: "", detail: "the body is not valid gzip data", error: "the body is not valid gzip data", code: "malformed_body", category: "malformed_body" }], "malformed_body") };
    }
    text = r;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.toString("utf8"));
  } catch (e) {
    const where = e instanceof SyntaxError ? e.message.slice(0, 120) : "unreadable";
    return { ok: false, response: badRequest("Malformed request: the body is not valid JSON", [{ index: null, path: "", detail: `the body is not valid JSON (${where})`, error: `the body is not valid JSON (${where})`, code: "malformed_json", category: "malformed_json" }], "malformed_json") };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || !Array.isArray((parsed as Record<string, unknown>)["events"])) {
    return { ok: false, response: badRequest("Malformed request: expected a JSON object with an 'events' list", [{ index: null, path: "events", detail: "expected a JSON object with an 'events' list", error: "expected a JSON object with an 'events' list", code: "malformed_body", category: "malformed_body" }], "malformed_body") };
  }
  const events = (parsed as { events: ReadonlyArray<unknown> }).events;
  if (events.length === 0 && !allowEmpty) return { ok: false, response: json(400, { error: "No events provided", category: "no_events", code: "no_events", details: [] }) };
  if (events.length > limits.maxEventsPerBatch) {
    return {
      ok: false,
      response: json(413, {
        error: "Batch payload exceeds the per-batch event limit",
        detail: `${events.length} events sent; at most ${limits.maxEventsPerBatch} per batch`,
        error_code: "sync_batch_too_large",
        category: "request_too_large",
        limits: advertisedLimits(limits),
      }),
    };
  }
  return { ok: true, events };
};

/**
 * At most this many batch bodies are decompressed, parsed and stored at once (the store is synchronous on one
 * thread, so more would only hold more memory); the rest wait their turn.
 */
const BODY_SLOTS = 2;
let busy = 0;
const waiting: Array<() => void> = [];
const withSlot = async <A>(f: () => Promise<A>): Promise<A> => {
  if (busy >= BODY_SLOTS) await new Promise<void>((r) => waiting.push(r));
  else busy++;
  try {
    return await f();
  } finally {
    const next = waiting.shift();
    if (next !== undefined) next();
    else busy--;
  }
};

/** `POST /api/v1/events/batch/` after authentication. */
export const handleBatch = async (
  req: HttpRequest,
  principal: Principal,
  deps: { readonly ingestor: Ingestor; readonly limits: IngressLimits; readonly limiter: TeamRateLimiter },
): Promise<HttpResponse> => {
  const team = ingressTeam(principal, req.headers["x-team-slug"]);
  if (team === undefined) return { ...teamForbidden(), close: true };
  const wait = deps.limiter.take(team.id);
  if (wait !== undefined) {
    return { ...json(429, { error: "Rate limit exceeded: too many requests", category: "rate_limited", code: "rate_limited", retry_after: wait }, { "retry-after": String(wait) }), close: true };
  }
  const gate = protocolGate(req.headers);
  if (gate !== undefined) return { ...gate, close: true };
  return withSlot(() => ingestBody(req, principal, team, deps));
};

const ingestBody = async (
  req: HttpRequest,
  principal: Principal,
  team: Team,
  deps: { readonly ingestor: Ingestor; readonly limits: IngressLimits },
): Promise<HttpResponse> => {
  const parsed = await readBatchBody(req, deps.limits, false);
  if (!parsed.ok) return parsed.response;
  const outcome = await deps.ingestor.ingest({ team, generation: principal.generation, source: "http" }, parsed.events);
  if (outcome.kind === "unusable") {
    return badRequest(
      "Batch validation failed",
      outcome.problems.map((p) => ({ index: p.index, event_id: p.eventId, path: p.path, detail: p.message, error: p.message, category: "invalid_event", code: "invalid_event" })),
      "invalid_event",
    );
  }
  if (outcome.kind === "all_refused") {
    return json(400, {
      error: "Batch validation failed",
      category: "project_not_admitted",
      code: "project_not_admitted",
      details: outcome.results.map((r, index) => ({ event_id: r.event_id, index, error: r.error, detail: r.error, error_category: r.error_category, category: r.error_category, code: r.code })),
    });
  }
  return json(200, { results: outcome.results });
};
