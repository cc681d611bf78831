import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { HandlerNotFoundError, TaskerError } from "../src/errors.js";
import { HandlerRegistry } from "../src/registry.js";

const handler = (name: string, version?: string) => ({ name, version, call: async () => ({ ok: true }) });

describe("HandlerRegistry", () => {
  it("resolves the latest version", () => {
    const registry = new HandlerRegistry();
    registry.register(handler("refund.validate"));
    const v2 = handler("refund.validate", "2.0.0");
    registry.register(v2);
    assert.equal(registry.resolve("refund.validate"), v2);
    assert.equal(registry.size, 2);
  });

  it("rejects invalid names", () => {
    assert.throws(() => new HandlerRegistry().register(handler("Bad Name")), TaskerError);
  });

  it("names the known versions when one is missing", () => {
    const registry = new HandlerRegistry();
    registry.register(handler("refund.validate"));
    assert.throws(() => registry.resolve("refund.validate", "3.0.0"), HandlerNotFoundError);
  });
});
