import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TeamContext } from "@/lib/auth/context";
import { invoke } from "@/lib/server/operation";
import { appDeletionPreview, createApp, deleteApp, listApps } from "@/lib/apps/operations";
import { archiveCustomer, createCustomer, getCustomer } from "@/lib/customers/operations";
import { createLicense } from "@/lib/licenses/operations";
import { checkLicense } from "@/lib/licenses/verify";
import { createRegistry, deleteRegistry } from "@/lib/registries/operations";
import { createServiceAccount, createTeamToken, revokeToken } from "@/lib/tokens/operations";
import { prismaSecretStore } from "@/lib/crypto/prisma-store";
import { decodeJwt } from "@/lib/registry-auth/jwt";
import { REGISTRY_SERVICE } from "@/lib/registry-auth/settings";
import { HostedRegistryError, hostedImages } from "@/lib/registry-auth/hosted-images";
import { setupTestDatabase } from "@/test/support/db";
import { errorOf } from "@/test/support/errors";
import { memberContext } from "@/test/support/factories";
import type { PortalRoutes } from "@/test/support/portal-routes";
import { basicAuth, configureRegistryAuthTestEnv, startHostedRegistry, startRegistryAuthRoutes } from "@/test/support/registry-auth";
import { updateTestEnv } from "@/test/support/test-env";
import { buildOciImage, pushImage, requireBinaries, skopeoInspect, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * Deleting an app: an admin action that deletes the app's images from the hosted registry (a
 * real Distribution configured by `portcullis registry config`), revokes and keeps its licenses,
 * and leaves a tombstone so the slug is never granted to or taken by anyone again. And no sealed
 * secret outlives its record, whatever is deleted or archived.
 */

configureRegistryAuthTestEnv();

const t = setupTestDatabase({ processDb: true });

const setRegistryUrl = (url: string | undefined) => updateTestEnv({ REGISTRY_INTERNAL_URL: url || undefined });

const orphans = () => prismaSecretStore(t.db).countOrphans!();

