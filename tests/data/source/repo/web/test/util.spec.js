const assert = require("node:assert");
const { describe, it } = require("node:test");
const { clamp } = require("../lib/util");

describe("clamp", () => {
  it("clamps low", () => {
    assert.equal(clamp(-1, 0, 1), 0);
  });

  it("clamps high", () => {
    assert.equal(clamp(2, 0, 1), 1);
  });

  describe.skip("skipped group", () => {
    it("does not run", () => {});
  });
});
