import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, signUp, uniqueEmail } from "./support/auth";
import { base32Decode, totp } from "@/lib/auth/two-factor/totp";

test.describe("two-factor authentication", () => {
  test("enrol with a code, sign out, and sign in again with the password and a code from the app", async ({ page }) => {
    // Two sign-ups' worth of password hashing and a dozen pages: more than the default on a busy machine.
    test.setTimeout(180_000);
    const email = uniqueEmail("totp");
    await signUp(page, { email, teamName: "TOTP Team" });
    await page.getByRole("link", { name: "Team settings" }).click();
    await page.getByRole("link", { name: "Two-factor authentication" }).click();
    await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
    const secret = (await page.getByTestId("totp-secret").textContent())!.replace(/\s/g, "");
    await expect(page.getByTestId("otpauth-uri")).toContainText(`otpauth://totp/${encodeURIComponent(`Portcullis:${email}`)}?secret=`);
    const key = base32Decode(secret);

    await page.getByLabel("Code from your app").fill("000000");
    await page.getByRole("button", { name: "Turn on" }).click();
    await expect(page.getByText("That code is not correct.")).toBeVisible();
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: "test-results/screens/two-factor-setup-1440.png", fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "test-results/screens/two-factor-setup-390.png", fullPage: true });
    await page.setViewportSize({ width: 1280, height: 720 });

    await page.getByLabel("Code from your app").fill(totp(key, Date.now()));
    await page.getByRole("button", { name: "Turn on" }).click();
    await expect(page.getByText("Two-factor authentication is on.")).toBeVisible();
    await expect(page.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
    await page.screenshot({ path: "test-results/screens/two-factor-codes-1280.png", fullPage: true });

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByLabel("Authentication code")).toBeVisible({ timeout: 30_000 });
    await page.screenshot({ path: "test-results/screens/sign-in-code-1280.png", fullPage: true });
    await page.getByLabel("Authentication code").fill("123456");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByText("That code is not correct, or it was already used.").first()).toBeVisible();
    // The code that turned it on is used up: the app's next code.
    await page.getByLabel("Authentication code").fill(totp(key, Date.now() + 30_000));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByRole("heading", { name: "Apps", level: 1 })).toBeVisible({ timeout: 30_000 });
  });

  test("a team that requires it sends a member without it to set it up first", async ({ page }) => {
    test.setTimeout(180_000);
    const email = uniqueEmail("required");
    await signUp(page, { email, teamName: "Strict Team" });
    await page.goto("/settings/security/2fa");
    // An admin without it can't require it (it would lock them out).
    await page.getByRole("button", { name: "Require it of every member" }).click();
    await expect(page.getByText("Turn on two-factor authentication for your own account first")).toBeVisible();
    await enrolOnPage(page);
    await page.goto("/settings/security/2fa");
    await page.getByRole("button", { name: "Require it of every member" }).click();
    await expect(page.getByText("Members now need two-factor authentication.")).toBeVisible();

    // Reset (as after a lost phone): the next page sends the member to set it up again.
    await page.goto("/settings");
    await page.getByRole("button", { name: `Reset 2FA of ${email}` }).click();
    await page.getByRole("dialog", { name: `Reset two-factor authentication of ${email}?` }).getByRole("button", { name: "Reset 2FA" }).click();
    await expect(page).toHaveURL(/\/two-factor\/setup/);
    await expect(page.getByRole("heading", { name: "Set up two-factor authentication" })).toBeVisible();
    await page.screenshot({ path: "test-results/screens/two-factor-required-1280.png", fullPage: true });
    await enrolOnPage(page);
    await page.getByRole("link", { name: "Continue to your team" }).click();
    await expect(page.getByRole("heading", { name: "Apps", level: 1 })).toBeVisible();
  });
});

/** Sets up two-factor authentication on the page it is on; the key the test's "app" computes codes from. */
async function enrolOnPage(page: Page) {
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  const key = base32Decode((await page.getByTestId("totp-secret").textContent())!.replace(/\s/g, ""));
  await page.getByLabel("Code from your app").fill(totp(key, Date.now()));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText("Two-factor authentication is on.")).toBeVisible();
  return key;
}
