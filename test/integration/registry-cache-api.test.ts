import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { apiRoutes, routeKey, type ApiRoute } from "@/lib/api/routes";
import { errorSchema } from "@/lib/api/schemas";
import { apiRequest, type ApiCall } from "@/test/support/api";
import { setupTestDatabase } from "@/test/support/db";
import { addRegistry, roleTokens, twoTeams } from "@/test/support/factories";
import { configureTestEnv } from "@/test/support/test-env";

/**
 * The proxy cache's vendor controls in the REST API: `GET` and `PATCH /registries/{id}/cache`,
 * `POST /registries/{id}/cache/purge`. No cache store is configured here, so a purge removes the
 * database's copies and tags only (the store's side is the purge's own test).
 */

configureTestEnv({ name: "cache-api", vars: { CACHE_REGISTRY_URL: undefined, REGISTRY_INTERNAL_URL: undefined, REGISTRY_URL: undefined } });

const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;
/** Service-account tokens: team A admin, developer, read-only; team B admin. */
const tok = { admin: "", dev: "", reader: "", outsider: "" };

beforeAll(async () => {
  teams = await twoTeams(t.db);
  Object.assign(tok, await roleTokens(teams));
});

const testDb = async () => t.db;
const responseOf = (key: string) => (apiRoutes as readonly ApiRoute[]).find((r) => routeKey(r) === key)!.response as z.ZodType;

/** Calls the API; a success must match its route's documented response schema, an error the error schema. */
async function call(method: string, path: string, opts: ApiCall & { route?: string } = {}) {
  const res = await apiRequest(method, `/api/v1${path}`, { db: testDb, ...opts });
  const body = await res.json();
  if (res.status >= 400) errorSchema.parse(body);
  else if (opts.route) responseOf(opts.route).parse(body);
  return { status: res.status, body };
}

const digest = () => `sha256:${crypto.randomBytes(32).toString("hex")}`;
let endpoints = 0;

/** A registry of team A with copies in its cache: `sizes` per upstream repository, and a last confirmed tag for each. */
async function cachedRegistry(sizes: Record<string, number[]>) {
  const registry = await addRegistry(t.db, teams.adminA.teamId, { endpoint: `cache${++endpoints}.example.test`, username: "vendor" });
  for (const [repository, list] of Object.entries(sizes)) {
    for (const size of list) await t.db.cacheEntry.create({ data: { registryId: registry.id, repository, digest: digest(), size: BigInt(size) } });
    await t.db.cacheTag.create({ data: { registryId: registry.id, repository, tag: "latest", digest: digest(), mediaType: "application/vnd.oci.image.manifest.v1+json", seenAt: new Date() } });
  }
  return registry;
}

/** What the database holds of a registry's cache. */
const stored = async (registryId: string) => ({
  entries: (await t.db.cacheEntry.findMany({ where: { registryId }, select: { repository: true } })).map((e) => e.repository).sort(),
  tags: (await t.db.cacheTag.findMany({ where: { registryId }, select: { repository: true } })).map((e) => e.repository).sort(),
});

const settingsOf = (registryId: string) =>
  t.db.registry.findUniqueOrThrow({ where: { id: registryId }, select: { cacheEnabled: true, cacheMaxBytes: true, cacheMaxStaleSeconds: true } });

