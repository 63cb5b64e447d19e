import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { load } from "js-yaml";
import { expect, test, type Page } from "@playwright/test";
import type { ProxyServer } from "@/proxy/server";
import { buildOciImage, pullImage, pushImage, requireBinaries, startDistribution, type Distribution } from "@/test/support/registry";
import { cleanEnv } from "@/test/support/registry/process";
import { signUp, uniqueEmail } from "./support/auth";
import { copyWith } from "./support/clipboard";
import { addFirstRegistry, createApp, createCustomerWithLicense, startHostedRegistry, startProxy } from "./support/flows";
import { E2E_REGISTRY_EVENTS_TOKEN, e2ePort } from "./support/services";

/**
 * A license's install instructions and the customer portal in Chromium, against a real upstream
 * Distribution, a real registry proxy started here against the portal's internal API, and the
 * hosted registry (a Distribution behind the portal's token service, reporting its pulls to the
 * portal): the vendor lists the app's images — two upstream, one pushed to the hosted registry —
 * issues a license, copies its instructions and makes a portal link; the customer opens the link,
 * copies the pull secret, and skopeo — with the logins and the references exactly as the portal
 * shows them — pulls every listed image through the proxy and from the hosted registry; the
 * customer's history then shows the pulls and a refused attempt with its reason, and the
 * customer's analytics count exactly the pulls and bytes skopeo received.
 *
 * The portal shows PROXY_URL's and REGISTRY_URL's hosts, unset here (localhost:5050 and
 * localhost:5000); the proxy and the hosted registry of this test listen on other ports, so those
 * two host names are swapped for their addresses before running the commands.
 */

const SCREENS = "test-results/screens";
const UPSTREAM = { username: "vendor", password: "upstream-password-e2e" };
const SHOWN_PROXY_HOST = "localhost:5050";
const SHOWN_REGISTRY_HOST = "localhost:5000";

test.skip(!requireBinaries("docker-registry", "skopeo", "htpasswd"), "docker-registry, skopeo and htpasswd are needed");
test.use({ permissions: ["clipboard-read", "clipboard-write"] });

let reg: Distribution;
let hosted: Distribution;
let proxy: ProxyServer;
let proxyHost: string;
let work: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  work = await fs.mkdtemp(path.join(os.tmpdir(), "e2e-portal-"));
  reg = await startDistribution({ auth: "htpasswd", users: { [UPSTREAM.username]: UPSTREAM.password } });
  for (const [name, size] of [
    ["api", 48 * 1024],
    ["worker", 24 * 1024],
    ["secret-tool", 8 * 1024],
  ] as const) {
    const dir = path.join(work, name);
    await buildOciImage(dir, { layers: [{ sizeBytes: size }], tag: "1.0" });
    await pushImage(dir, `${reg.host}/shop/${name}:1.0`, { creds: UPSTREAM });
  }
  await buildOciImage(path.join(work, "web"), { layers: [{ sizeBytes: 32 * 1024 }, { files: { "srv/index.html": "<h1>shop</h1>\n" } }], tag: "1.0" });
  hosted = await startHostedRegistry({
    notifications: {
      events: { includereferences: true },
      endpoints: [{ name: "portal", url: `http://127.0.0.1:${e2ePort()}/api/registry/events`, headers: { Authorization: [`Bearer ${E2E_REGISTRY_EVENTS_TOKEN}`] }, timeout: "2s", threshold: 5, backoff: "1s" }],
    },
  });
  let proxyPort: number;
  ({ proxy, port: proxyPort } = await startProxy(200));
  proxyHost = `127.0.0.1:${proxyPort}`;
});