describe("deleting an app, without a hosted registry", () => {
  let admin: TeamContext;
  let developer: TeamContext;
  beforeAll(async () => {
    admin = await memberContext(t.db, { role: "admin", teamName: "Solo" });
    developer = await memberContext(t.db, { role: "developer", teamId: admin.teamId });
  });

  it("is for admins: a developer is refused and nothing changes", async () => {
    const app = await invoke(createApp, developer, { name: "Keep Me" });
    const customer = await invoke(createCustomer, developer, { name: "Keeper" });
    const license = await invoke(createLicense, developer, { customerId: customer.id, app: app.slug, type: "paid" });
    const err = await errorOf(invoke(deleteApp, developer, { id: app.id, confirmSlug: "keep-me" }));
    expect(err.code).toBe("forbidden");
    expect((await invoke(listApps, developer, {})).map((a) => a.slug)).toContain("keep-me");
    expect(await checkLicense(t.db, license.licenseId)).toMatchObject({ status: "active" });
  });

  it("revokes its licenses (kept, one license.revoke event each, reason 'app deleted'), keeps their sealed IDs, and orphans nothing", async () => {
    const app = await invoke(createApp, admin, { name: "Retired" });
    const other = await invoke(createApp, admin, { name: "Still Sold" });
    const customer = await invoke(createCustomer, admin, { name: "Globex" });
    const l1 = await invoke(createLicense, admin, { customerId: customer.id, app: app.slug, type: "paid" });
    const l2 = await invoke(createLicense, admin, { customerId: customer.id, app: app.slug, type: "trial" });
    const untouched = await invoke(createLicense, admin, { customerId: customer.id, app: other.slug, type: "paid" });

    const preview = await invoke(appDeletionPreview, admin, { id: app.id });
    expect(preview).toMatchObject({ licenses: { active: 2, total: 2 }, hostedRegistry: { configured: false } });

    const result = await invoke(deleteApp, admin, { id: app.id, confirmSlug: "retired" });
    expect(result).toMatchObject({ id: app.id, slug: "retired", revokedLicenses: 2 });

    for (const l of [l1, l2]) {
      expect(await checkLicense(t.db, l.licenseId), l.id).toMatchObject({ status: "revoked" });
      const row = await t.db.license.findUniqueOrThrow({ where: { id: l.id } });
      expect(row.revokedAt).not.toBeNull();
      const events = await t.db.auditEvent.findMany({ where: { teamId: admin.teamId, action: "license.revoke", targetId: l.id } });
      expect(events).toHaveLength(1);
      expect(events[0]!.metadata).toMatchObject({ app: "retired", customer: "Globex", reason: "app deleted" });
      expect(await t.db.encryptedSecret.count({ where: { teamId: admin.teamId, recordId: l.id } })).toBe(1);
    }
    expect(await checkLicense(t.db, untouched.licenseId)).toMatchObject({ status: "active" });
    // Still in the customer's history, as revoked.
    const history = await invoke(getCustomer, admin, { id: customer.id });
    expect(history.licenses.filter((l) => l.appSlug === "retired").map((l) => l.status)).toEqual(["revoked", "revoked"]);
    const appEvent = await t.db.auditEvent.findFirstOrThrow({ where: { action: "app.delete", targetId: app.id } });
    expect(appEvent.metadata).toMatchObject({ revokedLicenses: 2, hostedRepositories: 0 });
    expect(await t.db.app.findUniqueOrThrow({ where: { id: app.id } })).toMatchObject({ deletedById: admin.userId, deletedByEmail: admin.email });
    expect(await orphans()).toBe(0);

    // The tombstone: the slug is taken for good, for this team too; the app is gone from every lookup.
    expect((await invoke(listApps, admin, {})).map((a) => a.slug)).not.toContain("retired");
    const again = await errorOf(invoke(createApp, admin, { name: "Retired" }));
    expect(again.code).toBe("conflict");
    expect(again.fields?.slug).toMatch(/belonged to a deleted app/);
    expect((await errorOf(invoke(createLicense, admin, { customerId: customer.id, app: "retired", type: "paid" }))).code).toBe("validation_failed");
    expect((await errorOf(invoke(deleteApp, admin, { id: app.id, confirmSlug: "retired" }))).code).toBe("not_found");
  });

  it("an App row with licenses can't be removed by the database either (no cascade)", async () => {
    const app = await invoke(createApp, admin, { name: "Cascade Probe" });
    const customer = await invoke(createCustomer, admin, { name: "Probe Customer" });
    await invoke(createLicense, admin, { customerId: customer.id, app: app.slug, type: "paid" });
    await expect(t.db.app.delete({ where: { id: app.id } })).rejects.toThrow();
    await expect(t.db.customer.delete({ where: { id: customer.id } })).rejects.toThrow();
    expect(await t.db.license.count({ where: { appId: app.id } })).toBe(1);
  });

  it("no sealed secret outlives its record: archived customers, deleted registries, revoked tokens, deleted apps, a deleted team", async () => {
    const team = await memberContext(t.db, { role: "admin", teamName: "Short-lived team" });
    const app = await invoke(createApp, team, { name: "Everything App" });
    const customer = await invoke(createCustomer, team, { name: "Everything Customer" });
    await invoke(createLicense, team, { customerId: customer.id, app: app.slug, type: "paid" });
    await invoke(createLicense, team, { customerId: customer.id, app: app.slug, type: "dev" });
    const registry = await invoke(createRegistry, team, { provider: "other", endpoint: "registry.example.test", username: "u", password: "p" });
    await invoke(createRegistry, team, { provider: "other", endpoint: "other.example.test", username: "u", password: "p" });
    const token = await invoke(createServiceAccount, team, { name: "ci", role: "developer" });
    expect(await t.db.encryptedSecret.count({ where: { teamId: team.teamId } })).toBeGreaterThanOrEqual(4);

    await invoke(archiveCustomer, team, { id: customer.id });
    await invoke(deleteRegistry, team, { id: registry.id, confirmEndpoint: "registry.example.test" });
    await invoke(revokeToken, team, { id: token.id });
    await invoke(deleteApp, team, { id: app.id, confirmSlug: app.slug });
    expect(await orphans()).toBe(0);

    // A team's rows go with it (its secrets too), licenses of deleted apps included.
    await t.db.team.delete({ where: { id: team.teamId } });
    expect(await t.db.encryptedSecret.count({ where: { teamId: team.teamId } })).toBe(0);
    expect(await orphans()).toBe(0);
  });
});