describe("GET /registries/{id}/cache", () => {
  it("answers the defaults for a registry nothing was pulled through yet", async () => {
    const registry = await cachedRegistry({});
    const r = await call("GET", `/registries/${registry.id}/cache`, { token: tok.reader, route: "GET /registries/{id}/cache" });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      enabled: true,
      maxBytes: null,
      maxStaleSeconds: 86400,
      entries: 0,
      storedBytes: 0,
      hits: 0,
      misses: 0,
      stale: 0,
      hitRatio: null,
      cacheBytes: 0,
      upstreamBytes: 0,
      egressSaved: 0,
      since: null,
    });
  });

  it("counts the stored copies and the proxies' traffic totals", async () => {
    const registry = await cachedRegistry({ "library/nginx": [1000, 2000], "acme/api": [500] });
    const since = new Date("2026-11-30T08:00:00Z");
    await t.db.registryCacheStats.create({ data: { registryId: registry.id, hits: 6n, misses: 3n, stale: 1n, cacheBytes: 9_000_000n, upstreamBytes: 3_000_000n, since } });
    const r = await call("GET", `/registries/${registry.id}/cache`, { token: tok.reader, route: "GET /registries/{id}/cache" });
    expect(r.body).toMatchObject({ entries: 3, storedBytes: 3500, hits: 6, misses: 3, stale: 1, cacheBytes: 9_000_000, upstreamBytes: 3_000_000, egressSaved: 9_000_000, since: since.toISOString() });
    expect(r.body.hitRatio).toBeCloseTo(0.7);
  });

  it("is 404 for another team's registry and for an unknown id", async () => {
    const registry = await cachedRegistry({ "library/nginx": [1000] });
    for (const [token, id] of [
      [tok.outsider, registry.id],
      [tok.reader, crypto.randomUUID()],
    ] as const) {
      const r = await call("GET", `/registries/${id}/cache`, { token });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("not_found");
      expect(JSON.stringify(r.body)).not.toContain("library/nginx");
    }
  });
});

describe("PATCH /registries/{id}/cache", () => {
  it("a developer sets the cap and the stale bound; the answer, a later GET and the audit log show them", async () => {
    const registry = await cachedRegistry({ "library/nginx": [1000] });
    const r = await call("PATCH", `/registries/${registry.id}/cache`, { token: tok.dev, body: { maxBytes: 10 * 1024 ** 3, maxStaleSeconds: 3600 }, route: "PATCH /registries/{id}/cache" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ enabled: true, maxBytes: 10 * 1024 ** 3, maxStaleSeconds: 3600, entries: 1 });
    expect((await call("GET", `/registries/${registry.id}/cache`, { token: tok.reader })).body).toMatchObject({ maxBytes: 10 * 1024 ** 3, maxStaleSeconds: 3600 });
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { targetId: registry.id, action: "registry.cache_settings" } });
    expect(event.actorEmail).toBe("ci (service account)");

    const uncapped = await call("PATCH", `/registries/${registry.id}/cache`, { token: tok.admin, body: { maxBytes: null } });
    expect(uncapped.body).toMatchObject({ maxBytes: null, maxStaleSeconds: 3600 });
    expect(await settingsOf(registry.id)).toEqual({ cacheEnabled: true, cacheMaxBytes: null, cacheMaxStaleSeconds: 3600 });
  });

  it("turning caching off purges the registry's copies and tags", async () => {
    const registry = await cachedRegistry({ "library/nginx": [1000, 2000] });
    const r = await call("PATCH", `/registries/${registry.id}/cache`, { token: tok.dev, body: { enabled: false }, route: "PATCH /registries/{id}/cache" });
    expect(r.body).toMatchObject({ enabled: false, entries: 0, storedBytes: 0 });
    expect(await stored(registry.id)).toEqual({ entries: [], tags: [] });
  });

  it("422 naming the field for bad input; nothing changes", async () => {
    const registry = await cachedRegistry({});
    const before = await settingsOf(registry.id);
    const cases: [unknown, string][] = [
      [{ maxBytes: 1000 }, "maxBytes"],
      [{ maxBytes: "10GiB" }, "maxBytes"],
      [{ maxStaleSeconds: -1 }, "maxStaleSeconds"],
      [{ maxStaleSeconds: 31 * 86400 }, "maxStaleSeconds"],
      [{ maxStaleSeconds: 1.5 }, "maxStaleSeconds"],
      [{ enabled: "yes" }, "enabled"],
      [{}, "enabled"],
    ];
    for (const [body, field] of cases) {
      const r = await call("PATCH", `/registries/${registry.id}/cache`, { token: tok.admin, body });
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.error.code).toBe("validation_failed");
      expect(Object.keys(r.body.error.fields), JSON.stringify(body)).toEqual([field]);
    }
    const unknown = await call("PATCH", `/registries/${registry.id}/cache`, { token: tok.admin, body: { maxSize: 5 } });
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(unknown.body.error)).toContain("maxSize");
    expect(await settingsOf(registry.id)).toEqual(before);
  });

  it("a read-only token gets 403 and another team 404; nothing changes", async () => {
    const registry = await cachedRegistry({ "library/nginx": [1000] });
    const before = await settingsOf(registry.id);
    const denied = await call("PATCH", `/registries/${registry.id}/cache`, { token: tok.reader, body: { enabled: false } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("forbidden");
    const outsider = await call("PATCH", `/registries/${registry.id}/cache`, { token: tok.outsider, body: { enabled: false } });
    expect(outsider.status).toBe(404);
    expect(await settingsOf(registry.id)).toEqual(before);
    expect(await stored(registry.id)).toEqual({ entries: ["library/nginx"], tags: ["library/nginx"] });
  });
});

