import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import type { ProxyServer } from "@/proxy/server";
import { pullImage, requireBinaries, type Distribution } from "@/test/support/registry";
import { signUp, uniqueEmail } from "./support/auth";
import { checkPage } from "./support/axe";
import { createApp, createCustomer, issueLicense, startProxy, startUpstreamWithImage } from "./support/flows";

/**
 * The first-run checklist on Home leads a new vendor through the whole path in Chromium: an app,
 * a registry (a CNCF Distribution on 127.0.0.1), its connection test, a customer, a license, and
 * a first pull through a real registry proxy started here against the portal's internal API.
 * After each step Home ticks it, and its "Next:" link names the following step and opens the page
 * where it is done.
 */

const CREDS = { username: "vendor", password: "e2e-onboarding-Pa55word" };

test.skip(!requireBinaries("docker-registry", "skopeo", "htpasswd"), "docker-registry, skopeo and htpasswd are needed");

let reg: Distribution;
let work: string;
let proxy: ProxyServer;
let proxyPort: number;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  ({ reg, work } = await startUpstreamWithImage({ creds: CREDS, ref: "team/app:1.0", sizeBytes: 16 * 1024, prefix: "e2e-onboarding-" }));
  ({ proxy, port: proxyPort } = await startProxy(200));
});

