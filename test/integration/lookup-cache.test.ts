import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/lib/config/env";
import { ChangeHub } from "@/lib/internal/changes-hub";
import { INTERNAL_API, type ChangeEvent } from "@/lib/internal/contract";
import { revokeLicense } from "@/lib/licenses/operations";
import { rotateRegistryCredentials } from "@/lib/registries/operations";
import { invoke } from "@/lib/server/operation";
import { addRegistry, createLicense, createTenant, memberContext } from "@/test/support/factories";
import type { PortalRoutes } from "@/test/support/portal-routes";
import { proxyFixture, startInternalApi, until } from "@/test/support/proxy-fixture";

/**
 * The portal's lookup cache (lib/internal/lookup-cache.ts), through the internal API's route on
 * PostgreSQL: answers are kept (a change written to the database by hand, which announces
 * nothing, is not seen), `Cache-Control: no-cache` asks past them, a change made through the
 * portal drops them before the change reaches any proxy's stream, an answer is not served past
 * its license's expiry, and nothing is kept while the change channel isn't listened to.
 */

describe("internal API: the portal's lookup cache", () => {
  const fx = proxyFixture();
  let hub: ChangeHub;
  let api: PortalRoutes;
  const seen: ChangeEvent[] = [];

  const lookup = async (portal: PortalRoutes, body: object, headers: Record<string, string> = {}) => {
    const res = await fetch(`${portal.url}${INTERNAL_API.lookup}`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.serviceToken}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

  async function tenant(slug: string, opts: { expiresAt?: Date } = {}) {
    const t = await createTenant(fx.db, { slug });
    const registry = await addRegistry(fx.db, t.teamId, { name: "up", endpoint: "registry.vendor.example", username: "vendor", secret: "first-password" });
    const license = await createLicense(fx.db, t, opts);
    const admin = await memberContext(fx.db, { role: "admin", teamId: t.teamId });
    const body = { licenseId: license.licenseId, appSlug: slug, image: ["up", "acme", "app"] };
    return { ...t, registry, license, admin, body };
  }

  beforeAll(async () => {
    hub = new ChangeHub(() => Promise.resolve(fx.t.url));
    // Another subscriber of the same hub, as a proxy's change stream would be.
    hub.subscribe({ change: (e) => seen.push(e), lost: () => {} });
    api = await startInternalApi({ env: { ...env(), PORTAL_LOOKUP_CACHE_TTL_MS: 60_000 }, changes: hub });
    await until(() => hub.listening, 10_000);
  });

  afterAll(async () => {
    await api?.close();
    await hub?.close();
  });

  it("keeps an answer: a revocation written by hand is not seen, except by a lookup with no-cache", async () => {
    const t = await tenant("cache-kept");
    expect((await lookup(api, t.body)).status).toBe(200);
    await fx.db.license.update({ where: { id: t.license.id }, data: { revokedAt: new Date() } });
    expect(await lookup(api, t.body)).toMatchObject({ status: 200, body: { allowed: true } });
    expect(await lookup(api, t.body, { "cache-control": "no-cache" })).toMatchObject({ status: 401, body: { code: "revoked" } });
    // The fresh answer replaced the kept one.
    expect(await lookup(api, t.body)).toMatchObject({ status: 401, body: { code: "revoked" } });
  });

  it("a revocation through the portal is seen by the first lookup after the change is announced", async () => {
    const t = await tenant("cache-revoke");
    expect((await lookup(api, t.body)).status).toBe(200);
    expect((await lookup(api, t.body)).status).toBe(200);
    await invoke(revokeLicense, t.admin, { id: t.license.id });
    await until(() => seen.some((e) => e.kind === "license" && e.id === t.license.id), 10_000);
    expect(await lookup(api, t.body)).toMatchObject({ status: 401, body: { code: "revoked" } });
  });

  it("rotated registry credentials are in the next answer", async () => {
    const t = await tenant("cache-rotate");
    expect((await lookup(api, t.body)).body.registry.credentials).toEqual({ kind: "basic", username: "vendor", password: "first-password" });
    await invoke(rotateRegistryCredentials, t.admin, { id: t.registry.id, username: "vendor", password: "second-password", force: true });
    await until(() => seen.some((e) => e.kind === "registry" && e.id === t.registry.id), 10_000);
    expect((await lookup(api, t.body)).body.registry.credentials).toEqual({ kind: "basic", username: "vendor", password: "second-password" });
  });

  it("an allowed answer is not served past its license's expiry", async () => {
    const expiresAt = new Date(Date.now() + 1_500);
    const t = await tenant("cache-expiry", { expiresAt });
    expect((await lookup(api, t.body)).status).toBe(200);
    await until(() => Date.now() > expiresAt.getTime(), 5_000);
    expect(await lookup(api, t.body)).toMatchObject({ status: 401, body: { code: "expired" } });
  });

  it("keeps nothing while the change channel is not listened to", async () => {
    const deaf = new ChangeHub(() => Promise.resolve("postgresql://nobody@127.0.0.1:1/nothing"));
    const portal = await startInternalApi({ env: { ...env(), PORTAL_LOOKUP_CACHE_TTL_MS: 60_000 }, changes: deaf });
    try {
      const t = await tenant("cache-deaf");
      expect((await lookup(portal, t.body)).status).toBe(200);
      await fx.db.license.update({ where: { id: t.license.id }, data: { revokedAt: new Date() } });
      expect(await lookup(portal, t.body)).toMatchObject({ status: 401, body: { code: "revoked" } });
    } finally {
      await portal.close();
      await deaf.close();
    }
  });
});
