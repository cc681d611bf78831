import { describe, expect, it, test } from "vitest";
import fc from "fast-check";
import { Cart } from "./cart";

describe("Cart", () => {
  it("adds items", () => {
    const cart = new Cart();
    cart.add({ sku: "a", price: 2 });
    expect(cart.total()).toBe(2);
  });

  it.skip("is skipped", () => {});

  it.each([1, 2, 3])("totals %i", (n) => {
    expect(n).toBeGreaterThan(0);
  });

  describe("discounts", () => {
    test("half", () => {
      expect(new Cart().discount("HALF")).toBe(0);
    });

    test.todo("ten");

    it("never negative", () => {
      fc.assert(fc.property(fc.nat(), (n) => new Cart().discount("TEN") >= 0 || n < 0));
    });
  });
});
