import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { createAppRow, createCustomerRow, createLicense, memberContext } from "@/test/support/factories";
import { lastPullPerLicense } from "@/lib/activity/last-pulls";
import { listCustomers } from "@/lib/customers/operations";
import { invoke } from "@/lib/server/operation";

const t = setupTestDatabase();

describe("the customers list", () => {
  it("finds customers by part of their name or email, in any case, within the team", async () => {
    const ctx = await memberContext(t.db);
    const other = await memberContext(t.db);
    await createCustomerRow(t.db, ctx.teamId, "Globex Corporation");
    const initech = await createCustomerRow(t.db, ctx.teamId, "Initech");
    await t.db.customer.update({ where: { id: initech.id }, data: { email: "ops@initech.example" } });
    await createCustomerRow(t.db, other.teamId, "Globex Other Team");

    const names = async (q?: string) => (await invoke(listCustomers, ctx, { q })).map((c) => c.name).sort();
    expect(await names()).toEqual(["Globex Corporation", "Initech"]);
    expect(await names("gLOBEX")).toEqual(["Globex Corporation"]);
    expect(await names("INITECH.example")).toEqual(["Initech"]);
    expect(await names("  ")).toEqual(["Globex Corporation", "Initech"]);
    expect(await names("nobody")).toEqual([]);
    await expect(invoke(listCustomers, ctx, { q: "x".repeat(121) })).rejects.toMatchObject({ code: "validation_failed" });
  });

  it("shows when each license last pulled through the proxy; refused attempts and other teams' licenses don't count", async () => {
    const ctx = await memberContext(t.db);
    const other = await memberContext(t.db);
    const app = await createAppRow(t.db, ctx.teamId, { name: `pulls-${ctx.teamId.slice(0, 8)}` });
    const customer = await createCustomerRow(t.db, ctx.teamId, "Globex");
    const pulled = await createLicense(t.db, { teamId: ctx.teamId, appId: app.id, customerId: customer.id });
    const refused = await createLicense(t.db, { teamId: ctx.teamId, appId: app.id, customerId: customer.id });
    const event = (licenseId: string, result: string, at: string) => ({
      teamId: ctx.teamId, source: "proxy", licenseId, customerId: customer.id, appId: app.id, image: `${app.slug}/api`, action: "pull-manifest", status: result === "pulled" ? 200 : 403, result, createdAt: new Date(at),
    });
    await t.db.pullEvent.createMany({
      data: [event(pulled.id, "pulled", "2026-01-02T10:00:00Z"), event(pulled.id, "pulled", "2026-01-03T10:00:00Z"), event(refused.id, "refused", "2026-01-04T10:00:00Z")],
    });

    const last = await lastPullPerLicense(ctx, [pulled.id, refused.id]);
    expect(Object.fromEntries([...last].map(([id, at]) => [id, at.toISOString()]))).toEqual({ [pulled.id]: "2026-01-03T10:00:00.000Z" });
    expect((await lastPullPerLicense(other, [pulled.id, refused.id])).size).toBe(0);
    expect((await lastPullPerLicense(ctx, [])).size).toBe(0);
  });
});
