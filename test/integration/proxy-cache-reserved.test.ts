import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { TeamContext } from "@/lib/auth/context";
import { createApp } from "@/lib/apps/operations";
import { createLicense } from "@/lib/licenses/operations";
import { createCustomer } from "@/lib/customers/operations";
import { findActiveLicense } from "@/lib/licenses/verify";
import { ingestRegistryEvents } from "@/lib/registry-auth/events";
import { grantAccess, type Principal } from "@/lib/registry-auth/grants";
import { invoke } from "@/lib/server/operation";
import { createServiceAccount } from "@/lib/tokens/operations";
import { setupTestDatabase } from "@/test/support/db";
import { errorOf } from "@/test/support/errors";
import { createAppRow, memberContext } from "@/test/support/factories";
import { configureTestEnv } from "@/test/support/test-env";

/**
 * The proxy cache keeps its copies under `portcullis-cache/` in the hosted registry: no app may
 * take that slug, nobody is ever granted a repository under it (even a team whose app took the
 * slug before it was reserved), and the registry's notifications about it are not pull-log rows.
 */

configureTestEnv({ name: "cachereserved" });

const t = setupTestDatabase();

describe("the proxy cache's reserved repositories", () => {
  let admin: TeamContext;
  let principals: Principal[];

  beforeAll(async () => {
    admin = await memberContext(t.db, { role: "admin", teamName: "Legacy Co" });
    // An app that took the slug before it was reserved, and an ordinary one.
    await createAppRow(t.db, admin.teamId, { name: "Old Cache App", slug: "portcullis-cache" });
    await invoke(createApp, admin, { name: "Shop" });
    const customer = await invoke(createCustomer, admin, { name: "Buyer" });
    const license = await invoke(createLicense, admin, { customerId: customer.id, app: "portcullis-cache", type: "paid" });
    const token = await invoke(createServiceAccount, admin, { name: "ci", role: "developer" });
    principals = [
      { kind: "user", userId: admin.userId, email: admin.email },
      { kind: "token", tokenId: token.id, teamId: admin.teamId, role: "admin" },
      { kind: "license", license: (await findActiveLicense(t.db, license.licenseId))! },
    ];
  });

  it("refuses the slug portcullis-cache for a new app, on the slug field", async () => {
    for (const input of [{ name: "Portcullis Cache" }, { name: "Anything", slug: "portcullis-cache" }]) {
      const err = await errorOf(invoke(createApp, admin, input));
      expect(err.code, JSON.stringify(input)).toBe("validation_failed");
      expect(err.fields?.slug).toBe('The slug "portcullis-cache" is reserved for the registry proxy\'s cache; choose another.');
    }
    // Slugs around it are fine.
    expect((await invoke(createApp, admin, { name: "Portcullis Caches" })).slug).toBe("portcullis-caches");
  });

  it("grants nobody anything under portcullis-cache/, while the same principals get their other repositories", async () => {
    const ask = (p: Principal, name: string) => grantAccess(t.db, p, new Map([[name, new Set(["pull", "push", "delete", "*"])]]));
    expect(await ask(principals[0]!, "shop/api")).toEqual([{ type: "repository", name: "shop/api", actions: ["pull", "push"] }]);
    for (const p of principals) {
      for (const name of ["portcullis-cache/app", `portcullis-cache/${crypto.randomUUID()}/library/nginx`]) {
        expect(await ask(p, name), `${p.kind} ${name}`).toEqual([]);
      }
    }
    // Several repositories in one request: only the cache's are left out.
    const mixed = await grantAccess(t.db, principals[0]!, new Map([["shop/api", new Set(["pull"])], ["portcullis-cache/x/y", new Set(["pull"])]]));
    expect(mixed.map((a) => a.name)).toEqual(["shop/api"]);
  });

  it("ignores the registry's notifications about the cache's repositories", async () => {
    const event = (repository: string) => ({
      id: crypto.randomUUID(),
      action: "push",
      target: { mediaType: "application/vnd.oci.image.manifest.v1+json", repository, digest: `sha256:${"a".repeat(64)}`, size: 10, tag: "1" },
      request: { method: "PUT" },
      actor: { name: "proxy-cache" },
    });
    const result = await ingestRegistryEvents(t.db, [event(`portcullis-cache/${crypto.randomUUID()}/org/app`), event("portcullis-cache/app"), event("shop/api")]);
    expect(result).toEqual({ accepted: 1, ignored: 2 });
    const rows = await t.db.pullEvent.findMany({ where: { teamId: admin.teamId } });
    expect(rows.map((r) => r.image)).toEqual(["shop/api"]);
  });
});
