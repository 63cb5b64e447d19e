import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";
import { createInvite, PASSWORD, signUp, uniqueEmail } from "./support/auth";
import { createApp, openAuditLog, startHostedRegistry } from "./support/flows";
import { E2E_PROXY_SERVICE_TOKEN } from "./support/services";

/**
 * The Images page in Chromium against a real CNCF Distribution on 127.0.0.1 (the portal runs
 * with ALLOW_PRIVATE_REGISTRY_HOSTS=true, see playwright.config.ts). Locally a missing
 * docker-registry/skopeo/htpasswd skips; with CI=true it fails.
 */

const REGISTRY_PASSWORD = "e2e-registry-Pa55word";
const SCREENS = "test-results/screens";

test.skip(!requireBinaries("docker-registry", "skopeo", "htpasswd"), "docker-registry, skopeo and htpasswd are needed");

let reg: Distribution;
let work: string;
let img: BuiltImage;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  reg = await startDistribution({ auth: "htpasswd", users: { vendor: REGISTRY_PASSWORD } });
  work = await fs.mkdtemp(path.join(os.tmpdir(), "e2e-images-"));
  img = await buildOciImage(work, { layers: [{ sizeBytes: 64 * 1024 }], platforms: ["linux/amd64", "linux/arm64"], tag: "1.0" });
  await pushImage(work, `${reg.host}/team/app:1.0`, { creds: { username: "vendor", password: REGISTRY_PASSWORD }, all: true });
});
test.afterAll(async () => {
  await reg?.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

async function addRegistry(page: Page, opts: { password: string; name?: string }) {
  const dialog = page.getByRole("dialog", { name: "Add external registry" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Endpoint").fill(reg.url);
  await dialog.getByLabel("Username").fill("vendor");
  await dialog.getByLabel("Password or access token").fill(opts.password);
  if (opts.name) await dialog.getByLabel("Name (optional)").fill(opts.name);
  await dialog.getByLabel("Image to test (optional)").fill("team/app:1.0");
  return dialog;
}

test("add a registry, test it (platforms, digest), rotate, cap its cache, convert an image, delete", async ({ page }) => {
  test.setTimeout(180_000); // many steps, each a real registry round trip
  await signUp(page, { email: uniqueEmail("images"), teamName: "Acme Images" });
  await page.getByRole("link", { name: "Apps", exact: true }).click();
  await createApp(page, { name: "Image Lab" });
  await page.getByRole("link", { name: "Images", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Images", level: 1 })).toBeVisible();
  await expect(page.getByText("No external registries yet")).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/images-empty.png`, fullPage: true });

  // The dialog opens from the empty state, with the keyboard.
  await page.getByRole("button", { name: "Add your first registry" }).focus();
  await page.keyboard.press("Enter");
  const dialog = await addRegistry(page, { password: "not-the-password", name: "upstream" });
  // Tabs switch with the arrow keys and keep what was typed.
  await dialog.getByRole("tab", { name: "Other Registry or Docker Hub" }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(dialog.getByRole("tab", { name: "Amazon ECR" })).toHaveAttribute("aria-selected", "true");
  await expect(dialog.getByText("ecr:GetAuthorizationToken")).toBeVisible();
  await expect(dialog.getByRole("link", { name: "ECR tutorial" })).toHaveAttribute("href", "/tutorials/ecr");
  await page.keyboard.press("ArrowRight");
  await expect(dialog.getByLabel("JSON key")).toBeVisible();
  await page.keyboard.press("Home");
  await expect(dialog.getByLabel("Endpoint")).toHaveValue(reg.url);

  // Wrong password: the draft test says why, and saving with "Test before saving" refuses.
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.getByTestId("test-result")).toContainText(/credentials rejected/i);
  await expect(dialog.getByTestId("test-result")).toContainText("Authenticate (Basic)");
  await dialog.getByRole("button", { name: "Test and save" }).click();
  await expect(dialog.getByText("Nothing was saved.")).toBeVisible();
  await expect(dialog.getByTestId("test-result")).toContainText(/credentials rejected/i);

  // The right password: the test passes and shows the index's platforms.
  await dialog.getByLabel("Password or access token").fill(REGISTRY_PASSWORD);
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.getByText("Connection test passed")).toBeVisible();
  await expect(dialog.getByTestId("platform")).toHaveText(["linux/amd64", "linux/arm64"]);
  await expect(dialog.getByText("Multi-platform index", { exact: true })).toBeVisible();
  await expect(dialog.getByText(img.digest, { exact: true })).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/images-add-dialog.png` });
  await dialog.getByRole("button", { name: "Test and save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Added ${reg.url}.`)).toBeVisible();

  const row = page.getByTestId(`registry-${reg.host}`);
  await expect(row).toContainText(reg.url);
  await expect(row).toContainText("name: upstream");
  await expect(row).toContainText("vendor");
  await expect(row.getByTestId("last-test")).toContainText("Passed");
  await expect(row.getByTestId("last-test")).toContainText("multi-platform index (linux/amd64, linux/arm64)");
  // The secret never reaches the browser.
  expect(await page.content()).not.toContain(REGISTRY_PASSWORD);

  // The proxy converter: a host with a port goes through the registry's name.
  const push = page.getByTestId("push-image-lab");
  await expect(push).toContainText("docker tag IMAGE:TAG localhost:5000/image-lab/IMAGE:TAG");
  await push.getByLabel("Local image").fill("api:2.0");
  await expect(push.getByText("docker push localhost:5000/image-lab/api:2.0")).toBeVisible();
  await push.getByLabel("Upstream image").fill(`${reg.host}/team/app:1.0`);
  await expect(push.getByTestId("proxy-reference")).toContainText("localhost:5050/proxy/image-lab/upstream/team/app:1.0");
  await push.getByLabel("Upstream image").fill("quay.io/acme/api:1.2");
  await expect(push.getByTestId("proxy-reference")).toContainText("localhost:5050/proxy/image-lab/quay.io/acme/api:1.2");
  await expect(push.getByTestId("proxy-reference")).toContainText("no external registry for quay.io");
  await page.screenshot({ path: `${SCREENS}/images-filled.png`, fullPage: true });

  // Row test: each step, the platforms, the digest; a missing tag is "not found". Escape closes.
  await row.getByRole("button", { name: `Test ${reg.url}` }).click();
  const testDialog = page.getByRole("dialog", { name: `Test ${reg.url}` });
  await expect(testDialog.getByTestId("test-step").first()).toBeVisible(); // the stored result,
  await expect(testDialog.getByRole("definition").filter({ hasText: "team/app:1.0" })).toBeVisible(); // with the manifest it found
  await expect(testDialog.getByTestId("platform")).toHaveText(["linux/amd64", "linux/arm64"]);
  await page.screenshot({ path: `${SCREENS}/images-stored-test.png` });
  await testDialog.getByLabel("Image (optional)").fill("team/app:1.0");
  await testDialog.getByRole("button", { name: "Run test" }).click();
  await expect(testDialog.getByText("Connection test passed")).toBeVisible();
  await expect(testDialog.getByTestId("platform")).toHaveText(["linux/amd64", "linux/arm64"]);
  await expect(testDialog.getByText(img.digest, { exact: true })).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/images-test-dialog.png` });
  await testDialog.getByLabel("Image (optional)").fill("team/app:9.9");
  await testDialog.getByRole("button", { name: "Run test" }).click();
  await expect(testDialog.getByTestId("test-result")).toContainText(/Image or tag not found \(404\)/);
  await page.keyboard.press("Escape");
  await expect(testDialog).toBeHidden();
  // A mistyped tag fails the image, not the credentials.
  await expect(row.getByTestId("last-test")).toContainText("Connected");
  await expect(row.getByTestId("last-test")).toContainText("Image check failed");

  // Rotation with a wrong password keeps the old credentials.
  await row.getByRole("button", { name: `More actions for ${reg.url}` }).click();
  await row.getByRole("menuitem", { name: `Rotate credentials of ${reg.url}` }).click();
  const rotate = page.getByRole("dialog", { name: `Rotate credentials of ${reg.url}` });
  await expect(rotate.getByLabel("New username")).toHaveValue("vendor");
  await rotate.getByLabel("New password or access token").fill("also-wrong");
  await rotate.getByRole("button", { name: "Test and replace" }).click();
  await expect(rotate.getByText("The old credentials were kept: nothing changed.")).toBeVisible();
  await expect(rotate.getByTestId("test-result")).toContainText(/credentials rejected/i);
  await page.screenshot({ path: `${SCREENS}/images-rotate-refused.png` });
  await rotate.getByLabel("New password or access token").fill(REGISTRY_PASSWORD);
  await rotate.getByLabel("Image to test (optional)").fill("team/app:1.0");
  await rotate.getByRole("button", { name: "Test and replace" }).click();
  await expect(rotate).toBeHidden();
  await expect(page.getByText(`New credentials for ${reg.url} are in use.`)).toBeVisible();
  await expect(row.getByTestId("credentials-updated")).toContainText("Credentials rotated");
  await expect(row.getByTestId("last-test")).toContainText("Passed");

  // The proxy cache: nothing cached yet; a cap set in the settings dialog shows in the row's summary.
  const cache = row.getByRole("group", { name: `Cache of ${reg.url}` });
  await expect(cache).toContainText("Nothing cached yet: the first pull through the proxy fills the cache.");
  await expect(cache).toContainText("No size cap");
  await row.getByRole("button", { name: `Cache settings of ${reg.url}` }).click();
  const cacheDialog = page.getByRole("dialog", { name: `Cache settings of ${reg.url}` });
  await expect(cacheDialog.getByRole("switch", { name: /Keep copies/ })).toBeChecked();
  await expect(cacheDialog.getByLabel("Serve stale tags for up to (hours)")).toHaveValue("24");
  await cacheDialog.getByLabel("Size cap").fill("0.5");
  await cacheDialog.getByLabel("Unit").selectOption("MiB");
  await cacheDialog.getByRole("button", { name: "Save settings" }).click();
  await expect(cacheDialog.getByText("The cap must be at least 1 MiB.")).toBeVisible();
  await expect(cacheDialog.getByLabel("Size cap")).toBeFocused();
  await cacheDialog.getByLabel("Size cap").fill("20");
  await cacheDialog.getByLabel("Unit").selectOption("GiB");
  await cacheDialog.getByLabel("Serve stale tags for up to (hours)").fill("12");
  for (const [width, height, name] of [[1440, 900, "wide"], [390, 844, "phone"]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SCREENS}/images-cache-settings-${name}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await cacheDialog.getByRole("button", { name: "Save settings" }).click();
  await expect(cacheDialog).toBeHidden();
  await expect(page.getByText("Cache on: capped at 20 GiB, stale tags served for up to 12 h.")).toBeVisible();
  await expect(cache).toContainText("Cap 20 GiB");
  for (const [width, height, name] of [[1440, 900, "wide"], [390, 844, "phone"]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SCREENS}/images-cache-${name}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  // A stopped registry: connection refused (a draft test, nothing saved).
  const gone = await startDistribution({ auth: "none" });
  await gone.stop();
  await page.getByRole("button", { name: "Add external registry" }).click();
  const add2 = page.getByRole("dialog", { name: "Add external registry" });
  await add2.getByLabel("Endpoint").fill(gone.url);
  await add2.getByLabel("Username").fill("vendor");
  await add2.getByLabel("Password or access token").fill("x");
  await add2.getByRole("button", { name: "Test connection" }).click();
  await expect(add2.getByTestId("test-result")).toContainText("Connection refused");
  await add2.getByRole("button", { name: "Cancel" }).click();
  await expect(add2).toBeHidden();

  // Delete, confirmed by typing the endpoint.
  // The menu works from the keyboard: Enter opens it on its first item, arrows are not needed for three items.
  await row.getByRole("button", { name: `More actions for ${reg.url}` }).focus();
  await page.keyboard.press("Enter");
  await expect(row.getByRole("menuitem", { name: `Rotate credentials of ${reg.url}` })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(row.getByRole("menu")).toHaveCount(0);
  await row.getByRole("button", { name: `More actions for ${reg.url}` }).click();
  await row.getByRole("menuitem", { name: `Delete ${reg.url}` }).click();
  const del = page.getByRole("dialog", { name: `Delete ${reg.url}?` });
  await del.getByLabel(`Type ${reg.url} to confirm`).fill("wrong.example.com");
  await del.getByRole("button", { name: "Delete registry" }).click();
  await expect(del.getByText(`Type ${reg.url} to confirm deletion.`)).toBeVisible();
  await del.getByLabel(`Type ${reg.url} to confirm`).fill(reg.url);
  await del.getByRole("button", { name: "Delete registry" }).click();
  await expect(del).toBeHidden();
  await expect(page.getByText(`Deleted ${reg.url} and its credentials.`)).toBeVisible();
  await expect(page.getByText("No external registries yet")).toBeVisible();

  // The audit log has the story.
  const events = await openAuditLog(page);
  for (const action of ["registry.create", "registry.test", "registry.rotate", "registry.cache_settings", "registry.delete"]) await expect(events).toContainText(action);
});

test("a read-only member sees the registries but no button that would fail", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signUp(page, { email: uniqueEmail("admin"), teamName: "Read Only Co" });
  await page.getByRole("link", { name: "Images", exact: true }).click();
  await page.getByRole("button", { name: "Add your first registry" }).click();
  const dialog = await addRegistry(page, { password: REGISTRY_PASSWORD });
  await dialog.getByRole("button", { name: "Test and save" }).click();
  await expect(dialog).toBeHidden();

  const { email: readerEmail, link } = await createInvite(page, { role: "read_only", emailPrefix: "reader" });

  const other = await browser.newContext();
  const reader = await other.newPage();
  await reader.goto(link!);
  await reader.getByLabel("Password").fill(PASSWORD);
  await reader.getByRole("button", { name: "Create account and join" }).click();
  await expect(reader.getByText("You joined Read Only Co.")).toBeVisible();
  await reader.getByRole("link", { name: "Images", exact: true }).click();

  const row = reader.getByTestId(`registry-${reg.host}`);
  await expect(row).toContainText(reg.url);
  await expect(row.getByTestId("last-test")).toContainText("Passed");
  await expect(reader.getByText(/Your role is read-only/)).toBeVisible();
  await expect(row.getByRole("group", { name: `Cache of ${reg.url}` })).toContainText("Cache on");
  for (const name of ["Add external registry", "Add your first registry", `Test ${reg.url}`, `More actions for ${reg.url}`, `Rotate credentials of ${reg.url}`, `Delete ${reg.url}`, `Cache settings of ${reg.url}`]) {
    await expect(reader.getByRole("button", { name })).toHaveCount(0);
  }
  // What they can do: read the last test's steps.
  await row.getByRole("button", { name: `Last test of ${reg.url}` }).click();
  const details = reader.getByRole("dialog", { name: `Test ${reg.url}` });
  await expect(details.getByTestId("test-step")).toHaveCount(6);
  await expect(details.getByRole("button", { name: "Run test" })).toHaveCount(0);
  await reader.keyboard.press("Escape");
  expect(await reader.content()).not.toContain(REGISTRY_PASSWORD);
  await reader.screenshot({ path: `${SCREENS}/images-read-only.png`, fullPage: true });
  await other.close();
});

test("the cache's traffic in a registry's row, and a purge of one repository through the cache store", async ({ page }) => {
  test.setTimeout(120_000);
  // The cache store: the hosted registry's Distribution, trusting the portal's tokens (playwright.config.ts).
  const store = await startHostedRegistry();
  try {
    await signUp(page, { email: uniqueEmail("cache"), teamName: "Cache Co" });
    await page.getByRole("link", { name: "Images", exact: true }).click();
    await page.getByRole("button", { name: "Add your first registry" }).click();
    const add = await addRegistry(page, { password: REGISTRY_PASSWORD });
    await add.getByRole("button", { name: "Test and save" }).click();
    await expect(add).toBeHidden();
    const row = page.getByTestId(`registry-${reg.host}`);
    await row.getByRole("button", { name: `Cache settings of ${reg.url}` }).click();
    const registryId = await page.getByRole("dialog", { name: `Cache settings of ${reg.url}` }).locator('input[name="id"]').inputValue();
    await page.keyboard.press("Escape");

    // What the proxies report: three copies in two repositories, 7 of 10 requests answered from the cache.
    const MiB = 1024 ** 2;
    const at = new Date().toISOString();
    const digest = (n: number) => `sha256:${crypto.createHash("sha256").update(`layer ${n}`).digest("hex")}`;
    const reported = await page.request.post("/api/internal/proxy/cache-events", {
      headers: { authorization: `Bearer ${E2E_PROXY_SERVICE_TOKEN}` },
      data: {
        events: [
          { kind: "stored", registryId, repository: "team/app", digest: digest(1), size: 300 * MiB, at },
          { kind: "stored", registryId, repository: "team/app", digest: digest(2), size: 100 * MiB, at },
          { kind: "stored", registryId, repository: "team/web", digest: digest(3), size: 50 * MiB, at },
        ],
        traffic: [{ registryId, hits: 7, misses: 3, stale: 0, cacheBytes: 1536 * MiB, upstreamBytes: 450 * MiB }],
      },
    });
    expect(reported.status()).toBe(200);

    await page.reload();
    const cache = row.getByRole("group", { name: `Cache of ${reg.url}` });
    await expect(cache).toContainText("70% hit ratio");
    await expect(cache.getByRole("term")).toHaveText(["From cache", "From upstream", "Egress saved", "Stored"]);
    await expect(cache.getByRole("definition")).toHaveText(["1.5 GiB", "450 MiB", "1.5 GiB", /^450 MiB, no cap\s*3 copies$/]);
    for (const [width, height, name] of [[1440, 900, "wide"], [390, 844, "phone"]] as const) {
      await page.setViewportSize({ width, height });
      await row.screenshot({ path: `${SCREENS}/images-cache-row-${name}.png` });
    }
    await page.setViewportSize({ width: 1280, height: 720 });

    // Purge one repository, from the keyboard, after the confirmation.
    await row.getByRole("button", { name: `Cache settings of ${reg.url}` }).click();
    const dialog = page.getByRole("dialog", { name: `Cache settings of ${reg.url}` });
    await dialog.getByRole("radio", { name: "One repository" }).check();
    await dialog.getByLabel("Repository to purge").fill("team/app");
    await page.keyboard.press("Enter");
    await expect(dialog.getByText(/Purge the copies of team\/app from the cache/)).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Purge cache" })).toBeFocused();
    await page.screenshot({ path: `${SCREENS}/images-cache-purge.png` });
    await page.keyboard.press("Enter");
    await expect(dialog).toBeHidden();
    await expect(page.getByText("Purged 2 copies (400 MiB) and 0 last confirmed tags.")).toBeVisible();
    await expect(cache.getByRole("definition").last()).toHaveText(/^50 MiB, no cap\s*1 copy$/);
  } finally {
    await store.stop();
  }
});
