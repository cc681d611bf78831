/** Encode step results in the orchestrator's wire format (see message_handler.rs). */

import { PermanentError, RetryableError } from "./errors.js";
import type { StepContext } from "./registry.js";

export const MAX_PAYLOAD_BYTES = 64 * 1024;

export interface Outcome {
  result?: unknown;
  error?: Error;
  durationMs?: number;
}

export function encodeResult(context: StepContext, outcome: Outcome): string {
  const fields = [`task=${context.taskId}`, `step=${context.stepId}`, `attempt=${context.attempt}`];
  if (outcome.error === undefined) {
    fields.push("status=success");
    if (outcome.result !== undefined) {
      const payload = JSON.stringify(outcome.result);
      if (payload.includes(";")) throw new PermanentError("payloads may not contain ';'");
      if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
        throw new PermanentError(`payload of ${Buffer.byteLength(payload)} bytes is too large`);
      }
      fields.push(`payload=${payload}`);
    }
  } else if (outcome.error instanceof RetryableError) {
    fields.push("status=retryable_error", `error=${clean(outcome.error)}`);
  } else {
    fields.push("status=permanent_error", `error=${clean(outcome.error)}`);
  }
  if (outcome.durationMs) fields.push(`duration_ms=${Math.round(outcome.durationMs)}`);
  return fields.join(";");
}

function clean(error: Error): string {
  return (error.message || error.name).replace(/;/g, ",").replace(/\n/g, " ");
}
