import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { errorOf } from "@/test/support/errors";
import { twoTeams } from "@/test/support/factories";
import { invoke } from "@/lib/server/operation";
import { createApp, deleteApp, listApps, renameApp } from "@/lib/apps/operations";

const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;

beforeAll(async () => {
  teams = await twoTeams(t.db);
});


describe("apps", () => {
  it("derives the slug from the name and records an audit event in the same change", async () => {
    const app = await invoke(createApp, teams.developerA, { name: "Acme Analytics Pro!" });
    expect(app.slug).toBe("acme-analytics-pro");
    const events = await t.db.auditEvent.findMany({ where: { teamId: teams.adminA.teamId, action: "app.create", targetId: app.id } });
    expect(events).toHaveLength(1);
    expect(events[0]!.actorId).toBe(teams.developerA.userId);
    expect(events[0]!.ip).toBe("127.0.0.1");
  });

  it("takes an edited slug and refuses an invalid one with a field error", async () => {
    expect((await invoke(createApp, teams.adminA, { name: "Thing", slug: "custom-thing" })).slug).toBe("custom-thing");
    const err = await errorOf(invoke(createApp, teams.adminA, { name: "Thing", slug: "Bad Slug" }));
    expect(err.code).toBe("validation_failed");
    expect(err.fields?.slug).toMatch(/lowercase/);
  });

  it("keeps slugs unique across teams: a duplicate is a field error, not a crash", async () => {
    await invoke(createApp, teams.adminA, { name: "Shared Name" });
    const err = await errorOf(invoke(createApp, teams.adminB, { name: "Shared Name" }));
    expect(err.code).toBe("conflict");
    expect(err.status).toBe(409);
    expect(err.fields?.slug).toContain("shared-name");
    // Nothing half-written: no app and no audit event for the failed attempt.
    expect(await t.db.app.count({ where: { teamId: teams.adminB.teamId } })).toBe(0);
    expect(await t.db.auditEvent.count({ where: { teamId: teams.adminB.teamId, action: "app.create" } })).toBe(0);
  });

  it("renames without changing the slug", async () => {
    const app = await invoke(createApp, teams.adminA, { name: "Old Name" });
    const renamed = await invoke(renameApp, teams.adminA, { id: app.id, name: "New Name" });
    expect(renamed).toMatchObject({ name: "New Name", slug: "old-name" });
  });

  it("deletes only after the slug is typed", async () => {
    const app = await invoke(createApp, teams.adminA, { name: "Doomed" });
    const err = await errorOf(invoke(deleteApp, teams.adminA, { id: app.id, confirmSlug: "wrong" }));
    expect(err.fields?.confirmSlug).toContain("doomed");
    await invoke(deleteApp, teams.adminA, { id: app.id, confirmSlug: "doomed" });
    const left = await invoke(listApps, teams.adminA, {});
    expect(left.map((a) => a.slug)).not.toContain("doomed");
    expect(await t.db.auditEvent.count({ where: { action: "app.delete", targetId: app.id } })).toBe(1);
  });
});
