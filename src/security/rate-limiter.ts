import type { Config } from '../config.js';

/**
 * A rate limit as the server uses it: a RateLimiter in one process; in `serve --workers`, the primary's,
 * which every worker asks (workers.ts), so that N workers do not give a client N allowances.
 */
export interface Allowance {
  /** True when `key` has a token to take; takes nothing. */
  available(key: string): boolean | Promise<boolean>;
  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean | Promise<boolean>;
}

/** The server's two limits: credential checks per client address, and code messages per recipient. */
export interface RateLimits {
  credentials: Allowance;
  codeMessages: Allowance;
}

/**
 * The two limits of `config`, kept in this process. Code messages are counted by the service's clock, which
 * tests move by hours; credential checks by the wall clock.
 */
export function rateLimitsOf(config: Pick<Config, 'credentialRateLimit' | 'codeMessageLimit'>, codeMessageClock: () => number = Date.now): RateLimits {
  return {
    credentials: new RateLimiter(config.credentialRateLimit.perSecond, config.credentialRateLimit.burst),
    codeMessages: new RateLimiter(config.codeMessageLimit.perHour / 3600, config.codeMessageLimit.burst, codeMessageClock),
  };
}

/**
 * Token buckets per key (a client address, a sign-in name): `burst` at once, refilled at `perSecond`.
 * Kept in memory: one process's, or the primary's for all its workers. Separate nodes behind a load
 * balancer each limit on their own — enough to slow a password-guessing client down, which is the point;
 * per-account lockout (account-protection.ts) covers guessing spread across addresses and nodes.
 * Memory is bounded: past `maxKeys`, full buckets (which carry no information) go first, then the least
 * recently used, down to 90% of the bound, so that a flood of new keys costs O(1) per key.
 */
export class RateLimiter implements Allowance {
  /** In order of last use: a bucket is moved to the end each time it is taken from. */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 50_000,
  ) {}

  /** True when `key` has a token to take; takes nothing. */
  available(key: string): boolean {
    const bucket = this.buckets.get(key);
    return bucket === undefined || this.refilled(bucket, this.now()) >= 1;
  }

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = this.refilled(bucket, now);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.shrink(now);
    return allowed;
  }

  private refilled(bucket: { tokens: number; at: number }, now: number): number {
    // A clock set back (NTP, a test's clock) refills nothing, rather than taking tokens away from everyone.
    return Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.perSecond);
  }

  private shrink(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now) >= this.burst) this.buckets.delete(key);
    }
    const target = Math.floor(this.maxKeys * 0.9);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= target) break;
      this.buckets.delete(key);
    }
  }
}
