import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { buildOciImage, pushImage, requireBinaries, type BuiltImage, type Distribution } from "@/test/support/registry";
import { PASSWORD, signUp, uniqueEmail } from "./support/auth";
import { createCustomerWithLicense, startHostedRegistry } from "./support/flows";

/**
 * Deleting an app in Chromium, with the hosted registry (a real Distribution trusting the
 * portal's token service on the port the portal was told, see playwright.config.ts): the
 * confirmation says what it deletes, the images go, and the slug can't be taken again.
 */

const SCREENS = "test-results/screens";

test.skip(!requireBinaries("docker-registry", "skopeo"), "docker-registry and skopeo are needed");

let registry: Distribution;
let work: string;
let img: BuiltImage;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  registry = await startHostedRegistry();
  work = await fsp.mkdtemp(path.join(os.tmpdir(), "e2e-apps-"));
  img = await buildOciImage(work, { layers: [{ files: { "etc/app.conf": "x=1\n" } }], tag: "1.0" });
});
test.afterAll(async () => {
  await registry?.stop();
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

async function createApp(page: Page, name: string, slug?: string) {
  await page.getByLabel("App name").fill(name);
  if (slug) await page.getByLabel("Slug").fill(slug);
  await page.getByRole("button", { name: "Create app" }).click();
}

test("delete an app: the dialog says what happens, the hosted images go, the slug stays reserved", async ({ page }) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("apps");
  await signUp(page, { email, teamName: "Payments Co" });
  await createApp(page, "Payments");
  await expect(page.getByText("Created Payments (payments).")).toBeVisible();

  // The vendor pushes three tags in two repositories with email + password.
  const creds = { username: email, password: PASSWORD };
  for (const target of ["payments/api:1.0", "payments/api:1.1", "payments/web:1.0"]) await pushImage(work, `${registry.host}/${target}`, { creds, tag: "1.0" });

  const tagsOf = (repo: string) => {
    const dir = path.join(registry.storageDir, "docker/registry/v2/repositories/payments", repo, "_manifests/tags");
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  };
  expect(tagsOf("api")).toEqual(["1.0", "1.1"]);

  // A customer with a license of the app.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  const { customer: globex } = await createCustomerWithLicense(page, "Globex");
  await globex.getByRole("button", { name: "Done" }).click();
  await page.getByRole("link", { name: "Apps", exact: true }).click();

  const row = page.getByTestId("app-payments");
  await row.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete Payments?" });
  await expect(dialog).toBeVisible();
  const effects = dialog.getByRole("list", { name: "What deleting does" });
  await expect(effects).toContainText("1 active license is revoked");
  await expect(effects).toContainText("2 repositories (3 tags) in the hosted registry are deleted");
  await expect(effects).toContainText("payments/api — 2 tags");
  await expect(effects).toContainText("payments/web — 1 tag");
  await expect(effects).toContainText("The slug payments is reserved forever");
  await page.screenshot({ path: `${SCREENS}/app-delete-dialog.png` });

  await dialog.getByLabel("Type payments to confirm").fill("payment");
  await dialog.getByRole("button", { name: "Delete app" }).click();
  await expect(dialog.getByText("Type payments to confirm deletion.")).toBeVisible();
  await dialog.getByLabel("Type payments to confirm").fill("payments");
  await dialog.getByRole("button", { name: "Delete app" }).click();
  await expect(page.getByTestId("app-payments")).toHaveCount(0);

  // The tags are gone from the registry's storage, and the slug can't be taken again.
  expect(tagsOf("api")).toEqual([]);
  expect(tagsOf("web")).toEqual([]);
  await expect(pushImage(work, `${registry.host}/payments/api:2.0`, { creds, tag: "1.0" })).rejects.toThrow(/denied|unauthorized/i);
  await createApp(page, "Payments again", "payments");
  await expect(page.getByText(/belonged to a deleted app/)).toBeVisible();

  // The license stays in the customer's history, revoked.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await expect(page.getByRole("region", { name: "Customer Globex" })).toContainText("revoked");
});
