/** Retry policy: exponential backoff and which errors deserve a retry. */

import { isRetryable, PermanentError, RetryableError } from "./errors.js";

export interface RetryOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;

  constructor({ maxAttempts = 3, baseDelayMs = 250, maxDelayMs = 30_000 }: RetryOptions = {}) {
    if (maxAttempts < 1) throw new RangeError("maxAttempts must be at least 1");
    if (baseDelayMs < 0 || maxDelayMs < baseDelayMs) {
      throw new RangeError("need 0 <= baseDelayMs <= maxDelayMs");
    }
    this.maxAttempts = maxAttempts;
    this.baseDelayMs = baseDelayMs;
    this.maxDelayMs = maxDelayMs;
  }

  shouldRetry(error: unknown, attempt: number): boolean {
    if (attempt >= this.maxAttempts) return false;
    if (error instanceof PermanentError) return false;
    return isRetryable(error);
  }

  delayMs(attempt: number, error?: unknown): number {
    if (error instanceof RetryableError && error.retryAfterMs !== undefined) {
      return Math.min(error.retryAfterMs, this.maxDelayMs);
    }
    return Math.min(this.baseDelayMs * 2 ** (attempt - 1), this.maxDelayMs);
  }

  /** Run `fn` until it succeeds or the policy gives up. */
  async run<T>(fn: (attempt: number) => Promise<T>, sleep = defaultSleep): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (error) {
        if (!this.shouldRetry(error, attempt)) throw error;
        await sleep(this.delayMs(attempt, error));
      }
    }
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
