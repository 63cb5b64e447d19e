import { expect, test } from "@playwright/test";
import { signUp, uniqueEmail } from "./support/auth";
import { openAuditLog } from "./support/flows";

/**
 * The production server (scripts/portal-server.ts) decides the client address: a browser that
 * sends its own X-Forwarded-For doesn't get to choose what the audit log (and the per-address
 * sign-in limit) sees. The e2e server trusts no proxy hops, so the address is the socket's.
 */
test("a client can't choose its own address with X-Forwarded-For", async ({ page }) => {
  await page.setExtraHTTPHeaders({ "x-forwarded-for": "198.51.100.77", "x-real-ip": "198.51.100.78" });
  await signUp(page, { email: uniqueEmail("spoof"), teamName: "Spoof Test" });
  const events = await openAuditLog(page);
  const signUpRow = events.locator("tbody tr", { hasText: "user.sign_up" });
  await expect(signUpRow).toBeVisible();
  await expect(signUpRow).toContainText("127.0.0.1");
  await expect(events).not.toContainText("198.51.100.7");
});
