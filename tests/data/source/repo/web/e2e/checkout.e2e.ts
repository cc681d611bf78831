import { expect, test } from "@playwright/test";

test("checkout flow", async ({ page }) => {
  await page.goto("/cart");
  await expect(page.getByText("Total")).toBeVisible();
});
