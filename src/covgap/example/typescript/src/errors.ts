/** Errors raised by TypeScript step handlers and the dispatch channel. */

export class TaskerError extends Error {
  readonly code: string = "tasker_error";
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class RetryableError extends TaskerError {
  override readonly code: string = "retryable_error";
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

export class PermanentError extends TaskerError {
  override readonly code: string = "permanent_error";
}

export class HandlerNotFoundError extends TaskerError {
  override readonly code: string = "handler_not_found";
}

export class TimeoutError extends RetryableError {
  override readonly code: string = "timeout";
  constructor(operation: string, readonly timeoutMs: number) {
    super(`${operation} timed out after ${timeoutMs} ms`);
  }
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof RetryableError) return true;
  if (error instanceof TaskerError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ECONNRESET" || code === "ECONNREFUSED" || code === "ETIMEDOUT";
}
