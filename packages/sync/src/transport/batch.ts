/**
 * The batch HTTP transport: sizes a batch to the server's limits, POSTs it gzip-compressed with a Bearer token and
 * the protocol header, and returns the raw answer for the response mapper. Every request has a deadline; no
 * answer (timeout, refused, reset) comes back as status 0, never as a thrown error.
 */
import { promisify } from "node:util";
import { constants, gzip } from "node:zlib";
import { parseLimits, type BatchResponse } from "./mapper.ts";
import type { AdvertisedLimits } from "./outcome.ts";

const gzipAsync = promisify(gzip);

export const BATCH_PATH = "/api/v1/events/batch/";
export const HEALTH_PATH = "/api/v1/sync/health/";
export const PROTOCOL_HEADER = "X-Spec-Kitty-Sync-Protocol";
export const PROTOCOL_VERSION = "2.0";

/** At most this many events per batch, whatever a server advertises. */
export const MAX_EVENTS_PER_BATCH = 1000;
/** The decompressed byte budget when the server advertises none (reference §5.3). */
export const DEFAULT_BATCH_BYTES = 262_144;
/** Never plan a batch above this many decompressed bytes (edge proxies answer 413 above it). */
export const BATCH_BYTES_CEILING = 524_288;
export const BATCH_BYTES_SAFETY = 0.9;
/** `{"events":[` + `]}` */
const ENVELOPE_OVERHEAD = 14;

export const BATCH_TIMEOUT_MS = 60_000;
export const HEALTH_TIMEOUT_MS = 5_000;

export interface BatchBudget {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/** The batch limits a drain plans with: the server's advertised ones when present, within our own bounds. */
export const batchLimits = (advertised: AdvertisedLimits): BatchBudget => ({
  maxEvents: Math.max(1, Math.min(MAX_EVENTS_PER_BATCH, advertised.maxEventsPerBatch ?? MAX_EVENTS_PER_BATCH)),
  maxBytes: Math.floor(Math.min(advertised.maxDecompressedBytesPerBatch ?? DEFAULT_BATCH_BYTES, BATCH_BYTES_CEILING) * BATCH_BYTES_SAFETY),
});

/**
 * How many of `sizes` (UTF-8 byte lengths of serialized events, in order) fit one batch. Always at least one when
 * any is given: a single event above the budget goes alone, and the server's answer decides (413 parks it).
 */
export const fitBatch = (sizes: ReadonlyArray<number>, limits: BatchBudget): number => {
  let bytes = ENVELOPE_OVERHEAD;
  let count = 0;
  for (const size of sizes) {
    if (count >= limits.maxEvents) break;
    const next = bytes + size + 2;
    if (count > 0 && next > limits.maxBytes) break;
    bytes = next;
    count += 1;
  }
  return count;
};

export const batchBody = (events: ReadonlyArray<string>): string => `{"events":[${events.join(",")}]}`;

const joinUrl = (base: string, path: string): string => `${base.replace(/\/$/, "")}${path}`;

const errorText = (error: unknown): string => {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
    if (error.name === "TimeoutError" || error.name === "AbortError") return "timed out";
    return typeof code === "string" ? `${code}` : error.message;
  }
  return String(error);
};

export interface PostBatchInput {
  readonly serverUrl: string;
  readonly accessToken: string;
  /** Serialized envelopes, in order. */
  readonly events: ReadonlyArray<string>;
  /** The team the events are for (`X-Team-Slug`): the server writes into it or refuses, never another team. */
  readonly teamSlug?: string;
  readonly timeoutMs?: number;
  /** Aborts the request early (the caller's own deadline). */
  readonly signal?: AbortSignal;
}

/** POSTs one batch. Never throws: no answer comes back as `{ status: 0, transportError }`. */
export const postBatch = async (input: PostBatchInput): Promise<BatchResponse> => {
  const timeout = AbortSignal.timeout(input.timeoutMs ?? BATCH_TIMEOUT_MS);
  const signal = input.signal === undefined ? timeout : AbortSignal.any([timeout, input.signal]);
  try {
    const body = await gzipAsync(Buffer.from(batchBody(input.events), "utf8"), { level: constants.Z_BEST_SPEED });
    const response = await fetch(joinUrl(input.serverUrl, BATCH_PATH), {
      method: "POST",
      headers: {
        Authorization: `Bearer ${input.accessToken}`,
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        [PROTOCOL_HEADER]: PROTOCOL_VERSION,
        ...(input.teamSlug === undefined ? {} : { "X-Team-Slug": input.teamSlug }),
      },
      body,
      signal,
    });
    const text = await response.text();
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: text };
  } catch (error) {
    return { status: 0, retryAfter: null, body: "", transportError: errorText(error) };
  }
};

/** The server's advertised ingress limits (`sync_ingress.limits`); `{}` on any failure (fail-open). */
export const fetchAdvertisedLimits = async (
  serverUrl: string,
  accessToken: string | null,
  options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
): Promise<AdvertisedLimits> => {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? HEALTH_TIMEOUT_MS);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  try {
    const response = await fetch(joinUrl(serverUrl, HEALTH_PATH), {
      headers: accessToken === null ? {} : { Authorization: `Bearer ${accessToken}` },
      signal,
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      return {};
    }
    const body = (await response.json()) as { sync_ingress?: { limits?: unknown } } | null;
    return parseLimits(body?.sync_ingress?.limits);
  } catch {
    return {};
  }
};
