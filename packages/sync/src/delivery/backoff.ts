/**
 * Waiting between delivery attempts: exponential backoff (0.5 s doubling to 30 s, reset on success), the
 * WebSocket reconnect schedule (same curve, jittered, 10 attempts), and the background rate (FR-033: at most one
 * batch every 5 s unless the server advertised its own limits).
 */

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;
export const RECONNECT_ATTEMPTS = 10;
/** FR-033: background delivery sends at most one batch per this interval when the server advertises nothing. */
export const BACKGROUND_BATCH_INTERVAL_MS = 5_000;

/** Consecutive-failure backoff. The first failure waits 0.5 s, each further one twice as long, up to 30 s. */
export class Backoff {
  private failures = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  constructor(baseMs: number = BACKOFF_BASE_MS, capMs: number = BACKOFF_CAP_MS) {
    this.baseMs = baseMs;
    this.capMs = capMs;
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  fail(): number {
    this.failures += 1;
    return this.current();
  }

  /** The wait after the failures recorded so far (0 when there were none). */
  current(): number {
    if (this.failures === 0) return 0;
    return Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.failures - 1, 30));
  }

  succeed(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}

/** The wait before reconnect attempt `attempt` (0-based): the backoff curve with ±50 % jitter. */
export const reconnectDelayMs = (attempt: number, random: () => number = Math.random): number => {
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.5 + random()));
};

/**
 * The pause between two background batches: FR-033's 5 s by default; when the server advertised limits, its
 * `retry_after_min_seconds` (or no pause: a server that advertises limits throttles with 429 + Retry-After).
 */
export const backgroundIntervalMs = (advertised: { readonly retryAfterMinSeconds?: number } | null): number => {
  if (advertised === null) return BACKGROUND_BATCH_INTERVAL_MS;
  return (advertised.retryAfterMinSeconds ?? 0) * 1000;
};

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
