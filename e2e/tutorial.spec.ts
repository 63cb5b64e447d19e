import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import type { ProxyServer } from "@/proxy/server";
import { startEcrFake, type EcrFake } from "@/test/fakes/ecr";
import { buildOciImage, pullImage, pushImage, requireBinaries, startDistribution, type Distribution } from "@/test/support/registry";
import { signUp, uniqueEmail } from "./support/auth";
import { copyWith } from "./support/clipboard";
import { createCustomerWithLicense, startProxy } from "./support/flows";
import { E2E_AWS_REGION, ecrFakePort } from "./support/services";

/**
 * The ECR tutorial in Chromium: the steps render signed out; signed in, the commands carry the
 * team's hosts, app slug and license, and the checkmarks follow what the team does — an ECR
 * registry added through the tutorial's link (a CNCF Distribution on 127.0.0.1 stands in for the
 * ECR registry, a fake of the ECR API on the port playwright.config.ts gives the portal answers
 * GetAuthorizationToken), its test passing, a license issued, and a first pull through a real
 * registry proxy started here against the portal's internal API.
 */

const SCREENS = "test-results/screens";
const ECR_KEY = { id: "AKIAIOSFODNN7EXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", password: "ecr-registry-password-e2e" };

test.skip(!requireBinaries("docker-registry", "skopeo", "htpasswd"), "docker-registry, skopeo and htpasswd are needed");
test.use({ permissions: ["clipboard-read", "clipboard-write"] });

let reg: Distribution;
let ecr: EcrFake;
let proxy: ProxyServer;
let proxyPort: number;
let work: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  work = await fs.mkdtemp(path.join(os.tmpdir(), "e2e-tutorial-"));
  [reg, ecr] = await Promise.all([
    startDistribution({ auth: "htpasswd", users: { AWS: ECR_KEY.password } }),
    startEcrFake({ keys: { [ECR_KEY.id]: { secretAccessKey: ECR_KEY.secret, password: ECR_KEY.password } }, region: E2E_AWS_REGION, port: ecrFakePort() }),
  ]);
  await buildOciImage(work, { layers: [{ sizeBytes: 32 * 1024 }], tag: "1.0" });
  await pushImage(work, `${reg.host}/my-app:1.0`, { creds: { username: "AWS", password: ECR_KEY.password } });
  ({ proxy, port: proxyPort } = await startProxy(200));
});

test.afterAll(async () => {
  await proxy?.close(1000);
  await Promise.all([reg?.stop(), ecr?.close()]);
  if (work) await fs.rm(work, { recursive: true, force: true });
});

const step = (page: Page, id: string) => page.getByTestId(`step-${id}`);
const TRACKED = ["registry", "test", "license", "pull"] as const;

async function expectDone(page: Page, done: Partial<Record<(typeof TRACKED)[number], boolean>>) {
  for (const [id, value] of Object.entries(done)) {
    await expect(step(page, id), id).toHaveAttribute("data-done", String(value));
    await expect(page.getByTestId(`step-${id}-badge`)).toHaveText(value ? "Done" : "Not yet");
  }
}

