import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { memberContext } from "@/test/support/factories";
import { invoke } from "@/lib/server/operation";
import { createApp } from "@/lib/apps/operations";
import { auditActors, listAuditEvents } from "@/lib/audit/list";

const t = setupTestDatabase();

describe("audit log", () => {
  it("lists newest first, paged, filterable by action", async () => {
    const admin = await memberContext(t.db);
    for (let i = 0; i < 7; i++) await invoke(createApp, admin, { name: `App ${i} ${admin.teamId.slice(0, 6)}` });
    const page1 = await invoke(listAuditEvents, admin, { action: "app.create", pageSize: "5" });
    expect(page1.total).toBe(7);
    expect(page1.pages).toBe(2);
    expect(page1.events).toHaveLength(5);
    expect(page1.events[0]!.metadata).toMatchObject({ name: expect.stringContaining("App 6") });
    const times = page1.events.map((e) => e.createdAt.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const page2 = await invoke(listAuditEvents, admin, { action: "app.create", pageSize: "5", page: "2" });
    expect(page2.events).toHaveLength(2);
    expect(page2.events.at(-1)!.metadata).toMatchObject({ name: expect.stringContaining("App 0") });
    const none = await invoke(listAuditEvents, admin, { action: "member.remove" });
    expect(none.total).toBe(0);
  });
});

describe("audit log filters", () => {
  it("filters by actor, target and days inside the caller's team, and refuses a reversed range", async () => {
    const admin = await memberContext(t.db);
    const other = await memberContext(t.db);
    const suffix = admin.teamId.slice(0, 6);
    await invoke(createApp, admin, { name: `Alpha ${suffix}` });
    await invoke(createApp, admin, { name: `Beta ${suffix}` });
    await invoke(createApp, other, { name: `Alpha other ${suffix}` });

    const byTarget = await invoke(listAuditEvents, admin, { target: `ALPHA-${suffix}` });
    expect(byTarget.events.map((e) => e.targetLabel)).toEqual([`alpha-${suffix}`]);
    expect((await invoke(listAuditEvents, admin, { actor: admin.email })).total).toBe(2);
    expect((await invoke(listAuditEvents, admin, { actor: other.email })).total).toBe(0);

    const today = new Date().toISOString().slice(0, 10);
    expect((await invoke(listAuditEvents, admin, { from: today, to: today })).total).toBe(2);
    expect((await invoke(listAuditEvents, admin, { to: "2000-01-01" })).total).toBe(0);
    await expect(invoke(listAuditEvents, admin, { from: today, to: "2000-01-01" })).rejects.toMatchObject({ code: "validation_failed" });

    expect(await auditActors(admin)).toEqual({ emails: [admin.email], system: false });
  });
});
