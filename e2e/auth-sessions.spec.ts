import { expect, test } from "@playwright/test";
import { PASSWORD, signUp, uniqueEmail } from "./support/auth";

test.describe("your sessions", () => {
  test("shows this browser and another one; ending the other signs it out on its next request", async ({ page, browser }) => {
    // Two browsers signing in (password hashing) and a dozen pages: more than the default on a busy machine.
    test.setTimeout(180_000);
    const email = uniqueEmail("sessions");
    await signUp(page, { email, teamName: "Sessions Team" });

    // A second browser signs in to the same account.
    const other = await browser.newContext({ userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" });
    const otherPage = await other.newPage();
    await otherPage.goto("/sign-in");
    await otherPage.getByLabel("Email").fill(email);
    await otherPage.getByLabel("Password").fill(PASSWORD);
    await otherPage.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(otherPage.getByRole("heading", { name: "Apps", level: 1 })).toBeVisible({ timeout: 30_000 });

    await page.getByRole("link", { name: "Team settings" }).click();
    await page.getByRole("link", { name: "Your sessions" }).click();
    await expect(page.getByRole("heading", { name: "Your sessions", level: 1 })).toBeVisible();
    const list = page.getByRole("list", { name: "Sessions" });
    await expect(list.getByRole("listitem")).toHaveCount(2);
    await expect(list.getByRole("listitem").filter({ hasText: "This device" })).toContainText("Chrome on Linux");
    const firefox = list.getByRole("listitem").filter({ hasText: "Firefox on Linux" });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: "test-results/screens/sessions-1440.png", fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "test-results/screens/sessions-390.png", fullPage: true });
    await page.setViewportSize({ width: 1280, height: 720 });
    await firefox.getByRole("button", { name: /End session/ }).click();
    await expect(list.getByRole("listitem")).toHaveCount(1);

    await otherPage.reload();
    await expect(otherPage).toHaveURL(/\/sign-in/);
    await expect(otherPage.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await other.close();

    // The current session: signing out here.
    await list.getByRole("button", { name: /this device/ }).click();
    await expect(page).toHaveURL(/\/sign-in\?signedOut=1/);
    await page.goto("/apps");
    await expect(page).toHaveURL(/\/sign-in/);
  });
});