test.afterAll(async () => {
  await proxy?.close(1000);
  await reg?.stop();
  await hosted?.stop();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

/** The hosts as shown → where this test's proxy and hosted registry listen. */
const toLocal = (text: string) => text.replaceAll(SHOWN_PROXY_HOST, proxyHost).replaceAll(SHOWN_REGISTRY_HOST, hosted.host);

/** What a pull received, as skopeo wrote it: the manifest, config and layers in the layout's blobs. */
async function pulledBytes(dir: string): Promise<number> {
  const blobs = path.join(dir, "blobs", "sha256");
  let n = 0;
  for (const f of await fs.readdir(blobs)) n += (await fs.stat(path.join(blobs, f))).size;
  return n;
}

async function shoot(page: Page, name: string) {
  for (const [w, h, suffix] of [
    [1440, 900, "desktop"],
    [390, 844, "mobile"],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.screenshot({ path: `${SCREENS}/${name}-${suffix}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Runs `echo 'ID' | docker login HOST --username LICENSE_ID --password-stdin` as skopeo's login into `authfile`. */
async function skopeoLogin(dockerLogin: string, authfile: string) {
  const m = /^echo '([A-Za-z0-9_-]+)' \| docker login (\S+) --username (LICENSE_ID) --password-stdin$/.exec(dockerLogin);
  expect(m, dockerLogin).not.toBeNull();
  const [, password, host, username] = m!;
  const args = ["login", "--tls-verify=false", "--authfile", authfile, "--username", username!, "--password-stdin", toLocal(host!)];
  const child = spawn("skopeo", args, { env: cleanEnv(work), stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  child.stdin.end(`${password}\n`);
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  expect(code, output).toBe(0);
}

test("a vendor sends install instructions and a portal link; the customer pulls every listed image with them", async ({ page, browser }) => {
  test.setTimeout(480_000);

  // The vendor: a registry (named: its host has a port), an app, and the app's images.
  await signUp(page, { email: uniqueEmail("portal"), teamName: "Shop Vendor" });
  await page.getByRole("link", { name: "Images", exact: true }).click();
  await addFirstRegistry(page, reg, UPSTREAM, { name: "upstream" });

  await page.getByRole("link", { name: "Apps", exact: true }).click();
  await createApp(page, { name: "Shop", slug: "portal-shop" });

  await page.getByRole("link", { name: "Tokens", exact: true }).click();
  await page.getByLabel("Name", { exact: true }).fill("setup");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!;
  const api = { authorization: `Bearer ${token}` };
  const apps = (await (await page.request.get("/api/v1/apps", { headers: api })).json()) as { data: Array<{ id: string; slug: string }> };
  const appId = apps.data.find((a) => a.slug === "portal-shop")!.id;
  // The vendor pushes an image to the hosted registry with the API token, as docker push would.
  await pushImage(path.join(work, "web"), `${hosted.host}/portal-shop/web:1.0`, { creds: { username: "token", password: token }, tag: "1.0" });
  for (const reference of ["upstream/shop/api:1.0", "upstream/shop/worker:1.0", `${SHOWN_REGISTRY_HOST}/portal-shop/web:1.0`]) {
    const added = await page.request.post(`/api/v1/apps/${appId}/images`, { headers: api, data: { reference } });
    expect(added.status(), await added.text()).toBe(201);
  }

  // A customer and a license; its page has the instructions.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  const { customer: globex, licenseId } = await createCustomerWithLicense(page, "Globex");
  await globex.getByRole("button", { name: "Done" }).click();
  await globex.getByRole("link", { name: "Instructions" }).click();
  await expect(page.getByRole("heading", { name: "Globex: Shop", level: 1 })).toBeVisible();

  const login = [SHOWN_PROXY_HOST, SHOWN_REGISTRY_HOST].map((host) => `echo '${licenseId}' | docker login ${host} --username LICENSE_ID --password-stdin`).join("\n");
  await expect(page.getByTestId("instructions-login").locator("pre")).toHaveText(login);
  expect(await copyWith(page.getByRole("button", { name: "Copy login commands" }))).toBe(login);
  const shownImages = [
    `${SHOWN_PROXY_HOST}/proxy/portal-shop/upstream/shop/api:1.0`,
    `${SHOWN_PROXY_HOST}/proxy/portal-shop/upstream/shop/worker:1.0`,
    `${SHOWN_REGISTRY_HOST}/portal-shop/web:1.0`,
  ];
  await expect(page.getByTestId("instructions-image").locator("code")).toHaveText(shownImages);
  await expect(page.getByTestId("instructions-rewrite").locator("pre")).toContainText(`--app portal-shop --license-id '${licenseId}'`);

  // Additional namespaces: the pull secret gets a copy in each, and the download says the same.
  await page.getByLabel("Additional namespaces").fill("jobs");
  await page.getByRole("button", { name: "Update instructions" }).click();
  await expect(page.getByTestId("instructions-pull-secret").locator("pre")).toContainText("namespace: jobs");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download pull secret" }).click();
  const file = await (await download).path();
  expect(await fs.readFile(file, "utf8")).toBe(await page.getByTestId("instructions-pull-secret").locator("pre").textContent());
  await page.getByLabel("Additional namespaces").fill("Not_A_Namespace");
  await page.getByRole("button", { name: "Update instructions" }).click();
  await expect(page.getByText(/"Not_A_Namespace" is not a namespace name/)).toBeVisible();
  await shoot(page, "license-instructions");

  // The portal link: shown once, to copy.
  await page.getByRole("button", { name: "Create portal link" }).click();
  const link = (await page.getByTestId("portal-link").textContent())!;
  expect(link).toMatch(/\/portal\/open\/[A-Za-z0-9_-]{43}$/);
  expect(await copyWith(page.getByRole("button", { name: "Copy portal link" }))).toBe(link);

  // The customer, in a browser of their own, opens the link.
  const customerContext = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const customer = await customerContext.newPage();
  await customer.goto(link);
  await expect(customer.getByRole("heading", { name: "Shop" })).toBeVisible();
  await shoot(customer, "portal-open-link");
  await customer.getByRole("button", { name: "Open the portal" }).click();
  await expect(customer.getByRole("heading", { name: "Shop", level: 1 })).toBeVisible();
  await expect(customer.getByTestId("license-expiry")).toHaveText("Never");
  await expect(customer.getByText("No pulls yet.")).toBeVisible();

  // The customer's session is not a vendor's: the vendor pages send them to sign in.
  await customer.goto("/customers");
  await expect(customer).toHaveURL(/\/sign-in$/);
  await customer.goto("/portal");

  // Their commands, run: skopeo logs in as docker login would, and pulls every listed image.
  const loginCommands = (await customer.getByTestId("instructions-login").locator("pre").textContent())!.split("\n");
  expect(loginCommands).toEqual(login.split("\n"));
  const authfile = path.join(work, "auth.json");
  for (const line of loginCommands) await skopeoLogin(line, authfile);
  const references = await customer.getByTestId("instructions-image").locator("code").allTextContents();
  expect(references).toEqual(shownImages);
  // What each pull received, per image as the analytics name it.
  const received = new Map<string, { pulls: number; bytes: number }>();
  const count = async (ref: string, dir: string) => {
    const image = ref.replace(`${SHOWN_PROXY_HOST}/`, "").replace(`${SHOWN_REGISTRY_HOST}/`, "").replace(/:[^:/]+$/, "");
    const seen = received.get(image) ?? { pulls: 0, bytes: 0 };
    received.set(image, { pulls: seen.pulls + 1, bytes: seen.bytes + (await pulledBytes(dir)) });
  };
  for (const [i, ref] of references.entries()) {
    await pullImage(toLocal(ref), path.join(work, `pulled-login-${i}`), { authfile });
    await count(ref, path.join(work, `pulled-login-${i}`));
  }

  // …and with the pull secret they copied, as a cluster would.
  const secret = load(await copyWith(customer.getByRole("button", { name: "Copy pull secret" }))) as { metadata: { name: string }; data: Record<string, string> };
  expect(secret.metadata.name).toBe("portal-shop-registry");
  const secretAuthfile = path.join(work, "secret-auth.json");
  await fs.writeFile(secretAuthfile, toLocal(Buffer.from(secret.data[".dockerconfigjson"]!, "base64").toString()));
  for (const [i, ref] of references.entries()) {
    await pullImage(toLocal(ref), path.join(work, `pulled-secret-${i}`), { authfile: secretAuthfile });
    await count(ref, path.join(work, `pulled-secret-${i}`));
  }

  // An image the app doesn't list is refused, and the history says why.
  const refused = await pullImage(`${proxyHost}/proxy/portal-shop/upstream/shop/secret-tool:1.0`, path.join(work, "refused"), { authfile }).then(
    () => "pulled",
    (e: Error) => e.message,
  );
  expect(refused).toMatch(/denied|not one of the images/i);

  await expect(async () => {
    await customer.reload();
    const entries = customer.getByTestId("pull-history-entry");
    await expect(entries.filter({ hasText: "proxy/portal-shop/upstream/shop/api:1.0" }).first()).toHaveAttribute("data-result", "pulled");
    await expect(entries.filter({ hasText: "proxy/portal-shop/upstream/shop/worker:1.0" }).first()).toHaveAttribute("data-result", "pulled");
    await expect(entries.filter({ hasText: `${SHOWN_REGISTRY_HOST}/portal-shop/web:1.0` }).first()).toHaveAttribute("data-result", "pulled");
    await expect(entries.filter({ hasText: "secret-tool" }).first()).toHaveAttribute("data-result", "refused");
  }).toPass({ timeout: 20_000 });

  // The vendor's analytics of this customer: exactly the pulls made, and the bytes skopeo received, per image.
  const customers = (await (await page.request.get("/api/v1/customers", { headers: api })).json()) as { data: Array<{ id: string; name: string }> };
  const globexId = customers.data.find((c) => c.name === "Globex")!.id;
  const expected = [...received.entries()].map(([image, r]) => ({ image, ...r })).sort((a, b) => a.image.localeCompare(b.image));
  expect(expected.map((e) => [e.image, e.pulls])).toEqual([
    ["portal-shop/web", 2],
    ["proxy/portal-shop/upstream/shop/api", 2],
    ["proxy/portal-shop/upstream/shop/worker", 2],
  ]);
  await expect(async () => {
    const analytics = (await (await page.request.get(`/api/v1/customers/${globexId}/analytics?days=1`, { headers: api })).json()) as {
      totals: { pulls: number; bytes: number; refused: number };
      images: Array<{ image: string; pulls: number; bytes: number }>;
    };
    expect(analytics.images.map(({ image, pulls, bytes }) => ({ image, pulls, bytes })).sort((a, b) => a.image.localeCompare(b.image))).toEqual(expected);
    expect(analytics.totals.pulls).toBe(6);
    expect(analytics.totals.bytes).toBe(expected.reduce((n, e) => n + e.bytes, 0));
    expect(analytics.totals.refused).toBeGreaterThanOrEqual(1);
  }).toPass({ timeout: 20_000 });
  await expect(customer.getByTestId("pull-history-entry").filter({ hasText: "secret-tool" }).first()).toContainText(/registry|app/);
  await shoot(customer, "portal");

  // The link worked once.
  const second = await browser.newPage();
  await second.goto(link);
  await expect(second.getByRole("heading", { name: "This link can't be used" })).toBeVisible();
  await second.close();

  // Signing out, then in with the license ID.
  await customer.getByRole("button", { name: "Sign out" }).click();
  await expect(customer).toHaveURL(/\/portal\/sign-in\?signedOut=1$/);
  await customer.getByLabel("License ID").fill("not-a-license-id-at-all-0000");
  await customer.getByRole("button", { name: "Sign in" }).click();
  await expect(customer.getByText(/not valid, or its license has been revoked/).first()).toBeVisible();
  await shoot(customer, "portal-sign-in");
  await customer.getByLabel("License ID").fill(licenseId);
  await customer.getByRole("button", { name: "Sign in" }).click();
  await expect(customer.getByRole("heading", { name: "Shop", level: 1 })).toBeVisible();
  await customerContext.close();
});