describe.skipIf(!requireBinaries("docker-registry", "skopeo"))("deleting an app with a hosted registry (real Distribution)", () => {
  let routes: PortalRoutes;
  let registry: Distribution;
  let work: string;
  let img: BuiltImage;
  let img2: BuiltImage;
  let adminA: TeamContext;
  let developerA: TeamContext;
  let adminB: TeamContext;
  const tokens = { a: "", b: "" };

  const ref = (repo: string) => `${registry.host}/${repo}`;
  const pushAs = (token: string, target: string, image = img) => pushImage(image.dir, ref(target), { creds: { username: "ci", password: token }, tag: image.tag });
  const hosted = () => hostedImages({ url: registry.url });
  const tokenFor = async (password: string, scope: string) => {
    const res = await fetch(`${routes.url}/api/registry/token?service=${REGISTRY_SERVICE}&scope=${encodeURIComponent(scope)}`, { headers: { authorization: basicAuth("ci", password) } });
    expect(res.status).toBe(200);
    return decodeJwt(((await res.json()) as { token: string }).token)!.claims.access;
  };

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "app-deletion-"));
    adminA = await memberContext(t.db, { role: "admin", teamName: "Payments Co" });
    developerA = await memberContext(t.db, { role: "developer", teamId: adminA.teamId });
    adminB = await memberContext(t.db, { role: "admin", teamName: "Next Owner Co" });
    tokens.a = (await invoke(createServiceAccount, adminA, { name: "ci", role: "developer" })).token;
    tokens.b = (await invoke(createTeamToken, adminB, { name: "release" })).token;
    routes = await startRegistryAuthRoutes();
    registry = await startHostedRegistry(routes.url);
    setRegistryUrl(registry.url);
    img = await buildOciImage(path.join(work, "img"), { layers: [{ files: { "etc/app.conf": "v=1\n" } }], tag: "1" });
    img2 = await buildOciImage(path.join(work, "img2"), { layers: [{ files: { "etc/app.conf": "v=2\n" } }], tag: "2" });
  });

  afterAll(async () => {
    setRegistryUrl(undefined);
    await registry?.stop();
    await routes?.close();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it("purges every tag under <slug>/, revokes the licenses, and nobody — another team or the old one — gets the slug back", async () => {
    const app = await invoke(createApp, adminA, { name: "Payments" });
    await invoke(createApp, adminB, { name: "Beta" });
    const customer = await invoke(createCustomer, adminA, { name: "Customer One" });
    const license = await invoke(createLicense, adminA, { customerId: customer.id, app: "payments", type: "paid" });
    await pushAs(tokens.a, "payments/api:1");
    await pushAs(tokens.a, "payments/api:2", img2);
    await pushAs(tokens.a, "payments/web:1");
    await pushAs(tokens.b, "beta/app:1");

    const preview = await invoke(appDeletionPreview, adminA, { id: app.id });
    expect(preview.hostedRegistry).toEqual({
      configured: true,
      reachable: true,
      repositories: [
        { name: "payments/api", tags: 2 },
        { name: "payments/web", tags: 1 },
      ],
      tags: 3,
    });
    expect(preview.licenses).toEqual({ active: 1, total: 1 });

    expect((await errorOf(invoke(deleteApp, developerA, { id: app.id, confirmSlug: "payments" }))).code).toBe("forbidden");
    expect(await hosted().list("payments")).toHaveLength(2);

    const result = await invoke(deleteApp, adminA, { id: app.id, confirmSlug: "payments" });
    expect(result).toMatchObject({ revokedLicenses: 1, hostedImages: { repositories: 2, tags: 3, manifests: 3 } });

    // The registry itself says the tags are gone (asked with the portal's own token), and pulls fail.
    expect(await hosted().list("payments")).toEqual([]);
    await expect(skopeoInspect(ref("payments/api:1"), { creds: { username: "ci", password: tokens.a } })).rejects.toThrow();
    // Another team's images are untouched.
    expect((await skopeoInspect(ref("beta/app:1"), { creds: { username: "ci", password: tokens.b } })).Digest).toBe(img.digest);

    // The slug is never reused, and granted to nobody.
    const taken = await errorOf(invoke(createApp, adminB, { name: "Payments", slug: "payments" }));
    expect(taken.code).toBe("conflict");
    expect(taken.fields?.slug).toMatch(/belonged to a deleted app/);
    expect(await tokenFor(tokens.b, "repository:payments/api:pull,push")).toEqual([]);
    expect(await tokenFor(tokens.a, "repository:payments/api:pull,push")).toEqual([]);
    await expect(pushAs(tokens.a, "payments/api:3")).rejects.toThrow(/denied|unauthorized/i);
    expect(await checkLicense(t.db, license.licenseId)).toMatchObject({ status: "revoked" });
  });

  it("refuses, changing nothing, when the hosted registry can't be reached", async () => {
    const app = await invoke(createApp, adminA, { name: "Unreachable" });
    const customer = await invoke(createCustomer, adminA, { name: "Customer Two" });
    const license = await invoke(createLicense, adminA, { customerId: customer.id, app: app.slug, type: "paid" });
    await pushAs(tokens.a, "unreachable/api:1");
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    setRegistryUrl(`http://127.0.0.1:${closed}`);
    try {
      const preview = await invoke(appDeletionPreview, adminA, { id: app.id });
      expect(preview.hostedRegistry).toMatchObject({ configured: true, reachable: false, error: expect.stringMatching(/can't be reached/) });
      const err = await errorOf(invoke(deleteApp, adminA, { id: app.id, confirmSlug: "unreachable" }));
      expect(err.code).toBe("unavailable");
      expect(err.status).toBe(503);
      expect(err.message).toMatch(/can't be reached.*was not deleted/);
    } finally {
      setRegistryUrl(registry.url);
    }
    expect((await invoke(listApps, adminA, {})).map((a) => a.slug)).toContain("unreachable");
    expect(await checkLicense(t.db, license.licenseId)).toMatchObject({ status: "active" });
    expect(await hosted().list("unreachable")).toEqual([{ name: "unreachable/api", tags: ["1"] }]);
  });

  it("a purge cut off halfway is finished by the next attempt", async () => {
    const app = await invoke(createApp, adminA, { name: "Halfway" });
    await pushAs(tokens.a, "halfway/a:1");
    await pushAs(tokens.a, "halfway/b:1");
    let deletes = 0;
    const cutOff: typeof fetch = (input, init) => {
      if (init?.method === "DELETE" && ++deletes > 1) return Promise.reject(new TypeError("fetch failed"));
      return fetch(input, init);
    };
    await expect(hostedImages({ url: registry.url, fetch: cutOff }).purge("halfway")).rejects.toBeInstanceOf(HostedRegistryError);
    expect(await hosted().list("halfway")).toEqual([{ name: "halfway/b", tags: ["1"] }]);

    const result = await invoke(deleteApp, adminA, { id: app.id, confirmSlug: "halfway" });
    expect(result.hostedImages).toEqual({ repositories: 1, tags: 1, manifests: 1 });
    expect(await hosted().list("halfway")).toEqual([]);
  });
});
