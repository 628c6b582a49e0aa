/**
 * When and how long to wait before trying a request again. Pure, so the policy is tested on its own.
 *
 * Retrying is safe for every call enrichctl makes because each one is idempotent: GETs read; PATCH
 * /datastores/{id}/enrichment/{eid} re-confirms the same link; PUT /datastores/{id} sets fields to
 * absolute values; DELETE .../enrichment is a 204 no-op when nothing is linked. A write whose answer
 * was lost and that is sent again therefore lands exactly once in effect.
 */
export interface RetryPolicy {
  /** How many times a failed request is tried again (so at most retries + 1 attempts). */
  retries: number;
  /** The first backoff, doubled on each further attempt. */
  baseDelayMs: number;
  /** The largest backoff. */
  maxDelayMs: number;
  /** The longest Retry-After enrichctl will honour; a server asking for more fails the request. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** Statuses that mean "try again later": rate limited, or a gateway/server that is momentarily unavailable. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Exponential backoff with full jitter (a uniformly random wait up to the exponential bound), so
 * that many clients retrying together spread out. `random` is injectable for tests.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(bound * random());
}

/** A Retry-After header (delta-seconds or an HTTP date) in milliseconds, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
