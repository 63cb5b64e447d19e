import crypto from "node:crypto";
import fs from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { requireBinaries, type Distribution } from "@/test/support/registry";
import { base32Decode, totp } from "@/lib/auth/two-factor/totp";
import { createInvite, PASSWORD as ACCOUNT_PASSWORD, signUp, uniqueEmail } from "./support/auth";
import { checkDialog, checkPage, expectNoAxeViolations, SCREENS, VIEWPORTS } from "./support/axe";
import { addFirstRegistry, createCustomerWithLicense, startUpstreamWithImage } from "./support/flows";

/**
 * Every page and every dialog of the portal under axe, at 1440x900 and 390x844, with zero
 * violations of any impact; each is photographed at both sizes into test-results/screens. The
 * team has an app, a tested registry (a CNCF Distribution on 127.0.0.1), a customer with a
 * license and an API token, so the pages show their tables, menus and dialogs.
 */

const PASSWORD = "a11y-registry-Pa55word";
let reg: Distribution;
let work: string;

test.skip(!requireBinaries("docker-registry", "skopeo", "htpasswd"), "docker-registry, skopeo and htpasswd are needed");

test.beforeAll(async () => {
  test.setTimeout(120_000);
  ({ reg, work } = await startUpstreamWithImage({ creds: { username: "vendor", password: PASSWORD }, ref: "team/app:1.0", sizeBytes: 16 * 1024, prefix: "e2e-a11y-" }));
});
test.afterAll(async () => {
  await reg?.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

/** On the Images page with no registry yet: adds the test registry, tested with its image while added. */
const addTestedRegistry = (page: Page) => addFirstRegistry(page, reg, { username: "vendor", password: PASSWORD }, { testImage: "team/app:1.0" });

const heading = (page: Page, name: string) => expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();

test("signed out: sign-in, sign-up and the ECR tutorial", async ({ page }) => {
  test.setTimeout(180_000); // axe on the long tutorial page takes a while on a busy machine
  await page.goto("/sign-in");
  await checkPage(page, "sign-in");
  await page.goto("/sign-up");
  await checkPage(page, "sign-up");
  await page.goto("/tutorials/ecr");
  await checkPage(page, "tutorial-signed-out");
});

test("signed in: every page, menu and dialog", async ({ page }) => {
  test.setTimeout(1_500_000); // axe on ~20 pages and dialogs at two sizes; slow on a busy machine
  await signUp(page, { email: uniqueEmail("a11y"), teamName: "Axe Co" });
  await checkPage(page, "apps-empty");

  // Phones get a menu button and a drawer: focus stays in it and Escape closes it.
  await page.setViewportSize(VIEWPORTS.phone);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await page.getByRole("button", { name: "Menu" }).click();
  const drawer = page.getByRole("dialog", { name: "Menu" });
  await expect(drawer.getByRole("link", { name: "Images", exact: true })).toBeVisible();
  await expectNoAxeViolations(page, "menu drawer", "dialog[open]");
  await page.screenshot({ path: `${SCREENS}/drawer-phone.png` });
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();
  await expect(page.getByRole("button", { name: "Menu" })).toBeFocused();
  await page.getByRole("button", { name: "Menu" }).click();
  await drawer.getByRole("link", { name: "Customers", exact: true }).click();
  await heading(page, "Customers");
  await expect(drawer).toBeHidden();
  await page.setViewportSize(VIEWPORTS.desktop);

  // An app.
  await page.getByRole("link", { name: "Apps", exact: true }).click();
  await page.getByLabel("App name").fill("Axe Suite");
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page.getByTestId("app-axe-suite")).toBeVisible();
  await checkPage(page, "apps");

  // A registry, tested while added.
  await page.getByRole("link", { name: "Images", exact: true }).click();
  await heading(page, "Images");
  await checkPage(page, "images-empty");
  await checkDialog(page, "add-registry", () => page.getByRole("button", { name: "Add your first registry" }).click());
  await addTestedRegistry(page);
  const row = page.getByTestId(`registry-${reg.host}`);
  await expect(row.getByTestId("last-test")).toContainText("Passed");
  await checkPage(page, "images");

  // The registry's menu, above the table card rather than clipped by it.
  for (const viewport of Object.values(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    await row.getByRole("button", { name: `More actions for ${reg.url}` }).click();
    const item = page.getByRole("menuitem", { name: `Delete ${reg.url}` });
    await expect(item).toBeVisible();
    await expect(item).toBeInViewport();
    await expectNoAxeViolations(page, "the registry menu");
    await page.screenshot({ path: `${SCREENS}/registry-menu-${viewport.width}.png` });
    await page.keyboard.press("Escape");
    await expect(item).toBeHidden();
  }
  const more = (label: string) => async () => {
    await row.getByRole("button", { name: `More actions for ${reg.url}` }).click();
    await page.getByRole("menuitem", { name: label }).click();
  };
  await checkDialog(page, "registry-test", () => row.getByRole("button", { name: `Test ${reg.url}` }).click());
  await checkDialog(page, "registry-rotate", more(`Rotate credentials of ${reg.url}`));
  await checkDialog(page, "registry-edit", more(`Edit ${reg.url}`));
  await checkDialog(page, "registry-delete", more(`Delete ${reg.url}`));
  await checkDialog(page, "registry-cache", () => row.getByRole("button", { name: `Cache settings of ${reg.url}` }).click());

  // A customer with a license.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await heading(page, "Customers");
  await checkPage(page, "customers-empty");
  const { customer: globex } = await createCustomerWithLicense(page, "Globex");
  await checkPage(page, "customers-license-issued");
  await globex.getByRole("button", { name: "Done" }).click();
  await checkPage(page, "customers");
  await checkDialog(page, "license-revoke", () => globex.getByTestId("license-row").getByRole("button", { name: "Revoke", exact: true }).click());

  // An API token.
  await page.getByRole("link", { name: "Tokens", exact: true }).click();
  await heading(page, "API tokens");
  await checkPage(page, "tokens-empty");
  await page.getByLabel("Name", { exact: true }).fill("CI");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toBeVisible();
  await checkPage(page, "tokens");
  await checkDialog(page, "token-revoke", () => page.getByTestId("token-row").getByRole("button", { name: "Revoke", exact: true }).click());

  // The rest of the pages.
  await page.goto("/");
  await checkPage(page, "home");
  await page.goto("/audit");
  await heading(page, "Audit log");
  await checkPage(page, "audit");
  await page.goto("/settings");
  await checkPage(page, "settings");
  await page.goto("/api-reference");
  await checkPage(page, "api-reference");
  await page.goto("/api-reference/registries");
  await heading(page, "API reference: Registries");
  await checkPage(page, "api-reference-registries");
  await page.goto("/api-reference/schemas");
  await heading(page, "API reference: Schemas");
  await checkPage(page, "api-reference-schemas");
  // Schemas are collapsed under their names; a link to one opens its fields.
  await page.goto("/api-reference/registries");
  await page.locator('a[href^="/api-reference/schemas#schema-"]').first().click();
  await expect(page.locator("article:target details")).toHaveAttribute("open", "");
  await expect(page.locator("article:target table")).toBeVisible();
  await checkPage(page, "api-reference-schema-open");
  await page.goto("/tutorials/ecr");
  await checkPage(page, "tutorial");
  await page.goto("/apps");
  await checkDialog(page, "app-delete", () => page.getByTestId("app-axe-suite").getByRole("button", { name: /Delete/ }).click());
});

test("signed in: detail pages, account settings, an invite, the welcome page, two-factor setup and the customer portal", async ({ page, browser }) => {
  test.setTimeout(1_500_000); // axe on ~15 pages and dialogs at two sizes; slow on a busy machine
  const adminEmail = uniqueEmail("a11y-admin");
  await signUp(page, { email: adminEmail, teamName: "Detail Co" });

  // An app with an image: its detail page.
  // Slugs are unique across the portal: this one is the run's own.
  const appName = `Ledger ${crypto.randomBytes(3).toString("hex")}`;
  const slug = appName.toLowerCase().replace(" ", "-");
  await page.getByLabel("App name").fill(appName);
  await page.getByRole("button", { name: "Create app" }).click();
  await page.getByRole("link", { name: `Images of ${appName}` }).click();
  await heading(page, appName);
  await page.getByLabel("Image", { exact: true }).fill(`localhost:5000/${slug}/api:1.0`);
  await page.getByRole("button", { name: "Add image" }).click();
  await expect(page.getByTestId("app-image")).toHaveCount(1);
  await checkPage(page, "app-detail");

  // A registry, tested while added: its page from the Images table (its test, its cache, the apps it serves).
  await page.goto("/images");
  await addTestedRegistry(page);
  await page.getByRole("link", { name: `${reg.host}: details` }).click();
  await heading(page, reg.host);
  await expect(page.getByTestId("registry-last-test").getByTestId("test-step").first()).toBeVisible();
  await expect(page.getByRole("list", { name: "Apps it serves" }).getByRole("link", { name: appName })).toBeVisible();
  await checkPage(page, "registry-detail");

  // A customer with a license: the customer's page, the license's page, a portal link.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  const { customer: globex, licenseId } = await createCustomerWithLicense(page, "Globex");
  await globex.getByRole("button", { name: "Done" }).click();
  await expect(globex.getByTestId("license-row").getByTestId("last-pull")).toHaveText("never");
  // Search: by part of the name, in any case; nothing found says so.
  await page.getByLabel("Search customers").fill("GLOB");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/customers\?q=GLOB$/);
  await expect(globex).toBeVisible();
  await checkPage(page, "customers-search");
  await page.getByLabel("Search customers").fill("initech");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No customer matches")).toBeVisible();
  await expect(globex).toHaveCount(0);
  await checkPage(page, "customers-search-none");
  await page.getByRole("search", { name: "Customers" }).getByRole("link", { name: "Clear" }).click();
  await globex.getByRole("link", { name: "Pulls and analytics" }).click();
  await heading(page, "Globex");
  await checkPage(page, "customer-detail");
  await page.goto("/customers");
  await globex.getByTestId("license-row").getByRole("link", { name: /Instructions/ }).click();
  await heading(page, `Globex: ${appName}`);
  await checkPage(page, "license-detail");
  await page.getByRole("button", { name: "Create portal link" }).click();
  const link = (await page.getByTestId("portal-link").textContent())!;
  await checkPage(page, "license-detail-portal-link");

  // The customer, in a browser of their own: sign-in, the link's page, the portal.
  const customerContext = await browser.newContext();
  const customer = await customerContext.newPage();
  await customer.goto("/portal/sign-in");
  await checkPage(customer, "portal-sign-in");
  await customer.getByLabel("License ID").fill("not-a-license-id-at-all-0000");
  await customer.getByRole("button", { name: "Sign in" }).click();
  await expect(customer.getByText(/not valid, or its license has been revoked/).first()).toBeVisible();
  await checkPage(customer, "portal-sign-in-error");
  await customer.goto(link);
  await checkPage(customer, "portal-open");
  await customer.getByRole("button", { name: "Open the portal" }).click();
  await expect(customer.getByRole("heading", { name: appName, level: 1 })).toBeVisible();
  await checkPage(customer, "portal");
  await customer.goto(link);
  await expect(customer.getByRole("heading", { name: "This link can't be used" })).toBeVisible();
  await checkPage(customer, "portal-open-used");
  expect(licenseId).toHaveLength(27);
  await customerContext.close();

  // A colleague joins through an invite; their row's dialogs; removed, they land on the welcome page.
  const { email: memberEmail, link: invite } = await createInvite(page, { role: "developer", emailPrefix: "a11y-member" });
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await member.goto(invite!);
  await expect(member.getByRole("heading", { name: "Join Detail Co" })).toBeVisible();
  await checkPage(member, "invite");
  await member.getByLabel("Password").fill(ACCOUNT_PASSWORD);
  await member.getByRole("button", { name: "Create account and join" }).click();
  await expect(member.getByText("You joined Detail Co.")).toBeVisible({ timeout: 30_000 });
  await page.reload();
  const memberRow = page.getByTestId(`member-${memberEmail}`);
  await checkPage(page, "settings-members");
  await checkDialog(page, "member-end-sessions", () => memberRow.getByRole("button", { name: `End sessions of ${memberEmail}` }).click());
  await checkDialog(page, "member-reset-2fa", () => memberRow.getByRole("button", { name: `Reset 2FA of ${memberEmail}` }).click());
  await checkDialog(page, "member-remove", () => memberRow.getByRole("button", { name: `Remove ${memberEmail}` }).click());
  await memberRow.getByRole("button", { name: `Remove ${memberEmail}` }).click();
  await page.getByRole("dialog", { name: `Remove ${memberEmail}?` }).getByRole("button", { name: "Remove member" }).click();
  await expect(memberRow).toHaveCount(0);
  await member.goto("/apps");
  await expect(member).toHaveURL(/\/welcome$/);
  await checkPage(member, "welcome");
  await memberContext.close();

  // Account settings: sessions, single sign-on, two-factor authentication.
  await page.goto("/settings/sessions");
  await heading(page, "Your sessions");
  await checkPage(page, "settings-sessions");
  await page.goto("/settings/sso");
  await heading(page, "Single sign-on");
  await checkPage(page, "settings-sso");
  await page.goto("/settings/security/2fa");
  await checkPage(page, "settings-2fa");
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  const key = base32Decode((await page.getByTestId("totp-secret").textContent())!.replace(/\s/g, ""));
  await page.getByLabel("Code from your app").fill("000000");
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText("That code is not correct.")).toBeVisible();
  await checkPage(page, "settings-2fa-enrol");
  await page.getByLabel("Code from your app").fill(totp(key, Date.now()));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  await checkPage(page, "settings-2fa-codes");
  await page.goto("/settings/security/2fa");
  await page.getByRole("button", { name: "Require it of every member" }).click();
  await expect(page.getByText("Members now need two-factor authentication.")).toBeVisible();
  await checkPage(page, "settings-2fa-on");

  // Reset (as after a lost phone) in a team that requires it: the setup page, before anything else.
  await page.goto("/settings");
  await page.getByRole("button", { name: `Reset 2FA of ${adminEmail}` }).click();
  await page.getByRole("dialog", { name: `Reset two-factor authentication of ${adminEmail}?` }).getByRole("button", { name: "Reset 2FA" }).click();
  await expect(page).toHaveURL(/\/two-factor\/setup/);
  await expect(page.getByRole("heading", { name: "Set up two-factor authentication" })).toBeVisible();
  await checkPage(page, "two-factor-setup");
});
