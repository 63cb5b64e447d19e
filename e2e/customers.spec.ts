import crypto from "node:crypto";
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { signUp, uniqueEmail } from "./support/auth";
import { copyWith } from "./support/clipboard";
import { openAuditLog } from "./support/flows";
import { verifyLicenseFile } from "@/lib/licenses/license-file";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

test("customers and licenses: create, issue and copy the ID, show it again, download the signed file, revoke, archive", async ({ page }) => {
  // Slugs are unique across the portal: this one is the run's own.
  const slug = `globex-suite-${crypto.randomBytes(3).toString("hex")}`;
  await signUp(page, { email: uniqueEmail("vendor"), teamName: "Initrode" });
  await page.getByLabel("App name").fill("Globex Suite");
  await page.getByLabel("Slug").fill(slug);
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page.getByTestId(`app-${slug}`)).toBeVisible();

  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
  await expect(page.getByText("No customers yet")).toBeVisible();

  // A field error keeps what was typed.
  await page.getByLabel("Customer name").fill("Globex");
  await page.getByLabel("Contact email (optional)").fill("not-an-email");
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await page.getByLabel("Contact email (optional)").fill("ops@globex.example");
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page.getByText("Created Globex.")).toBeVisible();
  const globex = page.getByRole("region", { name: "Customer Globex" });
  await expect(globex).toContainText("ops@globex.example");
  await expect(globex).toContainText("No licenses yet");

  // Issue a license: the ID is shown with a copy button.
  await globex.getByRole("button", { name: "New license" }).click();
  await globex.getByLabel("Type").selectOption("trial");
  await globex.getByLabel("Expires (optional)").fill("2099-12-31");
  await globex.getByRole("button", { name: "Issue license" }).click();
  const issued = globex.getByTestId("new-license-id");
  await expect(issued).toHaveText(/^[A-Za-z0-9_-]{27}$/);
  const licenseId = (await issued.textContent())!;
  await page.screenshot({ path: "test-results/screens/license-issued.png", fullPage: true });
  await globex.getByRole("button", { name: /^Copy license ID/ }).click();
  // "Copied" shows once the browser has written it.
  await expect(globex.getByRole("button", { name: /^Copy license ID/ })).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(licenseId);
  await globex.getByRole("button", { name: "Done" }).click();

  const row = globex.getByTestId("license-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Globex Suite");
  await expect(row).toContainText("Trial");
  await expect(row).toContainText("active");
  await expect(row).toContainText("2099-12-31");
  await expect(row).toContainText(`…${licenseId.slice(-4)}`);
  await expect(row).not.toContainText(licenseId);

  // Show the ID again and copy it.
  await row.getByRole("button", { name: "Show ID" }).click();
  await expect(row.getByTestId("license-id")).toHaveText(licenseId);
  // The clipboard still holds the first copy: copyWith empties it first.
  expect(await copyWith(row.getByRole("button", { name: "Copy license ID" }))).toBe(licenseId);
  await page.screenshot({ path: "test-results/screens/customers.png", fullPage: true });

  // Download the signed file and verify it with the public key shown on the page.
  const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: "Download YAML" }).click()]);
  expect(download.suggestedFilename()).toBe(`globex-${slug}-license.yaml`);
  const yaml = fs.readFileSync((await download.path())!, "utf8");
  const publicKeyPem = (await page.getByTestId("signing-key").textContent())!;
  const verified = verifyLicenseFile(yaml, publicKeyPem);
  expect(verified).toMatchObject({ ok: true, claims: { licenseId, appSlug: slug, customerName: "Globex", licenseType: "trial" } });
  expect(verifyLicenseFile(yaml.replace("licenseType: trial", "licenseType: paid"), publicKeyPem)).toMatchObject({ ok: false });

  // Revoke, after a confirmation that can be cancelled.
  await row.getByRole("button", { name: "Revoke", exact: true }).click();
  const confirm = page.getByRole("dialog", { name: /Revoke license/ });
  await expect(confirm.getByText(/are refused from the next request on/)).toBeVisible();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toContainText("active");
  await row.getByRole("button", { name: "Revoke", exact: true }).click();
  await confirm.getByRole("button", { name: "Revoke license" }).click();
  await expect(row).toContainText("revoked");
  await expect(row.getByRole("button", { name: "Revoke", exact: true })).toHaveCount(0);
  await page.screenshot({ path: "test-results/screens/customers-revoked.png", fullPage: true });

  // The audit log tells the story.
  const events = await openAuditLog(page);
  for (const action of ["customer.create", "license.create", "license.revoke"]) await expect(events).toContainText(action);

  // Archive: gone from the list, back under "Show archived".
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByRole("region", { name: "Customer Globex" }).getByRole("button", { name: "Archive" }).click();
  await page.getByRole("button", { name: "Archive customer" }).click();
  await expect(page.getByRole("region", { name: "Customer Globex" })).toHaveCount(0);
  await page.getByRole("link", { name: "Show archived" }).click();
  await expect(page.getByRole("region", { name: "Customer Globex" })).toContainText("archived");
});

test("a new license needs an app first", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("noapp"), teamName: "No Apps" });
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByLabel("Customer name").fill("Lonely");
  await page.getByRole("button", { name: "Create customer" }).click();
  const lonely = page.getByRole("region", { name: "Customer Lonely" });
  await lonely.getByRole("button", { name: "New license" }).click();
  await expect(lonely.getByText(/create an app on the Apps page first/)).toBeVisible();
});
