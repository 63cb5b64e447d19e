import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { configureTestEnv } from "@/test/support/test-env";
import { twoTeams } from "@/test/support/factories";
import { invoke } from "@/lib/server/operation";
import { createApp, deleteApp } from "@/lib/apps/operations";
import { archiveCustomer, createCustomer } from "@/lib/customers/operations";
import { createLicense } from "@/lib/licenses/operations";

/**
 * Decisions that read a row and then write another must hold when the row changes in between:
 * these fire the two sides at once, many times, and check the invariant afterwards. On
 * PostgreSQL (CI) the operations really overlap on separate connections.
 */
configureTestEnv({ name: "check-then-write" });

const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;
let app: { id: string; slug: string };

beforeAll(async () => {
  teams = await twoTeams(t.db);
  app = await invoke(createApp, teams.adminA, { name: "Raced App" });
});

describe("check, then write", () => {
  it("an archived customer is left with no active license, however a new license races the archive", async () => {
    for (let round = 0; round < 10; round++) {
      const customer = await invoke(createCustomer, teams.adminA, { name: `Racer ${round}` });
      const issue = () => invoke(createLicense, teams.adminA, { customerId: customer.id, app: app.slug, type: "paid" });
      const outcomes = await Promise.allSettled([issue(), issue(), invoke(archiveCustomer, teams.adminA, { id: customer.id }), issue(), issue()]);
      // Issuing may lose to the archive (409); anything else is a failure of the test's own setup.
      for (const o of outcomes) if (o.status === "rejected") expect((o.reason as { code?: string }).code).toBe("conflict");
      const active = await t.db.license.count({ where: { customerId: customer.id, revokedAt: null } });
      expect(active, `round ${round}: active licenses of an archived customer`).toBe(0);
      // Every license that was issued and then revoked by the archive has its revoke event.
      const licenses = await t.db.license.findMany({ where: { customerId: customer.id }, select: { id: true } });
      const revokes = await t.db.auditEvent.count({ where: { action: "license.revoke", targetId: { in: licenses.map((l) => l.id) } } });
      expect(revokes).toBe(licenses.length);
    }
  });

  it("a deleted app is left with no active license, however a new license races the deletion", async () => {
    for (let round = 0; round < 10; round++) {
      const doomed = await invoke(createApp, teams.adminA, { name: `Doomed ${round}` });
      const customer = await invoke(createCustomer, teams.adminA, { name: `Customer of doomed ${round}` });
      const issue = () => invoke(createLicense, teams.adminA, { customerId: customer.id, app: doomed.slug, type: "paid" });
      const outcomes = await Promise.allSettled([issue(), issue(), invoke(deleteApp, teams.adminA, { id: doomed.id, confirmSlug: doomed.slug }), issue(), issue()]);
      // Issuing may lose to the deletion: a 409, or the app is already gone from the lookup (422).
      for (const o of outcomes) if (o.status === "rejected") expect(["conflict", "validation_failed"]).toContain((o.reason as { code?: string }).code);
      expect(outcomes[2]!.status, "the deletion itself succeeds").toBe("fulfilled");
      const active = await t.db.license.count({ where: { appId: doomed.id, revokedAt: null } });
      expect(active, `round ${round}: active licenses of a deleted app`).toBe(0);
    }
  });
});