test.afterAll(async () => {
  await proxy?.close(1000);
  await reg?.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

const TITLES = {
  app: "Create an app",
  registry: "Add the registry your images live in",
  test: "Pass a connection test",
  customer: "Add a customer",
  license: "Issue a license",
  pull: "First pull through the proxy",
} as const;
type StepId = keyof typeof TITLES;
const ORDER = Object.keys(TITLES) as StepId[];

/** Where each step is done: the "Next:" link's name and address, and the page's heading. */
const NEXT: Record<StepId, { link: string; href: string; heading: string }> = {
  app: { link: "Next: Create an app", href: "/apps", heading: "Apps" },
  registry: { link: "Next: Add a registry", href: "/images", heading: "Images" },
  test: { link: "Next: Test the registry", href: "/images", heading: "Images" },
  customer: { link: "Next: Add a customer", href: "/customers", heading: "Customers" },
  license: { link: "Next: Issue a license", href: "/customers", heading: "Customers" },
  pull: { link: "Next: See the pull commands", href: "/tutorials/ecr#step-pull", heading: "From an Amazon ECR repository to a pulled image" },
};

const checklist = (page: Page) => page.getByRole("region", { name: "From an app to a customer's first pull" });

/** Opens Home from the sidebar and checks the checklist: the first `done` steps ticked, the next one offered. */
async function expectHome(page: Page, done: number) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Home", exact: true }).click();
  const list = checklist(page);
  await expect(list).toBeVisible();
  await expect(list.getByTestId("onboarding-progress")).toHaveText(`${done} of 6 done`);
  for (const [i, id] of ORDER.entries()) {
    const state = i < done ? "(done)" : i === done ? "(next step)" : "(not yet)";
    // The step's title, with what a screen reader hears after it.
    await expect(list.getByTestId(`onboarding-${id}`).locator("p").first()).toHaveText(`${TITLES[id]} ${state}`);
  }
  const next = ORDER[done];
  const links = list.getByRole("link", { name: /^Next:/ });
  if (!next) {
    await expect(links).toHaveCount(0);
    return list;
  }
  await expect(links).toHaveCount(1);
  await expect(links).toHaveAccessibleName(NEXT[next].link);
  await expect(links).toHaveAttribute("href", NEXT[next].href);
  return list;
}

/** Follows the checklist's "Next:" link and checks that it leads to the page where the step is done. */
async function followNext(page: Page, id: StepId) {
  await checklist(page).getByRole("link", { name: NEXT[id].link }).click();
  await expect(page).toHaveURL(new RegExp(`${NEXT[id].href.replace(/[#/]/g, "\\$&")}$`));
  await expect(page.getByRole("heading", { name: NEXT[id].heading, level: 1 })).toBeVisible();
}

test("a new vendor is led by Home's checklist from sign-up to a customer's first pull", async ({ page }) => {
  test.setTimeout(300_000);
  // Slugs are unique across the portal: this one is the run's own.
  const slug = `launch-${crypto.randomBytes(3).toString("hex")}`;
  await signUp(page, { email: uniqueEmail("onboarding"), teamName: "Launch Co" });

  // Nothing done yet: the first step is next.
  const start = await expectHome(page, 0);
  await expect(start.getByTestId("onboarding-app")).toContainText("An app is what you sell");
  await checkPage(page, "onboarding-start");

  // 1. An app.
  await followNext(page, "app");
  // The other pages carry the next step too.
  await expect(page.getByTestId("onboarding-banner")).toContainText("Welcome to Portcullis.");
  await createApp(page, { name: "Launchpad", slug });
  await expect(page.getByTestId("onboarding-banner").getByRole("link", { name: /^Next:/ })).toHaveAccessibleName("Next: Add a registry");
  let list = await expectHome(page, 1);
  await expect(list.getByTestId("onboarding-app")).toContainText(`Launchpad (${slug}).`);

  // 2. A registry, saved without its connection test.
  await followNext(page, "registry");
  await page.getByRole("button", { name: "Add your first registry" }).click();
  const add = page.getByRole("dialog", { name: "Add external registry" });
  await add.getByLabel("Endpoint").fill(reg.url);
  await add.getByLabel("Username").fill(CREDS.username);
  await add.getByLabel("Password or access token").fill(CREDS.password);
  await add.getByLabel("Name (optional)").fill("vendor");
  await add.getByRole("checkbox", { name: /Test before saving/ }).uncheck();
  await add.getByRole("button", { name: "Save registry" }).click();
  await expect(add).toBeHidden({ timeout: 30_000 });
  list = await expectHome(page, 2);
  await expect(list.getByTestId("onboarding-registry")).toContainText(`${reg.host}.`);

  // 3. Its connection test, with the image.
  await followNext(page, "test");
  await page.getByRole("button", { name: `Test ${reg.url}`, exact: true }).click();
  const testDialog = page.getByRole("dialog", { name: `Test ${reg.url}` });
  await testDialog.getByLabel("Image (optional)").fill("team/app:1.0");
  await testDialog.getByRole("button", { name: "Run test" }).click();
  await expect(testDialog.getByText("Connection test passed")).toBeVisible({ timeout: 30_000 });
  await page.keyboard.press("Escape");
  await expect(testDialog).toBeHidden();
  list = await expectHome(page, 3);
  await expect(list.getByTestId("onboarding-test")).toContainText(`Portcullis signed in to ${reg.host}.`);

  // 4. A customer.
  await followNext(page, "customer");
  await createCustomer(page, "Globex");
  list = await expectHome(page, 4);
  await expect(list.getByTestId("onboarding-customer")).toContainText("Globex.");

  // 5. A license: the same form, on the customer's card.
  await followNext(page, "license");
  const globex = page.getByRole("region", { name: "Customer Globex" });
  const licenseId = await issueLicense(globex);
  expect(licenseId).toMatch(/^[A-Za-z0-9_-]{27}$/);
  await globex.getByRole("button", { name: "Done" }).click();
  list = await expectHome(page, 5);
  await expect(list.getByTestId("onboarding-license")).toContainText(`License …${licenseId.slice(-4)} of Globex for ${slug}.`);

  // 6. The pull commands, then a first pull through the proxy with the license (by the registry's name: a path can't hold host:port).
  await followNext(page, "pull");
  await expect(page.getByTestId("value-license")).toHaveText(licenseId);
  await pullImage(`127.0.0.1:${proxyPort}/proxy/${slug}/vendor/team/app:1.0`, path.join(work, "pulled"), { creds: { username: "LICENSE_ID", password: licenseId } });
  // The proxy reports its pulls in batches: Home ticks the step once the portal has them.
  await expect(async () => {
    await page.goto("/");
    await expect(checklist(page).getByTestId("onboarding-progress")).toHaveText("6 of 6 done", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  // Done: every step ticked, no next step, and the checklist is gone from the other pages.
  list = await expectHome(page, 6);
  await expect(list.getByTestId("onboarding-pull")).toContainText(`proxy/${slug}/vendor/team/app`);
  await expect(list).toContainText("Done: a customer has pulled an image through Portcullis with a license.");
  await expect(page.getByText("Your customers pull your images through Portcullis with their licenses.")).toBeVisible();
  await checkPage(page, "onboarding-done");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Customers", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
  await expect(page.getByTestId("onboarding-banner")).toHaveCount(0);
});
