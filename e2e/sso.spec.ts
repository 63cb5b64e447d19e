import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createInvite, PASSWORD, signUp, uniqueEmail } from "./support/auth";
import { copyWith } from "./support/clipboard";
import { e2ePort, ssoDnsPort } from "./support/services";
import { startDnsServer, type TestDnsServer } from "@/test/support/dns-server";
import { startOidcProvider, type TestOidcProvider } from "@/test/support/oidc-provider";

/**
 * Single sign-on in Chromium against a real OpenID Provider (oidc-provider on 127.0.0.1, its own
 * login form) and a real DNS server (the portal's DNS_RESOLVER): an admin configures SSO (a
 * failed test first), verifies the domain, maps a group and turns enforcement on; a new colleague
 * signs in through the provider and lands in the team with the mapped role; a member's password
 * sign-in is refused.
 */

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

const SECRET = "e2e-sso-client-secret-7a1c";
const domain = `acme-${crypto.randomBytes(3).toString("hex")}.test`;
let idp: TestOidcProvider;
let dns: TestDnsServer;

test.beforeAll(async () => {
  const portal = `http://localhost:${e2ePort()}`;
  idp = await startOidcProvider({
    clients: [{ clientId: "portcullis-e2e", clientSecret: SECRET, redirectUris: [`${portal}/api/auth/callback/sso`] }],
    accounts: { "new.colleague": { email: `new.colleague@${domain}`, name: "New Colleague", groups: ["engineering"] } },
  });
  dns = await startDnsServer({ port: ssoDnsPort() });
});

test.afterAll(async () => {
  await idp?.stop();
  await dns?.stop();
});

async function shoot(page: Page, name: string) {
  for (const [w, h] of [[1440, 900], [390, 844]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.screenshot({ path: `test-results/screens/sso-${name}-${w}x${h}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

test("single sign-on: configure with test-then-save, verify the domain, enforce; a colleague joins through the provider; passwords refused for members", async ({ page, browser }) => {
  test.setTimeout(420_000);
  await signUp(page, { email: uniqueEmail("sso-admin"), teamName: "SSO Corp" });

  // A member with a password, invited before enforcement.
  const { email: memberEmail, link } = await createInvite(page, { role: "developer", emailPrefix: "member" });
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await member.goto(link!);
  await member.getByLabel("Password").fill(PASSWORD);
  await member.getByRole("button", { name: "Create account and join" }).click();
  await expect(member.getByText("You joined SSO Corp.")).toBeVisible({ timeout: 30_000 });
  await memberContext.close();

  await page.getByRole("link", { name: "Single sign-on settings" }).click();
  await expect(page.getByRole("heading", { name: "Single sign-on", level: 1 })).toBeVisible();
  const redirectUri = `http://localhost:${e2ePort()}/api/auth/callback/sso`;
  await expect(page.getByTestId("redirect-uri")).toHaveText(redirectUri);
  expect(await copyWith(page.getByRole("button", { name: "Copy redirect URI" }))).toBe(redirectUri);
  await expect(page.getByText("No domains yet")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save" })).toBeDisabled();
  await shoot(page, "empty");

  // A wrong secret: the test says which step failed, and Save stays off.
  await page.getByLabel("Issuer URL").fill(idp.issuer);
  await page.getByLabel("Client ID").fill("portcullis-e2e");
  await page.getByLabel("Client secret").fill("not-the-secret");
  await page.getByRole("button", { name: "Test connection" }).click();
  const result = page.getByTestId("sso-test-result");
  await expect(result).toHaveAttribute("data-ok", "false", { timeout: 30_000 });
  await expect(result).toContainText("refused the client ID or secret");
  await expect(page.getByRole("button", { name: "Save" })).toBeDisabled();
  await shoot(page, "failed-test");

  await page.getByLabel("Client secret").fill(SECRET);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(result).toHaveAttribute("data-ok", "true", { timeout: 30_000 });
  await expect(page.getByTestId("test-step")).toHaveCount(3);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved. Members can sign in with SSO.")).toBeVisible({ timeout: 30_000 });

  // The domain: its TXT record, published, then verified.
  await page.getByLabel("Add a domain").fill(domain);
  await page.getByRole("button", { name: "Add domain" }).click();
  const row = page.locator(`[data-testid="sso-domain"][data-domain="${domain}"]`);
  await expect(row.getByText("Pending")).toBeVisible();
  const txtValue = await copyWith(row.getByRole("button", { name: "Copy value" }));
  expect(txtValue).toMatch(/^portcullis-verification=/);
  await row.getByRole("button", { name: `Verify ${domain}` }).click();
  await expect(row.getByRole("alert")).toContainText(`No TXT record at _portcullis-challenge.${domain} yet`);
  dns.setTxt(`_portcullis-challenge.${domain}`, [txtValue]);
  await row.getByRole("button", { name: `Verify ${domain}` }).click();
  await expect(row.getByText("Verified")).toBeVisible();

  // Roles and enforcement (the saved connection is unchanged: Save is on; the server tests again).
  await page.reload();
  await page.getByLabel("Groups claim").fill("groups");
  await page.getByRole("button", { name: "Add group mapping" }).click();
  await page.getByLabel("Group 1", { exact: true }).fill("engineering");
  await page.getByLabel("Role of group 1").selectOption("developer");
  await page.getByRole("switch", { name: "Require single sign-on" }).click();
  await expect(page.getByRole("switch", { name: "Require single sign-on" })).toHaveAttribute("aria-checked", "true");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved. Members of the team now sign in with SSO.")).toBeVisible({ timeout: 30_000 });
  await page.reload();
  await expect(page.getByRole("switch", { name: "Require single sign-on" })).toHaveAttribute("aria-checked", "true");
  await shoot(page, "configured");

  // A new colleague signs in through the provider for the first time.
  const colleagueContext = await browser.newContext();
  const colleague = await colleagueContext.newPage();
  await colleague.goto("/sign-in");
  await colleague.getByRole("button", { name: "Sign in with SSO" }).click();
  await colleague.getByLabel("Work email").fill(`new.colleague@${domain}`);
  await colleague.getByRole("button", { name: "Continue with SSO" }).click();
  await expect(colleague).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`), { timeout: 30_000 });
  await colleague.locator('input[name="login"]').fill("new.colleague");
  await colleague.locator('input[name="password"]').fill("anything");
  await colleague.getByRole("button", { name: "Sign-in" }).click();
  await expect(colleague.getByRole("heading", { name: "Apps", level: 1 })).toBeVisible({ timeout: 30_000 });
  await expect(colleague.getByRole("button", { name: "Create app" })).toBeVisible();
  await colleagueContext.close();

  // The admin sees the colleague as a developer.
  await page.goto("/settings");
  await expect(page.getByRole("list", { name: "Members" })).toContainText(`new.colleague@${domain}`);

  // The member's password is refused, naming the fix.
  const refusedContext = await browser.newContext();
  const refused = await refusedContext.newPage();
  await refused.goto("/sign-in");
  await refused.getByLabel("Email").fill(memberEmail);
  await refused.getByLabel("Password").fill(PASSWORD);
  await refused.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(refused.getByText("SSO Corp requires single sign-on: sign in with SSO instead of your password.")).toBeVisible({ timeout: 30_000 });
  await refused.screenshot({ path: "test-results/screens/sso-password-refused.png" });
  await refusedContext.close();
});