describe("POST /registries/{id}/cache/purge", () => {
  it("purges one upstream repository, then everything, answering what it removed", async () => {
    const registry = await cachedRegistry({ "library/nginx": [1000, 2000], "acme/api": [500] });
    const one = await call("POST", `/registries/${registry.id}/cache/purge`, { token: tok.dev, body: { repository: "library/nginx" }, route: "POST /registries/{id}/cache/purge" });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ entries: 2, tags: 1, bytes: 3000 });
    expect(await stored(registry.id)).toEqual({ entries: ["acme/api"], tags: ["acme/api"] });
    expect((await call("GET", `/registries/${registry.id}/cache`, { token: tok.reader })).body).toMatchObject({ entries: 1, storedBytes: 500 });

    // No body at all: the whole cache.
    const all = await call("POST", `/registries/${registry.id}/cache/purge`, { token: tok.admin, route: "POST /registries/{id}/cache/purge" });
    expect(all.body).toEqual({ entries: 1, tags: 1, bytes: 500 });
    expect(await stored(registry.id)).toEqual({ entries: [], tags: [] });
    const events = await t.db.auditEvent.findMany({ where: { targetId: registry.id, action: "registry.cache_purge" }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.metadata)).toEqual([expect.objectContaining({ repository: "library/nginx", entries: 2 }), expect.objectContaining({ entries: 1 })]);
  });

  it("only touches its own registry", async () => {
    const purged = await cachedRegistry({ "library/nginx": [1000] });
    const kept = await cachedRegistry({ "library/nginx": [1000] });
    await call("POST", `/registries/${purged.id}/cache/purge`, { token: tok.dev, body: {} });
    expect(await stored(kept.id)).toEqual({ entries: ["library/nginx"], tags: ["library/nginx"] });
  });

  it("422 naming `repository` for a name that is no repository", async () => {
    const registry = await cachedRegistry({ "library/nginx": [1000] });
    for (const repository of ["Library/Nginx", "../etc", "", 42]) {
      const r = await call("POST", `/registries/${registry.id}/cache/purge`, { token: tok.dev, body: { repository } });
      expect(r.status, String(repository)).toBe(422);
      expect(Object.keys(r.body.error.fields)).toEqual(["repository"]);
    }
    expect(await stored(registry.id)).toEqual({ entries: ["library/nginx"], tags: ["library/nginx"] });
  });

  it("a read-only token gets 403 and another team 404; nothing is purged", async () => {
    const registry = await cachedRegistry({ "library/nginx": [1000] });
    expect((await call("POST", `/registries/${registry.id}/cache/purge`, { token: tok.reader })).status).toBe(403);
    const outsider = await call("POST", `/registries/${registry.id}/cache/purge`, { token: tok.outsider, body: { repository: "library/nginx" } });
    expect(outsider.status).toBe(404);
    expect(outsider.body.error.code).toBe("not_found");
    expect(await stored(registry.id)).toEqual({ entries: ["library/nginx"], tags: ["library/nginx"] });
  });
});
