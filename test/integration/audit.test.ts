import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { memberContext } from "@/test/support/factories";
import { invoke } from "@/lib/server/operation";
import { createApp } from "@/lib/apps/operations";
import { listAuditEvents } from "@/lib/audit/list";

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
