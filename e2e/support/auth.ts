import { expect, type Page } from "@playwright/test";
import crypto from "node:crypto";

export const uniqueEmail = (prefix: string) => `${prefix}-${crypto.randomBytes(4).toString("hex")}@example.test`;
export const PASSWORD = "a long test password";

export async function signUp(page: Page, opts: { email: string; teamName: string }) {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(opts.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Team name").fill(opts.teamName);
  await page.getByRole("button", { name: "Create account" }).click();
  // Hashing the password (and, on a fresh server, loading the route) can take a while on a busy machine.
  await expect(page.getByRole("heading", { name: "Apps", level: 1 })).toBeVisible({ timeout: 30_000 });
}
