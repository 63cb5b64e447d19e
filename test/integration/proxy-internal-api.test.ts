import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { INTERNAL_API } from "@/lib/internal/contract";
import { PULL_BATCH_RECEIPT_DAYS } from "@/lib/internal/pull-events";
import { addRegistry, createLicense, createTenant, type Tenant } from "@/test/support/factories";
import { proxyFixture, startInternalApi } from "@/test/support/proxy-fixture";

/**
 * The portal's internal API for the proxy, on its own: PROXY_SERVICE_TOKEN (and what production
 * does without one), validation, the lookup's answers by case, and pull-log ingestion (team taken
 * from the license, retried batches stored once — refusal counts included —, events of unknown
 * licenses dropped).
 */

describe("internal API for the proxy", () => {
  const fx = proxyFixture();
  const { serviceToken } = fx;
  let a: Tenant;
  let b: Tenant;
  let license: { id: string; licenseId: string };

  const post = (path: string, body: unknown, token = serviceToken) =>
    fetch(`${fx.api.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

  beforeAll(async () => {
    fx.setEnv({ DOCKER_HUB_REGISTRY: "registry-1.docker.io" });
    a = await createTenant(fx.db, { slug: "alpha" });
    b = await createTenant(fx.db, { slug: "beta" });
    license = await createLicense(fx.db, a);
    await addRegistry(fx.db, a.teamId, { name: "ghcr", endpoint: "ghcr.io", username: "bot", secret: "ghp_secret" });
    await addRegistry(fx.db, a.teamId, { endpoint: "docker.io", username: "hubuser", secret: "hub-secret" });
    await addRegistry(fx.db, a.teamId, { endpoint: "harbor.example.com:8443", username: "robot", secret: "harbor-secret" });
    await addRegistry(fx.db, b.teamId, { name: "quay", endpoint: "quay.io", username: "b", secret: "b-secret" });
  });

  it("refuses callers without the service token (constant-time compare), and everything in production without one", async () => {
    const body = { licenseId: license.licenseId };
    expect((await post(INTERNAL_API.lookup, body, "wrong-token-wrong-token-wrong")).status).toBe(401);
    expect((await fetch(`${fx.api.url}${INTERNAL_API.ping}`)).status).toBe(401);
    expect((await fetch(`${fx.api.url}${INTERNAL_API.ping}`, { headers: { authorization: `Bearer ${serviceToken}` } })).status).toBe(200);

    const production = await startInternalApi({ env: parseEnv({ ...process.env, NODE_ENV: "production", PROXY_SERVICE_TOKEN: "" }) });
    try {
      const res = await fetch(`${production.url}${INTERNAL_API.lookup}`, { method: "POST", headers: { authorization: "Bearer ", "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status).toBe(503);
      expect((await res.json()).error.message).toMatch(/PROXY_SERVICE_TOKEN is not configured/);
    } finally {
      await production.close();
    }
  });

  it("validates input with zod: 422 with fields, never a 500", async () => {
    for (const body of ["not json", { licenseId: 42 }, { licenseId: "x", appSlug: "Bad Slug" }, { licenseId: "x", image: ["quay.io", "org", "app"] }, { licenseId: "x", extra: 1 }, { licenseId: "x", appSlug: "alpha", image: [] }, { licenseId: "x", appSlug: "alpha", image: ["Nginx"] }, { licenseId: "x", appSlug: "alpha", image: ["quay.io:5000", "org"] }, { licenseId: "x", appSlug: "alpha", image: ["quay.io"] }, { licenseId: "x", appSlug: "alpha", image: ["org", ".."] }]) {
      const res = await post(INTERNAL_API.lookup, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await res.json()).error.code).toBe("validation_failed");
    }
    expect((await post(INTERNAL_API.lookup, { licenseId: "x".repeat(20_000) })).status).toBe(422);
  });

  it("lookup: 401 for a bad license, 403 for another app or registry, 200 with the matching registry's credentials", async () => {
    const ask = async (body: object) => {
      const res = await post(INTERNAL_API.lookup, { licenseId: license.licenseId, appSlug: "alpha", ...body });
      return { status: res.status, body: await res.json() };
    };
    expect(await post(INTERNAL_API.lookup, { licenseId: "A".repeat(27) }).then((r) => r.status)).toBe(401);
    expect((await ask({})).body).toMatchObject({ allowed: true, code: "ok", license: { id: license.id, teamId: a.teamId, customerId: a.customerId, appId: a.appId, expiresAt: null } });
    expect(await ask({ appSlug: "beta" })).toMatchObject({ status: 403, body: { allowed: false, code: "wrong_app" } });

    const byName = await ask({ image: ["ghcr", "org", "app"] });
    expect(byName).toMatchObject({ status: 200, body: { registry: { name: "ghcr", endpoint: "https://ghcr.io", matchedBy: "name", credentials: { kind: "basic", username: "bot", password: "ghp_secret" } } } });
    const byHost = await ask({ image: ["ghcr.io", "org", "app"] });
    expect(byHost.body.registry).toMatchObject({ matchedBy: "host", endpoint: "https://ghcr.io" });
    // A path can't carry a port: the only registry with that hostname matches.
    expect((await ask({ image: ["harbor.example.com", "project", "app"] })).body.registry).toMatchObject({ endpoint: "https://harbor.example.com:8443" });
    // Docker Hub names, and a first component that is not a registry name, go to the Docker Hub registry.
    expect((await ask({ image: ["library", "nginx"] })).body.registry).toMatchObject({ matchedBy: "docker-hub", endpoint: "https://registry-1.docker.io" });
    // Another team's registry, by host or by name, is not this license's.
    expect(await ask({ image: ["quay.io", "org", "app"] })).toMatchObject({ status: 403, body: { code: "unknown_registry" } });
    expect((await ask({ image: ["quay", "org", "app"] })).body.registry.matchedBy).toBe("docker-hub");

    await fx.db.license.update({ where: { id: license.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await ask({})).toMatchObject({ status: 401, body: { code: "expired" } });
    expect(await ask({ image: ["ghcr", "org", "app"] })).toMatchObject({ status: 401, body: { code: "expired" } });
    await fx.db.license.update({ where: { id: license.id }, data: { expiresAt: null, revokedAt: new Date() } });
    expect(await ask({})).toMatchObject({ status: 401, body: { code: "revoked" } });
    await fx.db.license.update({ where: { id: license.id }, data: { revokedAt: null } });
  });

  it("lookup: the answer names the upstream repository of the image path, read by host, by registry name or as Docker Hub", async () => {
    const ask = async (image: string[]) => {
      const res = await post(INTERNAL_API.lookup, { licenseId: license.licenseId, appSlug: "alpha", image });
      return { status: res.status, body: await res.json() };
    };
    expect((await ask(["ghcr.io", "org", "app"])).body.registry).toMatchObject({ endpoint: "https://ghcr.io", matchedBy: "host", repository: "org/app" });
    expect((await ask(["ghcr", "org", "team", "app"])).body.registry).toMatchObject({ endpoint: "https://ghcr.io", matchedBy: "name", repository: "org/team/app" });
    expect((await ask(["nginx"])).body.registry).toMatchObject({ endpoint: "https://registry-1.docker.io", matchedBy: "docker-hub", repository: "library/nginx" });
    expect((await ask(["bitnami", "redis"])).body.registry).toMatchObject({ matchedBy: "docker-hub", repository: "bitnami/redis" });
    expect((await ask(["docker.io", "nginx"])).body.registry).toMatchObject({ matchedBy: "docker-hub", repository: "library/nginx" });
    // A registry name alone is a Docker Hub image of that name: a name needs a repository after it.
    expect((await ask(["ghcr"])).body.registry).toMatchObject({ matchedBy: "docker-hub", repository: "library/ghcr" });
  });

  it("lookup: a first segment that is another team's registry name is a Docker Hub namespace, never that team's registry", async () => {
    const answer = await post(INTERNAL_API.lookup, { licenseId: license.licenseId, appSlug: "alpha", image: ["quay", "org", "app"] }).then((r) => r.json());
    expect(answer.registry).toMatchObject({ endpoint: "https://registry-1.docker.io", matchedBy: "docker-hub", repository: "quay/org/app" });
    expect(answer.registry.credentials).toEqual({ kind: "basic", username: "hubuser", password: "hub-secret" });
    expect(JSON.stringify(answer)).not.toContain("quay.io");

    // Without a Docker Hub registry of its own, the license gets nothing at all.
    const other = await createTenant(fx.db, { slug: "gamma" });
    const gammaLicense = await createLicense(fx.db, other);
    const refused = await post(INTERNAL_API.lookup, { licenseId: gammaLicense.licenseId, appSlug: "gamma", image: ["quay", "org", "app"] });
    expect(refused.status).toBe(403);
    const body = await refused.json();
    expect(body).toMatchObject({ allowed: false, code: "unknown_registry" });
    expect(body.registry).toBeUndefined();
  });

  it("lookup: an ECR registry on its own endpoint gets the connection test's region (AWS_REGION, else AWS_DEFAULT_REGION)", async () => {
    await addRegistry(fx.db, a.teamId, { provider: "ecr", name: "ecr-vpc", endpoint: "ecr.vpc.example:9443", username: "AKIAEXAMPLE", secret: "ecr-secret" });
    const { AWS_REGION: _ignored, ...withoutRegion } = process.env;
    const portal = await startInternalApi({ env: parseEnv({ ...withoutRegion, AWS_DEFAULT_REGION: "eu-west-3", DOCKER_HUB_REGISTRY: "registry-1.docker.io" }) });
    try {
      const res = await fetch(`${portal.url}${INTERNAL_API.lookup}`, {
        method: "POST",
        headers: { authorization: `Bearer ${serviceToken}`, "content-type": "application/json" },
        body: JSON.stringify({ licenseId: license.licenseId, appSlug: "alpha", image: ["ecr-vpc", "team", "app"] }),
      });
      const body = await res.json();
      expect(body.registry).toMatchObject({ name: "ecr-vpc", credentials: { kind: "ecr", accessKeyId: "AKIAEXAMPLE", region: "eu-west-3" } });
    } finally {
      await portal.close();
    }
  });

  it("pull events: the license decides the team; a retried batch is stored once; unknown licenses are dropped", async () => {
    const event = (licenseId: string) => ({
      id: crypto.randomUUID(),
      licenseId,
      image: "ghcr.io/acme/app",
      reference: "1.0",
      action: "pull-manifest",
      status: 200,
      bytes: 1234,
      actor: "10.0.0.1",
      at: new Date().toISOString(),
    });
    const batch = { events: [event(license.id), event(license.id), event(crypto.randomUUID())] };
    const first = await post(INTERNAL_API.pullEvents, batch);
    expect(await first.json()).toEqual({ accepted: 2, unknownLicense: 1 });
    const again = await post(INTERNAL_API.pullEvents, batch);
    expect(await again.json()).toEqual({ accepted: 0, unknownLicense: 1 });
    const rows = await fx.db.pullEvent.findMany({ where: { id: { in: batch.events.map((e) => e.id) } } });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.teamId === a.teamId && r.customerId === a.customerId && r.appId === a.appId && r.source === "proxy" && Number(r.bytes) === 1234)).toBe(true);

    expect((await post(INTERNAL_API.pullEvents, { events: [] })).status).toBe(422);
    expect((await post(INTERNAL_API.pullEvents, { events: [{ ...event(license.id), teamId: b.teamId }] })).status).toBe(422);
    expect((await post(INTERNAL_API.pullEvents, { batchId: "not-a-uuid", events: [event(license.id)] })).status).toBe(422);
  });

  it("pull events: a batch sent again under its id is answered alreadyStored and adds nothing to the refusal counts, also when both arrive at once", async () => {
    const refusal = (reference: string, count: number) => ({
      id: crypto.randomUUID(),
      licenseId: license.id,
      image: "proxy/alpha/ghcr/acme/app",
      reference,
      action: "pull-manifest",
      status: 401,
      bytes: 0,
      actor: "10.0.0.2",
      at: new Date().toISOString(),
      result: "refused",
      reason: "revoked_license",
      count,
    });
    const refusedCount = async () => (await fx.db.pullEvent.aggregate({ where: { licenseId: license.id, result: "refused" }, _sum: { count: true } }))._sum.count ?? 0;
    const batch = { batchId: crypto.randomUUID(), events: [refusal("1.0", 7), refusal("1.1", 3)] };
    expect(await (await post(INTERNAL_API.pullEvents, batch)).json()).toEqual({ accepted: 2, unknownLicense: 0 });
    expect(await (await post(INTERNAL_API.pullEvents, batch)).json()).toEqual({ accepted: 0, unknownLicense: 0, alreadyStored: true });
    expect(await refusedCount()).toBe(10);

    // Both deliveries at once (the proxy gave up waiting for the first answer): one stores, the other finds its receipt.
    const twice = { batchId: crypto.randomUUID(), events: [refusal("1.0", 5), refusal("2.0", 1)] };
    const answers = await Promise.all([post(INTERNAL_API.pullEvents, twice), post(INTERNAL_API.pullEvents, twice)].map(async (r) => (await r).json()));
    expect(answers).toContainEqual({ accepted: 2, unknownLicense: 0 });
    expect(answers).toContainEqual({ accepted: 0, unknownLicense: 0, alreadyStored: true });
    expect(await refusedCount()).toBe(16);

    // An older proxy's batch, without an id: stored, its refusals counted again if it comes again.
    expect(await (await post(INTERNAL_API.pullEvents, { events: [refusal("1.0", 2)] })).json()).toEqual({ accepted: 1, unknownLicense: 0 });
    expect(await refusedCount()).toBe(18);
  });

  it("pull events: receipts older than the retention are pruned as batches come in", async () => {
    const old = crypto.randomUUID();
    await fx.db.pullEventBatch.create({ data: { id: old, receivedAt: new Date(Date.now() - (PULL_BATCH_RECEIPT_DAYS + 1) * 86_400_000) } });
    const recent = crypto.randomUUID();
    await fx.db.pullEventBatch.create({ data: { id: recent, receivedAt: new Date(Date.now() - 86_400_000) } });
    const event = { id: crypto.randomUUID(), licenseId: license.id, image: "ghcr.io/acme/app", reference: "1.0", action: "pull-manifest", status: 200, bytes: 1, actor: null, at: new Date().toISOString() };
    expect((await post(INTERNAL_API.pullEvents, { batchId: crypto.randomUUID(), events: [event] })).status).toBe(200);
    const kept = (await fx.db.pullEventBatch.findMany({ where: { id: { in: [old, recent] } } })).map((r) => r.id);
    expect(kept).toEqual([recent]);
  });
});
