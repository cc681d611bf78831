import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DispatchChannel } from "../src/dispatch_channel.js";
import { RetryableError } from "../src/errors.js";
import { HandlerRegistry } from "../src/registry.js";

function setup() {
  const registry = new HandlerRegistry();
  registry.register({ name: "refund.charge", call: async (ctx) => ({ charged: ctx.inputs.amount }) });
  registry.register({
    name: "refund.flaky",
    call: async () => {
      throw new RetryableError("gateway timeout");
    },
  });
  const sent: string[] = [];
  const channel = new DispatchChannel(registry, (line) => void sent.push(line));
  return { channel, sent };
}

describe("DispatchChannel", () => {
  it("sends a success line with the payload", async () => {
    const { channel, sent } = setup();
    const request = channel.parse('{"taskId":9,"stepId":2,"handler":"refund.charge","inputs":{"amount":30}}');
    assert.ok(request);
    assert.equal(await channel.dispatch(request), true);
    assert.match(sent[0], /^task=9;step=2;attempt=1;status=success;payload=\{"charged":30\}/);
  });

  it("reports retryable handler errors", async () => {
    const { channel, sent } = setup();
    assert.equal(await channel.dispatch({ taskId: 9, stepId: 3, handler: "refund.flaky" }), false);
    assert.match(sent[0], /status=retryable_error;error=gateway timeout/);
  });

  it("rejects malformed requests without throwing", () => {
    const { channel } = setup();
    assert.equal(channel.parse("{not json"), undefined);
    assert.equal(channel.stats.rejected, 1);
  });
});
