import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { addRegistry, createAppRow, createCustomerRow, createLicense, memberContext } from "@/test/support/factories";
import { onboardingState } from "@/lib/onboarding/state";
import { nextStep } from "@/lib/onboarding/steps";

const t = setupTestDatabase();

const doneOf = async (ctx: Parameters<typeof onboardingState>[0]) => Object.fromEntries((await onboardingState(ctx)).map((s) => [s.id, s.done]));
const reached = [
  { name: "Resolve host", ok: true, detail: "" },
  { name: "GET /v2/", ok: true, status: 401, detail: "" },
  { name: "Authenticate (Basic)", ok: true, status: 200, detail: "" },
];

describe("first-run checklist", () => {
  it("follows the team's real state from an app to a first pull, one next step at a time", async () => {
    const ctx = await memberContext(t.db);
    const other = await memberContext(t.db);
    expect(await doneOf(ctx)).toEqual({ app: false, registry: false, test: false, customer: false, license: false, pull: false });
    expect(nextStep(await onboardingState(ctx))?.href).toBe("/apps");

    const app = await createAppRow(t.db, ctx.teamId, { name: `suite-${ctx.teamId.slice(0, 8)}` });
    const registry = await addRegistry(t.db, ctx.teamId, { endpoint: "registry.example.test", username: "vendor", secret: "s3cret" });
    expect(await doneOf(ctx)).toMatchObject({ app: true, registry: true, test: false });
    expect(nextStep(await onboardingState(ctx))?.id).toBe("test");

    // A mistyped tag fails the image, not the credentials: the test step counts as passed.
    await t.db.registry.update({
      where: { id: registry.id },
      data: { lastTestOk: false, lastTestAt: new Date(), lastTestSteps: [...reached, { name: "Manifest app:9.9", ok: false, status: 404, detail: "" }] },
    });
    expect((await doneOf(ctx)).test).toBe(true);
    // Refused credentials do not.
    await t.db.registry.update({ where: { id: registry.id }, data: { lastTestSteps: [...reached.slice(0, 2), { name: "Authenticate (Basic)", ok: false, status: 401, detail: "" }] } });
    expect((await doneOf(ctx)).test).toBe(false);
    await t.db.registry.update({ where: { id: registry.id }, data: { lastTestOk: true, lastTestSteps: reached } });

    const customer = await createCustomerRow(t.db, ctx.teamId, "Globex");
    const license = await createLicense(t.db, { teamId: ctx.teamId, appId: app.id, customerId: customer.id });
    const steps = await onboardingState(ctx);
    expect(steps.find((s) => s.id === "license")?.detail).toBe(`License …${license.licenseId.slice(-4)} of Globex for ${app.slug}.`);
    expect(nextStep(steps)?.id).toBe("pull");

    await t.db.pullEvent.create({ data: { teamId: ctx.teamId, source: "proxy", image: `${app.slug}/api`, action: "pull", status: 200 } });
    expect(nextStep(await onboardingState(ctx))).toBeUndefined();

    // Another team's state is its own.
    expect(Object.values(await doneOf(other)).every((d) => !d)).toBe(true);
  });
});
