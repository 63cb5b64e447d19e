import { expect, test, type Page } from "@playwright/test";
import { createInvite, signUp, uniqueEmail } from "./support/auth";
import { copyWith } from "./support/clipboard";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

async function createToken(page: Page, opts: { kind: string; name: string; role?: string }) {
  await page.getByRole("radio", { name: opts.kind }).check();
  await page.getByLabel("Name", { exact: true }).fill(opts.name);
  if (opts.role) await page.getByLabel("Role", { exact: true }).selectOption(opts.role);
  await page.getByRole("button", { name: "Create token" }).click();
  // Wait for this token's notice (a previous one may still be on the page).
  await expect(page.getByRole("status").filter({ hasText: "shown only this once" }).locator("strong").first()).toHaveText(opts.name);
  return (await page.getByTestId("new-token").textContent())!;
}

test("tokens: shown once, work against the REST API with their role, show last use, revoke; the API reference is linked", async ({ page, request }) => {
  // Many steps, and the API reference is a long page.
  test.setTimeout(150_000);
  await signUp(page, { email: uniqueEmail("tokens"), teamName: "Token Team" });
  await page.getByRole("link", { name: "Tokens", exact: true }).click();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  await expect(page.getByText("No tokens yet")).toBeVisible();

  // A personal token: shown once, with a copy button.
  const personal = await createToken(page, { kind: "Personal token", name: "laptop" });
  expect(personal).toMatch(/^pcu_[0-9A-Za-z]{36}$/);
  await expect(page.getByText("it is shown only this once")).toBeVisible();
  expect(await copyWith(page.getByRole("button", { name: /^Copy token/ }))).toBe(personal);
  await page.screenshot({ path: "test-results/screens/token-created.png", fullPage: true });

  // It works against the API and acts as this admin.
  const created = await request.post("/api/v1/apps", { headers: { authorization: `Bearer ${personal}` }, data: { name: "From CI" } });
  expect(created.status()).toBe(201);
  expect(await created.json()).toMatchObject({ name: "From CI", slug: "from-ci" });

  // After a reload the token is nowhere on the page: only its hint and its last use.
  await page.reload();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  expect(await page.content()).not.toContain(personal.slice(8));
  const laptop = page.locator('[data-testid="token-row"][data-token-name="laptop"]');
  await expect(laptop).toContainText(`${personal.slice(0, 8)}…`);
  await expect(laptop).toContainText("just now");
  await expect(laptop).toContainText("active");

  // A read-only service account can read but not write.
  const reader = await createToken(page, { kind: "Service account", name: "dashboards", role: "read_only" });
  expect(reader).toMatch(/^pcs_/);
  expect((await request.get("/api/v1/apps", { headers: { authorization: `Bearer ${reader}` } })).status()).toBe(200);
  const denied = await request.post("/api/v1/customers", { headers: { authorization: `Bearer ${reader}` }, data: { name: "Nope" } });
  expect(denied.status()).toBe(403);
  expect((await denied.json()).error.code).toBe("forbidden");

  const team = await createToken(page, { kind: "Team token", name: "release" });
  expect(team).toMatch(/^pct_/);
  // The form is ready for the next token: kind and role agree again.
  await expect(page.getByRole("radio", { name: "Personal token" })).toBeChecked();
  await expect(page.getByLabel("Role", { exact: true })).toHaveValue("");
  await page.screenshot({ path: "test-results/screens/tokens.png", fullPage: true });

  // Revoke the service account: the API refuses it at once.
  const row = page.locator('[data-testid="token-row"][data-token-name="dashboards"]');
  await row.getByRole("button", { name: "Revoke", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
  await expect(row).toContainText("revoked");
  const refused = await request.get("/api/v1/apps", { headers: { authorization: `Bearer ${reader}` } });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["www-authenticate"]).toMatch(/^Bearer/);

  // The API reference, linked from here, renders the OpenAPI document.
  await page.getByRole("link", { name: "API reference →" }).click();
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  // Each group of operations has its own page, reached from the index beside the overview.
  const sections = page.getByRole("navigation", { name: "API sections" });
  await sections.getByRole("link", { name: "Licenses", exact: true }).click();
  await expect(page.getByRole("heading", { name: "API reference: Licenses", level: 1 })).toBeVisible();
  await expect(page.locator("#licenses\\.create")).toContainText("/api/v1/customers/{id}/licenses");
  await expect(page.locator("#licenses\\.create")).toContainText("Issue a license");
  await expect(page.locator("#licenses\\.revoke")).toContainText("/api/v1/licenses/{id}/revoke");
  await page.screenshot({ path: "test-results/screens/api-reference.png", fullPage: false });
  await page.locator("#licenses\\.create").screenshot({ path: "test-results/screens/api-reference-license.png" });
  await sections.getByRole("link", { name: /Add a registry$/ }).click();
  await expect(page.locator("#registries\\.create")).toContainText('With provider: "ecr"');
  await page.locator("#registries\\.create").scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/screens/api-reference-registry.png" });
  const openapi = await request.get("/api/v1/openapi.json");
  expect((await openapi.json()).openapi).toBe("3.1.0");
});

test("a developer sees only personal tokens to create", async ({ page, browser }) => {
  // Sign up an admin, invite a developer, sign the developer in.
  await signUp(page, { email: uniqueEmail("admin"), teamName: "Dev Team" });
  const invite = await createInvite(page, { role: "developer", emailPrefix: "dev" });
  const devEmail = invite.email;
  const link = invite.link!;
  const other = await browser.newContext();
  const dev = await other.newPage();
  await dev.goto(link);
  await dev.getByLabel("Password").fill("a long test password");
  await dev.getByRole("button", { name: "Create account and join" }).click();
  await dev.getByRole("link", { name: "Tokens", exact: true }).click();
  await expect(dev.getByRole("radio", { name: "Personal token" })).toBeVisible();
  await expect(dev.getByRole("radio", { name: "Service account" })).toHaveCount(0);
  await expect(dev.getByText("Service accounts and team tokens are created by team admins.")).toBeVisible();
  await other.close();
});
