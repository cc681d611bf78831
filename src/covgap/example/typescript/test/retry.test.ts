import assert from "node:assert/strict";
import { test } from "node:test";

import { PermanentError, RetryableError } from "../src/errors.js";
import { RetryPolicy } from "../src/retry.js";

test("permanent errors are not retried", () => {
  assert.equal(new RetryPolicy().shouldRetry(new PermanentError("no"), 1), false);
});

test("run retries retryable errors until success", async () => {
  const delays: number[] = [];
  const result = await new RetryPolicy().run(
    async (attempt) => {
      if (attempt < 3) throw new RetryableError("busy");
      return attempt;
    },
    async (ms) => {
      delays.push(ms);
    },
  );
  assert.equal(result, 3);
  assert.deepEqual(delays, [250, 500]);
});

test.skip("jittered delays stay within bounds", () => {
  // Jitter is not implemented in the TypeScript policy yet.
});