test("ECR tutorial: steps, the team's own values in the commands, and checkmarks that follow the team", async ({ page }) => {
  test.setTimeout(180_000);

  // Signed out: every step, the IAM policy, placeholders for what only a team has.
  await page.goto("/tutorials/ecr");
  await expect(page.getByRole("heading", { name: "From an Amazon ECR repository to a pulled image", level: 1 })).toBeVisible();
  await expect(page.getByRole("list", { name: "Steps" }).locator(":scope > li")).toHaveCount(8);
  for (const title of [
    "Create an ECR repository and push an image",
    "Create an IAM user with a read-only policy",
    "Create its access key",
    "Add the registry on the Images page",
    "Test it",
    "Create a customer and a license",
    "Pull through the proxy",
    "Deploy with portcullis images rewrite",
  ]) {
    await expect(page.getByRole("heading", { name: title, level: 2 })).toBeVisible();
  }
  const policy = JSON.parse((await page.getByTestId("iam-policy").locator("code").textContent())!);
  expect(policy.Statement).toEqual([
    { Sid: "PortcullisToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "PortcullisPull",
      Effect: "Allow",
      Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
      Resource: "arn:aws:ecr:us-east-1:123456789012:repository/my-app",
    },
  ]);
  await expect(page.getByTestId("cmd-pull")).toContainText("docker pull localhost:5050/proxy/<app-slug>/123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:1.0");
  for (const id of TRACKED) await expect(step(page, id)).not.toHaveAttribute("data-done");
  // The reader's AWS values flow into every command.
  await page.getByRole("textbox", { name: "AWS account ID" }).fill("210987654321");
  await page.getByRole("textbox", { name: "Region" }).fill("eu-central-1");
  await expect(page.getByTestId("cmd-push")).toContainText("docker push 210987654321.dkr.ecr.eu-central-1.amazonaws.com/my-app:1.0");
  await expect(page.getByTestId("iam-policy")).toContainText("arn:aws:ecr:eu-central-1:210987654321:repository/my-app");
  await page.screenshot({ path: `${SCREENS}/tutorial-signed-out.png`, fullPage: true });

  // A new team: nothing done yet.
  await signUp(page, { email: uniqueEmail("tutorial"), teamName: "Tutorial Co" });
  await page.goto("/tutorials/ecr");
  await expectDone(page, { registry: false, test: false, license: false, pull: false });
  await expect(page.getByTestId("step-license-status")).toHaveText("Create an app first: its slug is part of every image path.");
  await step(page, "license").getByRole("link", { name: "Create an app" }).click();
  await page.getByLabel("App name").fill("Tutorial App");
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page.getByTestId("app-tutorial-app")).toBeVisible();
  await page.goto("/tutorials/ecr");
  await expect(page.getByTestId("value-app-slug")).toHaveText("tutorial-app");
  await expect(page.getByTestId("value-proxy-host")).toHaveText("localhost:5050");
  await expect(page.getByTestId("value-registry-host")).toHaveText("localhost:5000");
  await page.screenshot({ path: `${SCREENS}/tutorial-new-team.png`, fullPage: true });

  // The tutorial's link opens the add dialog on the ECR tab; the registry is tested and saved.
  const openDialog = step(page, "registry").getByRole("link", { name: "Open the Amazon ECR dialog" });
  await expect(openDialog).toHaveAttribute("href", "/images?add=ecr");
  await openDialog.click();
  await expect(page).toHaveURL(/\/images$/); // opened once: the ?add=ecr it came with is dropped
  const dialog = page.getByRole("dialog", { name: "Add external registry" });
  await expect(dialog.getByRole("tab", { name: "Amazon ECR" })).toHaveAttribute("aria-selected", "true");
  await page.screenshot({ path: `${SCREENS}/tutorial-ecr-dialog.png` });
  await dialog.getByLabel("Endpoint").fill(reg.url);
  await dialog.getByLabel("Access key ID").fill(ECR_KEY.id);
  await dialog.getByLabel("Secret access key").fill(ECR_KEY.secret);
  await dialog.getByLabel("Name (optional)").fill("ecr");
  await dialog.getByLabel("Image to test (optional)").fill("my-app:1.0");
  await dialog.getByRole("button", { name: "Test and save" }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  expect(ecr.calls.some((c) => c.status === 200)).toBe(true);

  await page.goto("/tutorials/ecr");
  await expectDone(page, { registry: true, test: true, license: false, pull: false });
  await expect(page.getByTestId("step-registry-status")).toContainText(`Your team has the ECR registry ${reg.host} (named ecr).`);
  await expect(page.getByTestId("step-test-status")).toContainText("Last test passed");
  await page.screenshot({ path: `${SCREENS}/tutorial-registry.png`, fullPage: true });

  // A customer and a license: the license fills the commands.
  await step(page, "license").getByRole("link", { name: "Go to Customers" }).click();
  const { licenseId } = await createCustomerWithLicense(page, "Globex");
  expect(licenseId).toMatch(/^[A-Za-z0-9_-]{27}$/);

  await page.goto("/tutorials/ecr");
  await expectDone(page, { registry: true, test: true, license: true, pull: false });
  await expect(page.getByTestId("value-license")).toHaveText(licenseId);
  await expect(page.getByTestId("step-license-status")).toHaveText(`Active license …${licenseId.slice(-4)} of Globex for tutorial-app.`);
  const pull = `echo '${licenseId}' | docker login localhost:5050 --username LICENSE_ID --password-stdin\ndocker pull localhost:5050/proxy/tutorial-app/123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:1.0`;
  await expect(page.getByTestId("cmd-pull").locator("code")).toHaveText(pull);
  await expect(page.getByTestId("cmd-rewrite").locator("code")).toHaveText(
    `npx portcullis images rewrite ./manifests --app tutorial-app --license-id '${licenseId}' \\\n` +
      `  --proxy-host localhost:5050 --registry-host localhost:5000 --namespace tutorial-app\n` +
      `kubectl apply -k ./manifests/overlays/midstream`,
  );
  expect(await copyWith(page.getByTestId("cmd-pull").getByRole("button", { name: /^Copy pull commands/ }))).toBe(pull);

  // The customer pulls through the proxy (by the registry's name: a path can't hold host:port).
  await pullImage(`127.0.0.1:${proxyPort}/proxy/tutorial-app/ecr/my-app:1.0`, path.join(work, "pulled"), { creds: { username: "LICENSE_ID", password: licenseId } });
  await expect(async () => {
    await page.goto("/tutorials/ecr");
    await expectDone(page, { pull: true });
  }).toPass({ timeout: 20_000 });
  await expectDone(page, { registry: true, test: true, license: true, pull: true });
  // Named as the customer wrote it.
  await expect(page.getByTestId("step-pull-status")).toContainText("First pull through the proxy: proxy/tutorial-app/ecr/my-app (1.0)");
  await page.screenshot({ path: `${SCREENS}/tutorial-done.png`, fullPage: true });
});
