/**
 * How a delivery attempt ends and when the next one is due. Pure: the clock and the randomness
 * are arguments.
 *
 * - 2xx: delivered.
 * - 408, 429, 5xx, a 3xx (redirects are not followed), a timeout, a connection failure or a
 *   refused address: tried again with exponential backoff and full jitter between half and all
 *   of the step (`minMs` doubling up to `maxMs`), or after `Retry-After` when the receiver sent
 *   one (seconds or an HTTP date; never sooner than it asks). Once the retry horizon (from the
 *   delivery's creation or last replay) has passed, the next failure makes it `dead`: so it is
 *   tried for at least the horizon.
 * - 410 Gone: failed, and the subscription is paused (the receiver said it is gone for good).
 * - Any other 4xx: failed, at once (the receiver refuses it; trying again changes nothing).
 */
import type { AttemptOutcome } from './store.ts';
import type { SendFailure, WebhookResponse } from '../outbound/post.ts';

export interface RetryPolicy {
  /** First wait, in ms. */
  minMs: number;
  /** Longest wait, in ms. */
  maxMs: number;
  /** How long a delivery is tried before it is dead, in ms. */
  horizonMs: number;
}

/** The default: 5 s doubling to 1 h, for 24 h. */
export const DEFAULT_RETRY: RetryPolicy = { minMs: 5_000, maxMs: 3_600_000, horizonMs: 24 * 3_600_000 };

/** The wait before attempt `attempts + 1` after `attempts` failed ones: between half and all of the step. */
export function backoffMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40));
  return Math.round(step / 2 + (step / 2) * random());
}

/** `Retry-After` in ms from `now` (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const v = header.trim();
  if (/^\d{1,10}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** What one attempt got: an answer, or no answer and why. */
export type AttemptResult = { response: WebhookResponse } | { failure: SendFailure; message: string };

/** The outcome of an attempt of a delivery whose retry window started at `windowStart` (ms). */
export function outcomeOf(
  result: AttemptResult,
  attempts: number,
  windowStart: number,
  now: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): AttemptOutcome {
  let wait: number | null = null;
  if ('response' in result) {
    const s = result.response.status;
    if (s >= 200 && s < 300) return { state: 'delivered' };
    if (s === 410) return { state: 'failed', pauseSubscription: true };
    if (s >= 400 && s < 500 && s !== 408 && s !== 429) return { state: 'failed' };
    wait = retryAfterMs(result.response.retryAfter, now);
  }
  if (now - windowStart >= policy.horizonMs) return { state: 'dead' };
  // A Retry-After of 0 still waits a little (at most a second), so a receiver cannot make it spin.
  const asked = wait === null ? backoffMs(attempts, policy, random) : Math.max(wait, Math.min(policy.minMs, 1000));
  // Never past the end of the retry window (then one last try, then dead): a receiver's
  // Retry-After cannot park a delivery, and the object's later ones behind it, for years.
  const delay = Math.min(asked, Math.max(0, windowStart + policy.horizonMs - now));
  return { state: 'pending', nextAt: new Date(now + delay).toISOString() };
}
