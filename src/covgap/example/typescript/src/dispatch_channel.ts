/**
 * FFI dispatch channel: receives step requests from the Rust core, runs their handler
 * with bounded concurrency and a timeout, and sends the result line back.
 */

import { PermanentError, RetryableError, TaskerError, TimeoutError } from "./errors.js";
import { encodeResult } from "./encoder.js";
import { EventEmitterLog } from "./events.js";
import { HandlerRegistry, StepContext } from "./registry.js";
import { RetryPolicy } from "./retry.js";

export interface DispatchRequest {
  taskId: number;
  stepId: number;
  handler: string;
  version?: string;
  attempt?: number;
  inputs?: Record<string, unknown>;
  dependencyResults?: Record<string, unknown>;
}

export interface ChannelOptions {
  concurrency?: number;
  queueLimit?: number;
  timeoutMs?: number;
  policy?: RetryPolicy;
}

type Send = (line: string) => void | Promise<void>;

/** A counting semaphore for the in-flight limit. */
class Semaphore {
  private waiting: Array<() => void> = [];
  constructor(private available: number) {}

  get pending(): number {
    return this.waiting.length;
  }

  async acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.available++;
  }
}

export class DispatchChannel {
  private readonly semaphore: Semaphore;
  private readonly queueLimit: number;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private closed = false;
  readonly stats = { dispatched: 0, succeeded: 0, failed: 0, rejected: 0, timedOut: 0 };

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly send: Send,
    private readonly events = new EventEmitterLog(),
    options: ChannelOptions = {},
  ) {
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.semaphore = new Semaphore(concurrency);
    this.queueLimit = options.queueLimit ?? 100;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.policy = options.policy ?? new RetryPolicy();
  }

  /** Parse a raw request from the core; malformed requests are rejected, not thrown. */
  parse(raw: string): DispatchRequest | undefined {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      this.reject(`not JSON: ${(error as Error).message}`);
      return undefined;
    }
    if (typeof value !== "object" || value === null) {
      this.reject("a request must be an object");
      return undefined;
    }
    const request = value as Partial<DispatchRequest>;
    if (typeof request.taskId !== "number" || typeof request.stepId !== "number") {
      this.reject("taskId and stepId must be numbers");
      return undefined;
    }
    if (typeof request.handler !== "string" || request.handler.length === 0) {
      this.reject("handler is required");
      return undefined;
    }
    return request as DispatchRequest;
  }

  /** Dispatch one request; resolves once its result line was sent. */
  async dispatch(request: DispatchRequest): Promise<boolean> {
    if (this.closed) throw new TaskerError("dispatch channel is closed");
    if (this.semaphore.pending >= this.queueLimit) {
      // Backpressure: tell the core to retry instead of queueing without bound.
      const context = this.contextOf(request);
      await this.send(encodeResult(context, { error: new RetryableError("dispatch queue full", 100) }));
      this.stats.rejected++;
      return false;
    }
    await this.semaphore.acquire();
    this.stats.dispatched++;
    const context = this.contextOf(request);
    const started = Date.now();
    try {
      const handler = this.registry.resolve(request.handler, request.version);
      const result = await this.withTimeout(handler.call(context), `${request.handler}`);
      await this.send(encodeResult(context, { result, durationMs: Date.now() - started }));
      this.stats.succeeded++;
      this.events.emit("step.completed", { step: context.stepName });
      return true;
    } catch (error) {
      await this.fail(context, error, started);
      return false;
    } finally {
      this.semaphore.release();
    }
  }

  private async fail(context: StepContext, error: unknown, started: number): Promise<void> {
    this.stats.failed++;
    if (error instanceof TimeoutError) this.stats.timedOut++;
    const wrapped =
      error instanceof TaskerError
        ? error
        : this.policy.shouldRetry(error, context.attempt)
          ? new RetryableError(String((error as Error)?.message ?? error))
          : new PermanentError(`handler crashed: ${String((error as Error)?.message ?? error)}`);
    try {
      await this.send(encodeResult(context, { error: wrapped, durationMs: Date.now() - started }));
    } catch (sendError) {
      this.events.emit("channel.send_failed", { error: String(sendError) });
      throw new TaskerError(`cannot report failure of step ${context.stepId}: ${String(sendError)}`);
    }
    this.events.emit("step.failed", { step: context.stepName, error: wrapped.message });
  }

  private withTimeout<T>(promise: Promise<T>, operation: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(operation, this.timeoutMs)), this.timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  private contextOf(request: DispatchRequest): StepContext {
    return {
      taskId: request.taskId,
      stepId: request.stepId,
      stepName: request.handler,
      attempt: request.attempt ?? 1,
      inputs: request.inputs ?? {},
      dependencyResults: request.dependencyResults ?? {},
    };
  }

  private reject(reason: string): void {
    this.stats.rejected++;
    this.events.emit("request.rejected", { reason });
  }

  /** Stop accepting requests; pending dispatches still finish. */
  close(): void {
    this.closed = true;
  }
}
