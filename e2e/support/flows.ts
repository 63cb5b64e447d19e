import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { selfSignedCertificate } from "@/lib/registry-auth/certificate";
import { REGISTRY_ISSUER, REGISTRY_SERVICE } from "@/lib/registry-auth/settings";
import { createProxyServer, type ProxyServer } from "@/proxy/server";
import { buildOciImage, pushImage, startDistribution, type Creds, type Distribution } from "@/test/support/registry";
import { E2E_PROXY_SERVICE_TOKEN, e2ePort, HOSTED_REGISTRY_PROJECT, hostedRegistryKeyFile, hostedRegistryPort } from "./services";

/**
 * The sequences many browser tests go through on the way to what they check: an app, a registry,
 * a customer with a license, and the real services behind them (an upstream Distribution with one
 * image, a registry proxy against the portal's internal API, the hosted registry).
 */

/** On the Apps page: creates an app (with its own slug when given) and waits for the confirmation. */
export async function createApp(page: Page, opts: { name: string; slug?: string }) {
  await page.getByLabel("App name").fill(opts.name);
  if (opts.slug) await page.getByLabel("Slug").fill(opts.slug);
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page.getByText(/^Created /)).toBeVisible();
}

/**
 * On the Images page with no registry yet: adds `reg` with `creds` through "Test and save" (the
 * connection test runs while adding; with `testImage` it also checks that image) and waits for the
 * dialog to close.
 */
export async function addFirstRegistry(page: Page, reg: Distribution, creds: Creds, opts: { name?: string; testImage?: string } = {}) {
  await page.getByRole("button", { name: "Add your first registry" }).click();
  const dialog = page.getByRole("dialog", { name: "Add external registry" });
  await dialog.getByLabel("Endpoint").fill(reg.url);
  await dialog.getByLabel("Username").fill(creds.username);
  await dialog.getByLabel("Password or access token").fill(creds.password);
  if (opts.name) await dialog.getByLabel("Name (optional)").fill(opts.name);
  if (opts.testImage) await dialog.getByLabel("Image to test (optional)").fill(opts.testImage);
  await dialog.getByRole("button", { name: "Test and save" }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
}

/**
 * Opens the audit log from the sidebar; returns its table of events. The link navigates in the
 * page, so the page it was clicked on stays until the audit log replaces it: only the log's own
 * heading and table say it is there.
 */
export async function openAuditLog(page: Page) {
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  return page.getByRole("table", { name: "Audit events" });
}

/** On the Customers page: creates the customer `name`; returns its region of the page. */
export async function createCustomer(page: Page, name: string) {
  await page.getByLabel("Customer name").fill(name);
  await page.getByRole("button", { name: "Create customer" }).click();
  const customer = page.getByRole("region", { name: `Customer ${name}` });
  await expect(customer).toBeVisible();
  return customer;
}

/** In a customer's region: issues it a license of the team's app; returns the license ID, still shown once (the caller presses "Done"). */
export async function issueLicense(customer: Locator) {
  await customer.getByRole("button", { name: "New license" }).click();
  await customer.getByRole("button", { name: "Issue license" }).click();
  await expect(customer.getByTestId("new-license-id")).toBeVisible();
  return (await customer.getByTestId("new-license-id").textContent())!;
}

/** On the Customers page: a new customer `name` with a license. */
export async function createCustomerWithLicense(page: Page, name: string) {
  const customer = await createCustomer(page, name);
  return { customer, licenseId: await issueLicense(customer) };
}

/**
 * A Distribution on 127.0.0.1 with Basic auth for `creds`, holding one single-layer image `ref`
 * (REPO:TAG) of `sizeBytes`, built in a fresh temporary folder. Returns both; the caller stops the
 * registry and removes the folder.
 */
export async function startUpstreamWithImage(opts: { creds: Creds; ref: string; sizeBytes: number; prefix: string }) {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), opts.prefix));
  const reg = await startDistribution({ auth: "htpasswd", users: { [opts.creds.username]: opts.creds.password } });
  const tag = opts.ref.slice(opts.ref.lastIndexOf(":") + 1);
  await buildOciImage(work, { layers: [{ sizeBytes: opts.sizeBytes }], tag });
  await pushImage(work, `${reg.host}/${opts.ref}`, { creds: opts.creds });
  return { reg, work };
}

/** A registry proxy on 127.0.0.1 against the e2e portal's internal API, sending its pull log every `flushIntervalMs`. */
export async function startProxy(flushIntervalMs: number): Promise<{ proxy: ProxyServer; port: number; url: string }> {
  const proxy = createProxyServer({
    portalUrl: `http://127.0.0.1:${e2ePort()}`,
    serviceToken: E2E_PROXY_SERVICE_TOKEN,
    dockerHubRegistry: "registry-1.docker.io",
    allowPrivate: true,
    pullLog: { flushIntervalMs },
  });
  const { port, url } = await proxy.listen(0);
  return { proxy, port, url };
}

/**
 * The hosted registry: a Distribution on the port the portal was told (REGISTRY_INTERNAL_URL),
 * trusting the portal's token service with the certificate of its signing key; `config` adds
 * top-level sections (notifications).
 */
export function startHostedRegistry(config?: Record<string, unknown>) {
  // Spec files run side by side; two of them starting it at once would fight over its port.
  if (test.info().project.name !== HOSTED_REGISTRY_PROJECT)
    throw new Error(`The hosted registry has one port: a spec file that starts it belongs in the "${HOSTED_REGISTRY_PROJECT}" project (HOSTED_REGISTRY_FILES in playwright.config.ts), whose files take turns.`);
  const key = crypto.createPrivateKey(readFileSync(hostedRegistryKeyFile(), "utf8"));
  return startDistribution({
    port: hostedRegistryPort(),
    auth: { token: { realm: `http://127.0.0.1:${e2ePort()}/api/registry/token`, service: REGISTRY_SERVICE, issuer: REGISTRY_ISSUER, rootCertBundle: selfSignedCertificate(key) } },
    ...(config && { config }),
  });
}
