import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProxyServer } from "@/proxy/server";
import { invoke } from "@/lib/server/operation";
import { createServiceAccount } from "@/lib/tokens/operations";
import { apiRequest } from "@/test/support/api";
import { addRegistry, createCustomerRow, createLicense, createTenant, memberContext, type Tenant } from "@/test/support/factories";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture, until } from "@/test/support/proxy-fixture";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type Distribution } from "@/test/support/registry";

/**
 * A customer's delivery analytics from real pulls through the proxy: pulls and bytes per day and
 * per image, first and last pull, the digests they pulled — the numbers match what the clients
 * received, exactly; another customer's pulls and refused attempts are not counted as pulls.
 * The activity list answers the same attempts with their result and reason.
 */

const vendor = { username: "vendor", password: "analytics-upstream-pass" };
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface Pulled {
  bytes: number;
  digest: string;
}

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("delivery analytics from real pulls", () => {
  const fx = proxyFixture();
  let proxy: ProxyServer;
  let url: string;
  let registry: Distribution;
  let work: string;
  let tenant: Tenant;
  let token: string;
  let customerA: string;
  let authA: string;
  let authB: string;
  let revokedA: string;

  /** A pull as a client makes it: the manifest by tag, then its config and layers. */
  async function pull(authorization: string, image: string, tag: string): Promise<Pulled> {
    const base = `${url}/v2/proxy/analytic/vendor/${image}`;
    const m = await rawRequest(`${base}/manifests/${tag}`, { headers: { authorization, accept: MANIFEST } });
    expect(m.status).toBe(200);
    const manifest = JSON.parse(m.body.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
    let bytes = m.body.length;
    for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
      const b = await rawRequest(`${base}/blobs/${d}`, { headers: { authorization } });
      expect(b.status).toBe(200);
      bytes += b.body.length;
    }
    return { bytes, digest: String(m.headers["docker-content-digest"]) };
  }

  const api = async (p: string) => {
    const res = await apiRequest("GET", `/api/v1${p}`, { token });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { data?: Array<Record<string, unknown>> } };
  };

  const delivered = async () => {
    await until(() => proxy.pullLog.pending === 0, 10_000);
    await proxy.pullLog.flush(true);
  };

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "analytics-"));
    registry = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    const app = await buildOciImage(path.join(work, "app"), { layers: [{ sizeBytes: 200_000 }, { sizeBytes: 30_000 }], tag: "1.0" });
    const tools = await buildOciImage(path.join(work, "tools"), { layers: [{ sizeBytes: 90_000 }], tag: "2.0" });
    await pushImage(app.dir, `${registry.host}/acme/app:1.0`, { creds: vendor });
    await pushImage(tools.dir, `${registry.host}/acme/tools:2.0`, { creds: vendor });
    tenant = await createTenant(fx.db, { slug: "analytic" });
    await addRegistry(fx.db, tenant.teamId, { name: "vendor", endpoint: registry.url, ...vendor, secret: vendor.password });
    customerA = tenant.customerId;
    authA = licenseAuth((await createLicense(fx.db, tenant)).licenseId);
    const revoked = await createLicense(fx.db, tenant);
    await fx.db.license.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    revokedA = licenseAuth(revoked.licenseId);
    const other = await createCustomerRow(fx.db, tenant.teamId, "Other customer");
    authB = licenseAuth((await createLicense(fx.db, { ...tenant, customerId: other.id })).licenseId);
    const admin = await memberContext(fx.db, { role: "admin", teamId: tenant.teamId });
    token = (await invoke(createServiceAccount, admin, { name: "reports", role: "read_only" })).token;
    ({ proxy, url } = await fx.startProxy({ cache: { enabled: false }, pullLog: { flushIntervalMs: 50, maxBackoffMs: 100 } }));
    return async () => {
      await registry?.stop();
      if (work) await fs.rm(work, { recursive: true, force: true });
    };
  });

  it("counts pulls and bytes per day and per image, first and last pull and the digests, exactly as the clients received them", async () => {
    const now = Date.now();
    // Two days ago (the proxy's clock: its events carry that time).
    fx.clock.advance(-2 * DAY);
    const earlyFrom = fx.clock.now();
    const early = await pull(authA, "acme/app", "1.0");
    const earlyTo = fx.clock.now();
    fx.clock.advance(2 * DAY);
    // Today: the same image twice and another one once; another customer's pull; a refused attempt.
    const a1 = await pull(authA, "acme/app", "1.0");
    const a2 = await pull(authA, "acme/app", "1.0");
    const t1 = await pull(authA, "acme/tools", "2.0");
    await pull(authB, "acme/app", "1.0");
    expect((await rawRequest(`${url}/v2/proxy/analytic/vendor/acme/app/manifests/1.0`, { headers: { authorization: revokedA, accept: MANIFEST } })).status).toBe(401);
    await delivered();

    const { status, body } = await api(`/customers/${customerA}/analytics?days=7`);
    expect(status).toBe(200);
    const today = dayOf(now);
    const twoDaysAgo = dayOf(now - 2 * DAY);
    expect(body.from).toBe(dayOf(now - 6 * DAY));
    expect(body.to).toBe(today);
    const days = body.days as Array<{ day: string; pulls: number; bytes: number }>;
    expect(days).toHaveLength(7);
    expect(days.find((d) => d.day === twoDaysAgo)).toEqual({ day: twoDaysAgo, pulls: 1, bytes: early.bytes });
    expect(days.find((d) => d.day === today)).toEqual({ day: today, pulls: 3, bytes: a1.bytes + a2.bytes + t1.bytes });
    expect(days.filter((d) => d.day !== today && d.day !== twoDaysAgo).every((d) => d.pulls === 0 && d.bytes === 0)).toBe(true);
    expect(body.totals).toEqual({ pulls: 4, bytes: early.bytes + a1.bytes + a2.bytes + t1.bytes, refused: 1, incomplete: 0 });

    const images = body.images as Array<{ image: string; pulls: number; bytes: number; days: unknown[] }>;
    expect(images.map((i) => [i.image, i.pulls, i.bytes])).toEqual([
      ["proxy/analytic/vendor/acme/app", 3, early.bytes + a1.bytes + a2.bytes],
      ["proxy/analytic/vendor/acme/tools", 1, t1.bytes],
    ]);
    expect(images[0]!.days).toEqual([
      { day: twoDaysAgo, pulls: 1, bytes: early.bytes },
      { day: today, pulls: 2, bytes: a1.bytes + a2.bytes },
    ]);

    const versions = body.versions as Array<{ image: string; digest: string; tags: string[]; pulls: number }>;
    expect(versions.map(({ image, digest, tags, pulls }) => ({ image, digest, tags, pulls })).sort((x, y) => x.image.localeCompare(y.image))).toEqual([
      { image: "proxy/analytic/vendor/acme/app", digest: a1.digest, tags: ["1.0"], pulls: 3 },
      { image: "proxy/analytic/vendor/acme/tools", digest: t1.digest, tags: ["2.0"], pulls: 1 },
    ]);
    const first = new Date(body.firstPullAt as string).getTime();
    expect(first).toBeGreaterThanOrEqual(earlyFrom);
    expect(first).toBeLessThanOrEqual(earlyTo);
    expect(dayOf(new Date(body.lastPullAt as string).getTime())).toBe(today);
  });

  it("lists the attempts with result, reason and the reference as written, filtered by customer and result", async () => {
    const refused = await api(`/activity?customerId=${customerA}&result=refused`);
    expect(refused.status).toBe(200);
    expect(refused.body.total).toBe(1);
    expect(refused.body.data![0]).toMatchObject({
      result: "refused",
      reason: "revoked_license",
      reference: "proxy/analytic/vendor/acme/app:1.0",
      count: 1,
      customer: { id: customerA },
      app: { slug: "analytic" },
    });
    const pulled = await api(`/activity?customerId=${customerA}&result=pulled&pageSize=2`);
    // Manifests fetched: four pulls, two per page.
    expect(pulled.body).toMatchObject({ total: 4, pages: 2, pageSize: 2 });
    expect(pulled.body.data!.every((a) => a.result === "pulled" && a.reason === null && typeof a.bytes === "number" && (a.bytes as number) > 0)).toBe(true);
  });

  it("bad filters are a 422 naming the field; another team's customer is a 404", async () => {
    const bad = await api("/activity?result=maybe&pageSize=1000");
    expect(bad.status).toBe(422);
    expect(Object.keys((bad.body.error as { fields: Record<string, string> }).fields).sort()).toEqual(["pageSize", "result"]);
    const days = await api(`/customers/${customerA}/analytics?days=0`);
    expect(days.status).toBe(422);
    const elsewhere = await createTenant(fx.db, { slug: "elsewhere" });
    expect((await api(`/customers/${elsewhere.customerId}/analytics`)).status).toBe(404);
    expect((await api(`/activity?customerId=${elsewhere.customerId}`)).status).toBe(404);
  });
});
