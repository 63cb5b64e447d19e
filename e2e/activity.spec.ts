import fs from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import type { ProxyServer } from "@/proxy/server";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { requireBinaries, type Distribution } from "@/test/support/registry";
import { signUp, uniqueEmail } from "./support/auth";
import { addFirstRegistry, createApp, createCustomerWithLicense, startProxy, startUpstreamWithImage } from "./support/flows";

/**
 * Pull activity and a customer's delivery analytics in Chromium: a customer pulls through a real
 * registry proxy (started here against the portal's internal API) from a CNCF Distribution, a
 * guessed license is refused; the Customers page lists both with their result, the refusal's
 * reason and fix, filters them, and the customer's page charts what they pulled.
 */

const SCREENS = "test-results/screens";
const PASSWORD = "e2e-activity-Pa55word";
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";

test.skip(!requireBinaries("docker-registry", "skopeo", "htpasswd"), "docker-registry, skopeo and htpasswd are needed");
test.use({ permissions: ["clipboard-read", "clipboard-write"] });

let reg: Distribution;
let proxy: ProxyServer;
let proxyUrl: string;
let work: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  ({ reg, work } = await startUpstreamWithImage({ creds: { username: "vendor", password: PASSWORD }, ref: "team/app:1.0", sizeBytes: 64 * 1024, prefix: "e2e-activity-" }));
  ({ proxy, url: proxyUrl } = await startProxy(100));
});

test.afterAll(async () => {
  await proxy?.close(1000);
  await reg?.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

/** A pull as a client makes it: the manifest by tag, then every blob it names. */
async function pull(licenseId: string, image: string) {
  const authorization = licenseAuth(licenseId);
  const m = await rawRequest(`${proxyUrl}/v2/proxy/${image}/manifests/1.0`, { headers: { authorization, accept: MANIFEST } });
  if (m.status !== 200) return m.status;
  const manifest = JSON.parse(m.body.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
  for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) await rawRequest(`${proxyUrl}/v2/proxy/${image}/blobs/${d}`, { headers: { authorization } });
  return m.status;
}

async function shoot(page: Page, name: string) {
  for (const [w, h, suffix] of [
    [1440, 900, ""],
    [390, 844, "-mobile"],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.screenshot({ path: `${SCREENS}/${name}${suffix}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

test("pull attempts with their result and reason, filters, and a customer's analytics", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, { email: uniqueEmail("activity"), teamName: "Deliveries Inc" });
  await createApp(page, { name: "Rocket" });

  await page.getByRole("link", { name: "Images", exact: true }).click();
  await addFirstRegistry(page, reg, { username: "vendor", password: PASSWORD }, { name: "vendor" });

  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await expect(page.getByText("No pulls yet.")).toBeVisible();
  const { customer: globex, licenseId } = await createCustomerWithLicense(page, "Globex");
  await globex.getByRole("button", { name: "Done" }).click();

  // A pull, twice, and a guessed license's attempt.
  expect(await pull(licenseId, "rocket/vendor/team/app")).toBe(200);
  expect(await pull(licenseId, "rocket/vendor/team/app")).toBe(200);
  expect(await pull("guessed-license-0000000000000", "rocket/vendor/team/app")).toBe(401);
  await expect.poll(() => proxy.pullLog.sent, { timeout: 15_000 }).toBeGreaterThanOrEqual(7);
  await proxy.pullLog.flush(true);

  await page.reload();
  const list = page.getByRole("table", { name: "Pull attempts by customers" });
  await expect(list.getByRole("row")).toHaveCount(4); // head + two pulls + one refusal
  const refused = list.getByRole("row").filter({ hasText: "Refused" });
  await expect(refused).toContainText("Unknown license");
  await expect(refused).toContainText("The license ID is not one this team issued");
  await expect(refused).toContainText("unknown_license");
  await expect(refused).toContainText("proxy/rocket/vendor/team/app:1.0");
  const pulled = list.getByRole("row").filter({ hasText: "Pulled" });
  await expect(pulled).toHaveCount(2);
  await expect(pulled.first()).toContainText(`Globex (license …${licenseId.slice(-4)})`);
  await expect(pulled.first()).not.toContainText(reg.host);
  await page.locator("#pull-attempts").scrollIntoViewIfNeeded();
  await shoot(page, "activity-customers");

  // Filter by result, with the keyboard.
  await page.getByLabel("Result").selectOption("refused");
  await page.getByRole("button", { name: "Filter" }).press("Enter");
  await expect(page).toHaveURL(/result=refused/);
  await expect(page.getByRole("table", { name: "Pull attempts by customers" }).getByRole("row")).toHaveCount(2);
  await page.getByText("What the reasons mean").first().click();
  await expect(page.getByRole("table", { name: "Reasons" }).first()).toContainText("revoked_license");

  // The customer's page: totals, charts with their table, versions, and the customer's own attempts.
  await page.getByRole("link", { name: "Pulls and analytics" }).click();
  await expect(page.getByRole("heading", { name: "Globex", level: 1 })).toBeVisible();
  await expect(page.getByRole("img", { name: "Pulls per day" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Bytes per day" })).toBeVisible();
  await page.getByText("Show the days as a table").click();
  const today = new Date().toISOString().slice(0, 10);
  await expect(page.getByRole("table", { name: "Pulls and bytes per day" }).getByRole("row").filter({ hasText: today })).toContainText("2");
  await expect(page.getByRole("table", { name: "Pulls and bytes per image" })).toContainText("proxy/rocket/vendor/team/app");
  await expect(page.getByRole("table", { name: "Versions pulled" })).toContainText("1.0");
  await expect(page.getByRole("table", { name: "Pull attempts" }).getByRole("row")).toHaveCount(3);
  await shoot(page, "activity-customer-analytics");
});
