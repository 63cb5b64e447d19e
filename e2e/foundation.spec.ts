import { expect, test } from "@playwright/test";
import { createInvite, PASSWORD, signOut, signUp, submitSignUp, uniqueEmail } from "./support/auth";
import { openAuditLog } from "./support/flows";

test("sign up, create an app, invite a read-only member who joins and cannot create apps, audit, sign out", async ({ page, browser }) => {
  const adminEmail = uniqueEmail("admin");
  await signUp(page, { email: adminEmail, teamName: "Acme Corp" });
  await expect(page.getByText("No apps yet")).toBeVisible();

  // Create an app: the slug follows the name and is shown after creation.
  await page.getByLabel("App name").fill("Acme Analytics");
  await expect(page.getByLabel("Slug")).toHaveValue("acme-analytics");
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page.getByText("Created Acme Analytics (acme-analytics).")).toBeVisible();
  await expect(page.getByTestId("app-acme-analytics")).toContainText("Acme Analytics");
  await page.screenshot({ path: "test-results/screens/apps.png", fullPage: true });

  // A duplicate slug is an inline field error.
  await page.getByLabel("App name").fill("Acme Analytics");
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page.getByText(/The slug "acme-analytics" is already in use/)).toBeVisible();

  // Invite a read-only member.
  const { email: inviteeEmail, link } = await createInvite(page, { role: "read_only", emailPrefix: "reader" });
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{20,}$/);
  await page.screenshot({ path: "test-results/screens/settings.png", fullPage: true });

  // The invitee accepts in a second browser context.
  const other = await browser.newContext();
  const invitee = await other.newPage();
  await invitee.goto(link!);
  await expect(invitee.getByRole("heading", { name: "Join Acme Corp" })).toBeVisible();
  await expect(invitee.getByLabel("Email")).toHaveValue(inviteeEmail);
  await invitee.getByLabel("Password").fill(PASSWORD);
  await invitee.getByRole("button", { name: "Create account and join" }).click();
  await expect(invitee.getByText("You joined Acme Corp.")).toBeVisible();
  // Read-only: sees the app, has no way to create one.
  await expect(invitee.getByTestId("app-acme-analytics")).toBeVisible();
  await expect(invitee.getByText(/Your role is read-only/)).toBeVisible();
  await expect(invitee.getByRole("button", { name: "Create app" })).toHaveCount(0);
  await invitee.screenshot({ path: "test-results/screens/read-only.png", fullPage: true });

  // The link was single-use.
  await invitee.goto(link!);
  await expect(invitee.getByRole("heading", { name: "This invite can't be used" })).toBeVisible();
  await other.close();

  // The audit log has the story, newest first, and filters by action.
  const events = await openAuditLog(page);
  const rows = events.locator("tbody tr");
  await expect(rows.first()).toContainText(inviteeEmail);
  for (const action of ["member.join", "member.invite", "app.create", "user.sign_up"]) await expect(events).toContainText(action);
  // The filter applies as it is chosen.
  await page.getByLabel("What").selectOption("app.create");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("app acme-analytics");
  await page.screenshot({ path: "test-results/screens/audit.png", fullPage: true });

  // Sign out: the session is gone.
  await signOut(page);
  await page.goto("/apps");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("a wrong password gets one clear message that does not say whether the email exists", async ({ page }) => {
  const email = uniqueEmail("known");
  await signUp(page, { email, teamName: "Known" });
  await signOut(page);

  for (const who of [email, uniqueEmail("unknown")]) {
    await page.getByLabel("Email").fill(who);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    // The form resets its password field when the server has answered.
    await expect(page.getByLabel("Password")).toHaveValue("");
    await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveValue(who);
  }
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Apps", level: 1 })).toBeVisible();
});

test("sign-up answers the same for an address that already has an account, and signs no one in", async ({ page }) => {
  const email = uniqueEmail("taken");
  await signUp(page, { email, teamName: "Owner Co" });
  await signOut(page);

  // Someone else tries the owner's address: the same page as for a new account, nobody signed in.
  await submitSignUp(page, { email, teamName: "Intruder Co", password: "the intruder's password" });
  const seen = await page.locator("main").innerText();
  await page.goto("/apps");
  await expect(page).toHaveURL(/\/sign-in$/);
  // Nothing was created: the intruder's password doesn't open the account; the owner's still does.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("the intruder's password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Apps", level: 1 })).toBeVisible();
  await signOut(page);

  // A new address gets exactly the same page.
  await submitSignUp(page, { email: uniqueEmail("fresh"), teamName: "Fresh Co" });
  expect(await page.locator("main").innerText()).toBe(seen);
});

test("sign-up shows inline field errors and keeps what was typed", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  await expect(page.getByText("Enter a team name.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue("not-an-email");
});
