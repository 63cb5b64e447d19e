import { describe, expect, it } from "vitest";
import { setupTestDatabase, createTestDatabase } from "@/test/support/db";

const t = setupTestDatabase();

describe("Prisma on the test database (PGlite socket or PostgreSQL)", () => {
  it("runs concurrent interactive transactions; thrown ones roll back", async () => {
    const team = await t.db.team.create({ data: { name: "concurrency" } });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        t.db.$transaction(async (tx) => {
          await tx.auditEvent.create({ data: { teamId: team.id, action: `event.${i}` } });
          const mine = await tx.auditEvent.count({ where: { teamId: team.id, action: `event.${i}` } });
          expect(mine).toBe(1);
          if (i % 4 === 0) throw new Error(`rollback ${i}`);
          return i;
          // Waiting for a pooled connection is not what this test is about: on a busy machine
          // Prisma's defaults (2 s to get one, 5 s to finish) would add rejections of their own.
        }, { maxWait: 60_000, timeout: 60_000 }),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(3);
    const actions = (await t.db.auditEvent.findMany({ where: { teamId: team.id }, select: { action: true } })).map((e) => e.action).sort();
    expect(actions).toEqual([1, 2, 3, 5, 6, 7, 9, 10, 11].map((i) => `event.${i}`).sort());
  });

  it("reports unique violations as P2002", async () => {
    await t.db.user.create({ data: { email: "twice@example.test", passwordHash: "x" } });
    await expect(t.db.user.create({ data: { email: "twice@example.test", passwordHash: "x" } })).rejects.toMatchObject({ code: "P2002" });
  });

  it("each test database is its own", async () => {
    const other = await createTestDatabase();
    try {
      expect(other.url).not.toBe(t.url);
      await t.db.team.create({ data: { name: "only in the first" } });
      expect(await other.db.team.count({ where: { name: "only in the first" } })).toBe(0);
    } finally {
      await other.drop();
    }
  });
});
