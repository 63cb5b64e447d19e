import { expect, type Page } from "@playwright/test";
import crypto from "node:crypto";

export const uniqueEmail = (prefix: string) => `${prefix}-${crypto.randomBytes(4).toString("hex")}@example.test`;
export const PASSWORD = "a long test password";

export const SIGNED_UP = "Sign-up received.";

/** Fills the sign-up form; it continues at the sign-in form, whether the address was new or not. */
export async function submitSignUp(page: Page, opts: { email: string; teamName: string; password?: string }) {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(opts.email);
  await page.getByLabel("Password").fill(opts.password ?? PASSWORD);
  await page.getByLabel("Team name").fill(opts.teamName);
  await page.getByRole("button", { name: "Create account" }).click();
  // Hashing the password (and, on a fresh server, loading the route) can take a while on a busy machine.
  await expect(page.getByText(SIGNED_UP)).toBeVisible({ timeout: 30_000 });
  await expect(page).toHaveURL(/\/sign-in\?signedUp=1$/);
}

/** Signs up a new account and signs in with it. */
export async function signUp(page: Page, opts: { email: string; teamName: string }) {
  await submitSignUp(page, opts);
  await page.getByLabel("Email").fill(opts.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Apps", level: 1 })).toBeVisible({ timeout: 30_000 });
}

/**
 * Signs out from the sidebar and waits for the sign-in page to say so: until then the session is
 * still on (a page opened sooner, such as /sign-up, would send a signed-in browser to Apps).
 */
export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You have signed out.")).toBeVisible();
}

/** As a signed-in admin, on Team settings: an invite for a new address with `role`; the address and the invite link. */
export async function createInvite(page: Page, opts: { role: "admin" | "developer" | "read_only"; emailPrefix: string }) {
  await page.getByRole("link", { name: "Team settings" }).click();
  const email = uniqueEmail(opts.emailPrefix);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption(opts.role);
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = await page.getByTestId("invite-link").textContent();
  return { email, link };
}
