import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { buildOciImage, pushImage, requireBinaries, type BuiltImage, type Distribution } from "@/test/support/registry";
import { PASSWORD, signUp, uniqueEmail } from "./support/auth";
import { startHostedRegistry } from "./support/flows";

/**
 * An app's page in Chromium: the vendor lists an image pushed to the hosted registry (a real
 * Distribution behind the portal's token service), sees the reference customers pull and the
 * image's live digest, platform and size, gets an inline error for an image no registry of the
 * team serves, and turns "only listed images" off and on. Screenshots at 1440x900 and 390x844.
 */

const SCREENS = "test-results/screens";

test.skip(!requireBinaries("docker-registry", "skopeo"), "docker-registry and skopeo are needed");

let registry: Distribution;
let work: string;
let img: BuiltImage;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  registry = await startHostedRegistry();
  work = await fsp.mkdtemp(path.join(os.tmpdir(), "e2e-app-images-"));
  img = await buildOciImage(work, { layers: [{ sizeBytes: 30_000 }, { files: { "etc/app.conf": "x=1\n" } }], tag: "1.0" });
});
test.afterAll(async () => {
  await registry?.stop();
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

test("an app's images: add one, see what customers pull and what it is now, inline errors, the switch", async ({ page }) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("images");
  await signUp(page, { email, teamName: "Ledger Co" });
  await page.getByLabel("App name").fill("Ledger");
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page.getByText("Created Ledger (ledger).")).toBeVisible();
  await pushImage(work, `${registry.host}/ledger/api:1.0`, { creds: { username: email, password: PASSWORD }, tag: "1.0" });

  await page.getByRole("link", { name: "Images of Ledger" }).click();
  await expect(page.getByRole("heading", { name: "Ledger", level: 1 })).toBeVisible();
  await expect(page.getByText("No images listed")).toBeVisible();
  await expect(page.getByText("No registries yet: connect one on the Images page, or push to the Portcullis registry.")).toBeVisible();
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: `${SCREENS}/app-images-empty-1440.png`, fullPage: true });

  // No registry of the team serves quay.io: the field says so, and what was typed stays.
  const field = page.getByLabel("Image", { exact: true });
  await field.fill("quay.io/acme/api:1.4");
  await page.getByRole("button", { name: "Add image" }).click();
  await expect(page.getByText("No registry of this team serves quay.io: add it on the Images page first, or push the image to the hosted registry.")).toBeVisible();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toHaveValue("quay.io/acme/api:1.4");

  // The hosted registry's public host is the default localhost:REGISTRY_PORT here (REGISTRY_URL unset).
  await field.fill("localhost:5000/ledger/api:1.0");
  await page.getByRole("button", { name: "Add image" }).click();
  await expect(page.getByText("Added localhost:5000/ledger/api:1.0.")).toBeVisible();
  const row = page.getByTestId("app-image");
  await expect(row).toHaveCount(1);
  await expect(row.getByText("Portcullis registry")).toBeVisible();
  await expect(row.locator("code")).toHaveText("localhost:5000/ledger/api:1.0");
  await expect(row.getByRole("button", { name: "Copy pull reference" })).toBeVisible();
  const details = row.getByTestId("image-details");
  await expect(details).toContainText(img.digest, { timeout: 20_000 });
  await expect(details).toContainText("linux/amd64");
  await expect(details).toContainText("compressed");
  await page.screenshot({ path: `${SCREENS}/app-images-1440.png`, fullPage: true });

  // Adding it again is refused in the field.
  await field.fill("localhost:5000/ledger/api:1.1");
  await page.getByRole("button", { name: "Add image" }).click();
  await expect(page.getByText("localhost:5000/ledger/api:1.1 is already one of this app's images.")).toBeVisible();

  // The switch saves on change and says what it means.
  const onlyListed = page.getByRole("checkbox", { name: "Only listed images" });
  await expect(onlyListed).toBeChecked();
  await onlyListed.uncheck();
  await expect(page.getByText("Off: licenses of this app pull any repository of your registries through the proxy, listed or not.")).toBeVisible();
  // The switch shows the new value at once and says "Saving…" until the server has it: reload after that.
  await expect(onlyListed).toHaveAttribute("aria-busy", "false");
  await page.reload();
  await expect(page.getByRole("checkbox", { name: "Only listed images" })).not.toBeChecked();
  await page.getByRole("checkbox", { name: "Only listed images" }).check();
  await expect(page.getByText("Licenses of this app pull only the images below through the proxy; any other repository is refused.")).toBeVisible();

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(details).toContainText(img.digest);
  await page.screenshot({ path: `${SCREENS}/app-images-390.png`, fullPage: true });

  // Removing it empties the list again.
  await page.setViewportSize({ width: 1440, height: 900 });
  await row.getByRole("button", { name: "Remove localhost:5000/ledger/api:1.0" }).click();
  await expect(page.getByTestId("app-image")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "No images listed" })).toBeVisible();
});
