/**
 * A token bucket per team, checked before a request body is read: `burst` requests at once, refilled at
 * `perSecond`. Denials carry a randomised Retry-After within the advertised bounds, so throttled clients do not
 * come back in lockstep.
 */
export interface RateLimitConfig {
  readonly burst: number;
  readonly perSecond: number;
  readonly retryAfterMinSeconds: number;
  readonly retryAfterMaxSeconds: number;
}

export class TeamRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly config: RateLimitConfig;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(config: RateLimitConfig, options: { now?: () => number; random?: () => number } = {}) {
    this.config = config;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Takes one token for `teamId`; returns undefined when allowed, else the Retry-After in seconds. */
  take(teamId: string): number | undefined {
    const now = this.now();
    const c = this.config;
    let b = this.buckets.get(teamId);
    if (b === undefined) {
      b = { tokens: c.burst, at: now };
      this.buckets.set(teamId, b);
      if (this.buckets.size > 100_000) this.buckets.clear();
    }
    b.tokens = Math.min(c.burst, b.tokens + ((now - b.at) / 1000) * c.perSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return undefined;
    }
    const lo = Math.max(1, Math.ceil(c.retryAfterMinSeconds));
    const hi = Math.max(lo, Math.floor(c.retryAfterMaxSeconds));
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
}
