import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type Distribution } from "@/test/support/registry";
import { signUp, uniqueEmail } from "./support/auth";
import { checkDialog, checkPage, expectNoAxeViolations, SCREENS, VIEWPORTS } from "./support/axe";

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
  reg = await startDistribution({ auth: "htpasswd", users: { vendor: PASSWORD } });
  work = await fs.mkdtemp(path.join(os.tmpdir(), "e2e-a11y-"));
  await buildOciImage(work, { layers: [{ sizeBytes: 16 * 1024 }], tag: "1.0" });
  await pushImage(work, `${reg.host}/team/app:1.0`, { creds: { username: "vendor", password: PASSWORD } });
});
test.afterAll(async () => {
  await reg?.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

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
  await page.getByRole("button", { name: "Add your first registry" }).click();
  const add = page.getByRole("dialog", { name: "Add external registry" });
  await add.getByLabel("Endpoint").fill(reg.url);
  await add.getByLabel("Username").fill("vendor");
  await add.getByLabel("Password or access token").fill(PASSWORD);
  await add.getByLabel("Image to test (optional)").fill("team/app:1.0");
  await add.getByRole("button", { name: "Test and save" }).click();
  await expect(add).toBeHidden({ timeout: 30_000 });
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
  await checkPage(page, "customers-empty");
  await page.getByLabel("Customer name").fill("Globex");
  await page.getByRole("button", { name: "Create customer" }).click();
  const globex = page.getByRole("region", { name: "Customer Globex" });
  await globex.getByRole("button", { name: "New license" }).click();
  await globex.getByRole("button", { name: "Issue license" }).click();
  await expect(globex.getByTestId("new-license-id")).toBeVisible();
  await checkPage(page, "customers-license-issued");
  await globex.getByRole("button", { name: "Done" }).click();
  await checkPage(page, "customers");
  await checkDialog(page, "license-revoke", () => globex.getByTestId("license-row").getByRole("button", { name: "Revoke", exact: true }).click());

  // An API token.
  await page.getByRole("link", { name: "Tokens", exact: true }).click();
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
  await page.goto("/tutorials/ecr");
  await checkPage(page, "tutorial");
  await page.goto("/apps");
  await checkDialog(page, "app-delete", () => page.getByTestId("app-axe-suite").getByRole("button", { name: /Delete/ }).click());
});
