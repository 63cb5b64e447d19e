import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TeamContext } from "@/lib/auth/context";
import { purgeCache } from "@/lib/cache/purge";
import { updateCacheSettings } from "@/lib/cache/settings";
import { cacheStatsForTeam, getCacheStats } from "@/lib/cache/stats";
import { INTERNAL_API, lookupResponseSchema, type CacheAccess } from "@/lib/internal/contract";
import { decodeJwt } from "@/lib/registry-auth/jwt";
import { invoke } from "@/lib/server/operation";
import { setupTestDatabase } from "@/test/support/db";
import { errorOf } from "@/test/support/errors";
import { addRegistry, createLicense, createTenant, memberContext, type Tenant } from "@/test/support/factories";
import { servePortalRoutes, type PortalRoutes } from "@/test/support/portal-routes";
import { startHostedRegistry } from "@/test/support/registry-auth";
import { configureTestEnv, updateTestEnv } from "@/test/support/test-env";
import { freePort, requireBinaries, type Distribution } from "@/test/support/registry";

/**
 * The portal side of the proxy cache, against a real Distribution as the store (configured by
 * `portcullis registry config`, trusting the portal's signing key) and the internal API on its
 * real route handlers: the store access in lookup answers, the proxies' cache events, eviction
 * under a registry's cap, and the vendor's purge and settings.
 */

const { serviceToken } = configureTestEnv({
  name: "cacheportal",
  serviceToken: true,
  vars: { REGISTRY_TOKEN_KEY_FILE: undefined, REGISTRY_EVENTS_TOKEN: undefined, PORTAL_URL: undefined, REGISTRY_URL: undefined, REGISTRY_INTERNAL_URL: undefined, ALLOW_PRIVATE_REGISTRY_HOSTS: "true", PORTAL_LOOKUP_CACHE_TTL_MS: "0" },
});

const t = setupTestDatabase({ processDb: true });

const MiB = 1024 * 1024;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

describe.skipIf(!requireBinaries("docker-registry"))("the proxy cache, portal side (real Distribution as the store)", () => {
  let routes: PortalRoutes;
  let store: Distribution;
  let tenant: Tenant;
  let license: { id: string; licenseId: string };
  let admin: TeamContext;
  let registryId: string;

  const post = (path: string, body: unknown, token = serviceToken) =>
    fetch(`${routes.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

  const sendEvents = async (body: { events?: unknown[]; traffic?: unknown[] }) => {
    const res = await post(INTERNAL_API.cacheEvents, { events: body.events ?? [], ...(body.traffic && { traffic: body.traffic }) });
    expect(res.status).toBe(200);
    return (await res.json()) as { accepted: number; unknownRegistry: number; evicted: Array<{ registryId: string; repository: string; digest: string }> };
  };

  const lookup = async (image: string[]) => {
    const res = await post(INTERNAL_API.lookup, { licenseId: license.licenseId, appSlug: tenant.appSlug, image });
    expect(res.status).toBe(200);
    return lookupResponseSchema.parse(await res.json()).registry!;
  };

  /** The store access a proxy gets for an upstream repository of the `ghcr.io` registry. */
  const cacheFor = async (repository: string): Promise<CacheAccess> => {
    const cache = (await lookup(["ghcr.io", ...repository.split("/")])).cache;
    expect(cache).toBeDefined();
    return cache!;
  };

  /** Uploads a blob into a store repository as a proxy does: POST an upload, PUT its content. */
  const pushBlob = async (repository: string, token: string, content: Buffer) => {
    const auth = { authorization: `Bearer ${token}` };
    const start = await fetch(`${store.url}/v2/${repository}/blobs/uploads/`, { method: "POST", headers: auth });
    if (start.status !== 202) return { status: start.status, digest: sha256(content) };
    const location = new URL(start.headers.get("location")!, store.url);
    location.searchParams.set("digest", sha256(content));
    const put = await fetch(location, { method: "PUT", headers: { ...auth, "content-type": "application/octet-stream" }, body: new Uint8Array(content) });
    return { status: put.status, digest: sha256(content) };
  };

  const blobStatus = async (repository: string, token: string, digest: string) => {
    const res = await fetch(`${store.url}/v2/${repository}/blobs/${digest}`, { headers: { authorization: `Bearer ${token}` } });
    await res.body?.cancel();
    return res.status;
  };

  /** A copy really in the store, through the proxies' token for its repository. */
  const storeCopy = async (repository: string, bytes: number) => {
    const cache = await cacheFor(repository);
    const content = crypto.randomBytes(bytes);
    const pushed = await pushBlob(cache.repository, cache.token, content);
    expect(pushed.status).toBe(201);
    return { digest: pushed.digest, size: bytes, cache };
  };

  beforeAll(async () => {
    routes = await servePortalRoutes();
    store = await startHostedRegistry(routes.url);
    updateTestEnv({ CACHE_REGISTRY_URL: store.url });
    tenant = await createTenant(t.db, { slug: "acme" });
    license = await createLicense(t.db, tenant);
    admin = await memberContext(t.db, { role: "admin", teamId: tenant.teamId });
    registryId = (await addRegistry(t.db, tenant.teamId, { name: "ghcr", endpoint: "ghcr.io", username: "bot", secret: "ghp_secret" })).id;
  });

  afterAll(async () => {
    updateTestEnv({ CACHE_REGISTRY_URL: undefined });
    await store?.stop();
    await routes?.close();
  });

  describe("lookup answers", () => {
    it("carry the store, the registry's repository in it and a token Distribution accepts for exactly that repository", async () => {
      const registry = await lookup(["ghcr.io", "org", "app"]);
      const cache = registry.cache!;
      expect(cache).toMatchObject({ url: store.url, repository: `portcullis-cache/${registryId}/org/app`, maxStaleSeconds: 86400 });
      expect(decodeJwt(cache.token)!.claims).toMatchObject({ sub: "proxy-cache", access: [{ type: "repository", name: cache.repository, actions: ["pull", "push", "delete"] }] });
      expect(decodeJwt(cache.token)!.claims.exp).toBe(Math.floor(new Date(cache.tokenExpiresAt).getTime() / 1000));
      const ttl = new Date(cache.tokenExpiresAt).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(25 * 60_000);
      expect(ttl).toBeLessThanOrEqual(30 * 60_000);

      const content = crypto.randomBytes(4096);
      const pushed = await pushBlob(cache.repository, cache.token, content);
      expect(pushed.status).toBe(201);
      const read = await fetch(`${store.url}/v2/${cache.repository}/blobs/${pushed.digest}`, { headers: { authorization: `Bearer ${cache.token}` } });
      expect(read.status).toBe(200);
      expect(Buffer.from(await read.arrayBuffer()).equals(content)).toBe(true);

      // The same token for another repository — another upstream repository, or another registry's copies — is refused.
      for (const other of [`portcullis-cache/${registryId}/org/other`, `portcullis-cache/${crypto.randomUUID()}/org/app`, `${tenant.appSlug}/app`]) {
        expect((await pushBlob(other, cache.token, content)).status, other).toBe(401);
        expect(await blobStatus(other, cache.token, pushed.digest), other).toBe(401);
      }
    });

    it("carry no cache when caching is off for the registry or there is no store", async () => {
      await t.db.registry.update({ where: { id: registryId }, data: { cacheEnabled: false } });
      try {
        expect((await lookup(["ghcr.io", "org", "app"])).cache).toBeUndefined();
      } finally {
        await t.db.registry.update({ where: { id: registryId }, data: { cacheEnabled: true } });
      }
      updateTestEnv({ CACHE_REGISTRY_URL: undefined });
      try {
        const registry = await lookup(["ghcr.io", "org", "app"]);
        expect(registry.repository).toBe("org/app");
        expect(registry.cache).toBeUndefined();
      } finally {
        updateTestEnv({ CACHE_REGISTRY_URL: store.url });
      }
      // The hosted registry is the default store.
      updateTestEnv({ CACHE_REGISTRY_URL: undefined, REGISTRY_INTERNAL_URL: store.url });
      try {
        expect((await lookup(["ghcr.io", "org", "app"])).cache?.url).toBe(store.url);
      } finally {
        updateTestEnv({ CACHE_REGISTRY_URL: store.url, REGISTRY_INTERNAL_URL: undefined });
      }
    });
  });

  describe("cache events", () => {
    it("refuse callers without the service token, and bad input with 422 (never a 500)", async () => {
      const good = { events: [{ kind: "used", registryId, repository: "org/app", digest: sha256(Buffer.from("x")), at: minutesAgo(0) }] };
      expect((await post(INTERNAL_API.cacheEvents, good, "wrong-token-wrong-token-wrong")).status).toBe(401);
      expect((await fetch(`${routes.url}${INTERNAL_API.cacheEvents}`, { method: "POST", body: JSON.stringify(good) })).status).toBe(401);
      expect((await post(INTERNAL_API.cacheTag, { registryId, repository: "org/app", tag: "1" }, "wrong-token-wrong-token-wrong")).status).toBe(401);
      const digest = sha256(Buffer.from("x"));
      for (const body of [
        "not json",
        {},
        { events: [{ kind: "stored", registryId, repository: "org/app", digest: "sha256:abc", size: 1, at: minutesAgo(0) }] },
        { events: [{ kind: "stored", registryId, repository: "org/app", digest, size: -1, at: minutesAgo(0) }] },
        { events: [{ kind: "evicted", registryId, repository: "org/app", digest, at: minutesAgo(0) }] },
        { events: [{ kind: "used", registryId: "not-a-uuid", repository: "org/app", digest, at: minutesAgo(0) }] },
        { events: [{ kind: "used", registryId, repository: "Org/App", digest, at: minutesAgo(0) }] },
        { events: [{ kind: "used", registryId, repository: "org/app", digest, at: "yesterday" }] },
        { events: [{ kind: "used", registryId, repository: "org/app", digest, at: minutesAgo(0), extra: 1 }] },
        { events: [], traffic: [{ registryId, hits: -1, misses: 0, stale: 0, cacheBytes: 0, upstreamBytes: 0 }] },
      ]) {
        const res = await post(INTERNAL_API.cacheEvents, body);
        expect(res.status, JSON.stringify(body)).toBe(422);
        expect((await res.json()).error.code).toBe("validation_failed");
      }
      for (const body of [{ registryId, repository: "org/app" }, { registryId: "x", repository: "org/app", tag: "1" }]) {
        expect((await post(INTERNAL_API.cacheTag, body)).status, JSON.stringify(body)).toBe(422);
      }
    });

    it("stored is idempotent, used only moves the last use forward, corrupt removes the copy and its link", async () => {
      const copy = await storeCopy("org/events", 2048);
      const key = { registryId, repository: "org/events", digest: copy.digest };
      const stored = { kind: "stored", ...key, size: copy.size, at: minutesAgo(10) };
      expect(await sendEvents({ events: [stored] })).toEqual({ accepted: 1, unknownRegistry: 0, evicted: [] });
      expect(await sendEvents({ events: [stored] })).toEqual({ accepted: 1, unknownRegistry: 0, evicted: [] });
      const rows = await t.db.cacheEntry.findMany({ where: key });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ size: 2048n, lastUsedAt: new Date(stored.at) });

      const used = minutesAgo(3);
      await sendEvents({ events: [{ kind: "used", ...key, at: used }] });
      await sendEvents({ events: [{ kind: "used", ...key, at: minutesAgo(5) }] });
      expect((await t.db.cacheEntry.findFirstOrThrow({ where: key })).lastUsedAt).toEqual(new Date(used));
      // A late `stored` (a retried batch) doesn't move it back either.
      await sendEvents({ events: [stored] });
      expect((await t.db.cacheEntry.findFirstOrThrow({ where: key })).lastUsedAt).toEqual(new Date(used));

      expect(await blobStatus(copy.cache.repository, copy.cache.token, copy.digest)).toBe(200);
      expect(await sendEvents({ events: [{ kind: "corrupt", ...key, at: minutesAgo(0) }] })).toMatchObject({ accepted: 1 });
      expect(await t.db.cacheEntry.count({ where: key })).toBe(0);
      expect(await blobStatus(copy.cache.repository, copy.cache.token, copy.digest)).toBe(404);
    });

    it("tag keeps the newest confirmation, and cache-tag answers it (404 for a tag no proxy saw)", async () => {
      const [d1, d2, d3] = [sha256(Buffer.from("a")), sha256(Buffer.from("b")), sha256(Buffer.from("c"))];
      const tag = (digest: string, at: string) => ({ kind: "tag", registryId, repository: "org/tags", tag: "1.0", digest, mediaType: "application/vnd.oci.image.index.v1+json", at });
      const ask = () => post(INTERNAL_API.cacheTag, { registryId, repository: "org/tags", tag: "1.0" });

      expect((await ask()).status).toBe(404);
      const t2 = minutesAgo(2);
      await sendEvents({ events: [tag(d1, minutesAgo(5)), tag(d2, t2)] });
      await sendEvents({ events: [tag(d3, minutesAgo(4))] }); // older: ignored
      const res = await ask();
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ digest: d2, mediaType: "application/vnd.oci.image.index.v1+json", seenAt: t2 });
      // Another registry's question about the same repository and tag is not answered from this one's.
      expect((await post(INTERNAL_API.cacheTag, { registryId: crypto.randomUUID(), repository: "org/tags", tag: "1.0" })).status).toBe(404);
    });

    it("traffic adds up per registry; events of registries that don't exist are dropped", async () => {
      const before = await invoke(getCacheStats, admin, { id: registryId });
      const traffic = { registryId, hits: 3, misses: 1, stale: 1, cacheBytes: 3000, upstreamBytes: 1000 };
      await sendEvents({ traffic: [traffic] });
      await Promise.all([sendEvents({ traffic: [traffic] }), sendEvents({ traffic: [traffic] })]);
      const after = await invoke(getCacheStats, admin, { id: registryId });
      expect(after).toMatchObject({
        hits: before.hits + 9,
        misses: before.misses + 3,
        stale: before.stale + 3,
        cacheBytes: before.cacheBytes + 9000,
        upstreamBytes: before.upstreamBytes + 3000,
        egressSaved: before.cacheBytes + 9000,
      });
      expect(after.hitRatio).toBeCloseTo((after.hits + after.stale) / (after.hits + after.misses + after.stale));

      const ghost = crypto.randomUUID();
      const digest = sha256(Buffer.from("ghost"));
      const answer = await sendEvents({
        events: [
          { kind: "stored", registryId: ghost, repository: "org/app", digest, size: 1, at: minutesAgo(0) },
          { kind: "tag", registryId: ghost, repository: "org/app", tag: "1", digest, mediaType: "x", at: minutesAgo(0) },
        ],
        traffic: [{ ...traffic, registryId: ghost }],
      });
      expect(answer).toEqual({ accepted: 0, unknownRegistry: 3, evicted: [] });
      expect(await t.db.cacheEntry.count({ where: { registryId: ghost } })).toBe(0);
      expect(await t.db.registryCacheStats.count({ where: { registryId: ghost } })).toBe(0);
    });

    it("pull-log events keep where the answer came from", async () => {
      const event = (cache?: string) => ({ id: crypto.randomUUID(), licenseId: license.id, image: "ghcr/org/app", reference: "1", action: "pull-blob", status: 200, bytes: 10, actor: null, at: minutesAgo(0), ...(cache && { cache }) });
      const events = [event("hit"), event("miss"), event("stale"), event()];
      const res = await post(INTERNAL_API.pullEvents, { events });
      expect(await res.json()).toEqual({ accepted: 4, unknownLicense: 0 });
      const rows = await t.db.pullEvent.findMany({ where: { id: { in: events.map((e) => e.id) } } });
      expect(Object.fromEntries(rows.map((r) => [r.id, r.cache]))).toEqual(Object.fromEntries(events.map((e) => [e.id, e.cache ?? null])));
      expect((await post(INTERNAL_API.pullEvents, { events: [event("warm")] })).status).toBe(422);
    });

    it("a copy stored for a registry that no longer caches is unlinked and answered as evicted", async () => {
      const copy = await storeCopy("org/late", 1024);
      await t.db.registry.update({ where: { id: registryId }, data: { cacheEnabled: false } });
      try {
        const key = { registryId, repository: "org/late", digest: copy.digest };
        const answer = await sendEvents({ events: [{ kind: "stored", ...key, size: copy.size, at: minutesAgo(0) }] });
        expect(answer.evicted).toEqual([key]);
        expect(await t.db.cacheEntry.count({ where: key })).toBe(0);
        expect(await blobStatus(copy.cache.repository, copy.cache.token, copy.digest)).toBe(404);
      } finally {
        await t.db.registry.update({ where: { id: registryId }, data: { cacheEnabled: true } });
      }
    });
  });

  describe("eviction", () => {
    let lru: TeamContext;
    let lruRegistry: string;
    let lruLicense: { id: string; licenseId: string };
    let lruTenant: Tenant;

    const copyOf = async (repository: string, bytes: number) => {
      const res = await post(INTERNAL_API.lookup, { licenseId: lruLicense.licenseId, appSlug: lruTenant.appSlug, image: ["quay.io", ...repository.split("/")] });
      const cache = lookupResponseSchema.parse(await res.json()).registry!.cache!;
      const content = crypto.randomBytes(bytes);
      const pushed = await pushBlob(cache.repository, cache.token, content);
      expect(pushed.status).toBe(201);
      return { registryId: lruRegistry, repository, digest: pushed.digest, size: bytes, cache };
    };
    const storedBytes = async () => Number((await t.db.cacheEntry.aggregate({ where: { registryId: lruRegistry }, _sum: { size: true } }))._sum.size ?? 0n);

    beforeAll(async () => {
      lruTenant = await createTenant(t.db, { slug: "lru-co" });
      lruLicense = await createLicense(t.db, lruTenant);
      lru = await memberContext(t.db, { role: "developer", teamId: lruTenant.teamId });
      lruRegistry = (await addRegistry(t.db, lruTenant.teamId, { endpoint: "quay.io", username: "u", secret: "p" })).id;
    });

    it("evicts least recently used copies until under the cap, never one used in the last two minutes, and removes their links", async () => {
      const size = 400 * 1024;
      // Stored oldest first; `busy` is the oldest of all but was read a moment ago.
      const busy = await copyOf("org/busy", size);
      const [a, b, c, d] = [await copyOf("org/app", size), await copyOf("org/app", size), await copyOf("org/other", size), await copyOf("org/app", size)];
      const ref = (x: typeof a) => ({ registryId: x.registryId, repository: x.repository, digest: x.digest });
      const stored = (x: typeof a, m: number) => ({ kind: "stored", ...ref(x), size: x.size, at: minutesAgo(m) });
      // No cap yet: everything stays.
      expect(await sendEvents({ events: [stored(busy, 30), stored(a, 20), stored(b, 15), stored(c, 10), stored(d, 5)] })).toEqual({ accepted: 5, unknownRegistry: 0, evicted: [] });

      await invoke(updateCacheSettings, lru, { id: lruRegistry, maxBytes: MiB });
      const answer = await sendEvents({ events: [{ kind: "used", ...ref(busy), at: minutesAgo(0.5) }] });
      // 5 × 400 KiB over 1 MiB: three must go, the least recently used first, `busy` skipped.
      expect(answer.evicted).toEqual([ref(a), ref(b), ref(c)]);
      expect(await storedBytes()).toBeLessThanOrEqual(MiB);
      for (const x of [a, b, c]) expect(await blobStatus(x.cache.repository, x.cache.token, x.digest), x.digest).toBe(404);
      for (const x of [busy, d]) expect(await blobStatus(x.cache.repository, x.cache.token, x.digest), x.digest).toBe(200);
      expect((await t.db.cacheEntry.findMany({ where: { registryId: lruRegistry } })).map((e) => e.digest).sort()).toEqual([busy.digest, d.digest].sort());
    });

    it("leaves a registry over its cap when every copy was used in the last two minutes", async () => {
      const size = 700 * 1024;
      const fresh = [await copyOf("org/fresh", size), await copyOf("org/fresh", size)];
      const answer = await sendEvents({ events: fresh.map((x) => ({ kind: "stored", registryId: x.registryId, repository: x.repository, digest: x.digest, size, at: minutesAgo(0) })) });
      // Of the earlier copies only the one not used in the last two minutes can go; the fresh ones stay, over the cap.
      expect(answer.evicted).toHaveLength(1);
      expect(fresh.map((x) => x.digest)).not.toContain(answer.evicted[0]!.digest);
      const left = (await t.db.cacheEntry.findMany({ where: { registryId: lruRegistry } })).map((e) => e.digest);
      for (const x of fresh) expect(left).toContain(x.digest);
      expect(await storedBytes()).toBeGreaterThan(MiB);
      for (const x of fresh) expect(await blobStatus(x.cache.repository, x.cache.token, x.digest)).toBe(200);
    });

    it("two portals evicting at once evict each copy once and no more than needed", async () => {
      await t.db.cacheEntry.deleteMany({ where: { registryId: lruRegistry } });
      const size = 300 * 1024;
      const copies = [];
      for (let i = 0; i < 6; i++) copies.push(await copyOf("org/race", size));
      await t.db.registry.update({ where: { id: lruRegistry }, data: { cacheMaxBytes: null } });
      await sendEvents({ events: copies.map((x, i) => ({ kind: "stored", registryId: x.registryId, repository: x.repository, digest: x.digest, size, at: minutesAgo(60 - i) })) });
      await t.db.registry.update({ where: { id: lruRegistry }, data: { cacheMaxBytes: BigInt(MiB) } });
      // Two batches at once, each touching the registry (as two portals behind a load balancer would get them).
      const touch = { events: [{ kind: "used", registryId: lruRegistry, repository: "org/race", digest: copies[5]!.digest, at: minutesAgo(10) }] };
      const [one, two] = await Promise.all([sendEvents(touch), sendEvents(touch)]);
      const evicted = [...one.evicted, ...two.evicted].map((e) => e.digest);
      // 6 × 300 KiB over 1 MiB: exactly the three oldest go, once each.
      expect(evicted.sort()).toEqual(copies.slice(0, 3).map((x) => x.digest).sort());
      expect(await storedBytes()).toBe(3 * size);
    });
  });

  describe("purge and settings", () => {
    let other: TeamContext;
    let readOnly: TeamContext;

    beforeAll(async () => {
      other = await memberContext(t.db, { role: "admin", teamName: "Other Co" });
      readOnly = await memberContext(t.db, { role: "read_only", teamId: tenant.teamId });
    });

    const seed = async (repository: string) => {
      const copy = await storeCopy(repository, 1024);
      const ref = { registryId, repository, digest: copy.digest };
      await sendEvents({
        events: [
          { kind: "stored", ...ref, size: copy.size, at: minutesAgo(1) },
          { kind: "tag", registryId, repository, tag: "latest", digest: copy.digest, mediaType: "application/vnd.oci.image.manifest.v1+json", at: minutesAgo(1) },
        ],
      });
      return copy;
    };

    it("purges one upstream repository: its copies' links, rows and tags; the rest stays", async () => {
      await invoke(purgeCache, admin, { id: registryId });
      const [x1, x2, y] = [await seed("team/x"), await seed("team/x"), await seed("team/y")];
      const result = await invoke(purgeCache, admin, { id: registryId, repository: "team/x" });
      expect(result).toEqual({ entries: 2, tags: 1, bytes: 2048 });
      for (const x of [x1, x2]) expect(await blobStatus(x.cache.repository, x.cache.token, x.digest)).toBe(404);
      expect(await blobStatus(y.cache.repository, y.cache.token, y.digest)).toBe(200);
      expect((await t.db.cacheEntry.findMany({ where: { registryId } })).map((e) => e.repository)).toEqual(["team/y"]);
      expect((await post(INTERNAL_API.cacheTag, { registryId, repository: "team/x", tag: "latest" })).status).toBe(404);
      expect((await post(INTERNAL_API.cacheTag, { registryId, repository: "team/y", tag: "latest" })).status).toBe(200);
      const audit = await t.db.auditEvent.findFirstOrThrow({ where: { teamId: tenant.teamId, action: "registry.cache_purge" }, orderBy: { createdAt: "desc" } });
      expect(audit).toMatchObject({ targetId: registryId, actorId: admin.userId, metadata: { repository: "team/x", entries: 2, tags: 1, bytes: 2048 } });
    });

    it("purges a whole registry", async () => {
      const z = await seed("team/z");
      const result = await invoke(purgeCache, admin, { id: registryId });
      expect(result.entries).toBeGreaterThanOrEqual(2); // team/y and team/z
      expect(await t.db.cacheEntry.count({ where: { registryId } })).toBe(0);
      expect(await t.db.cacheTag.count({ where: { registryId } })).toBe(0);
      expect(await blobStatus(z.cache.repository, z.cache.token, z.digest)).toBe(404);
      expect(await invoke(getCacheStats, admin, { id: registryId })).toMatchObject({ entries: 0, storedBytes: 0 });
    });

    it("updates settings with an audit event; turning caching off purges and lookups stop carrying the cache", async () => {
      const copy = await seed("team/s");
      const stats = await invoke(updateCacheSettings, admin, { id: registryId, maxBytes: 2 * MiB, maxStaleSeconds: 60 });
      expect(stats).toMatchObject({ enabled: true, maxBytes: 2 * MiB, maxStaleSeconds: 60, entries: 1, storedBytes: 1024 });
      expect((await cacheFor("team/s")).maxStaleSeconds).toBe(60);
      const audit = await t.db.auditEvent.findFirstOrThrow({ where: { teamId: tenant.teamId, action: "registry.cache_settings" }, orderBy: { createdAt: "desc" } });
      expect(audit.metadata).toEqual({ maxBytes: { from: null, to: 2 * MiB }, maxStaleSeconds: { from: 86400, to: 60 } });

      const off = await invoke(updateCacheSettings, admin, { id: registryId, enabled: false });
      expect(off).toMatchObject({ enabled: false, entries: 0, storedBytes: 0 });
      expect(await blobStatus(copy.cache.repository, copy.cache.token, copy.digest)).toBe(404);
      expect(await t.db.cacheTag.count({ where: { registryId } })).toBe(0);
      expect((await lookup(["ghcr.io", "team", "s"])).cache).toBeUndefined();
      const offAudit = await t.db.auditEvent.findFirstOrThrow({ where: { teamId: tenant.teamId, action: "registry.cache_settings" }, orderBy: { createdAt: "desc" } });
      expect(offAudit.metadata).toEqual({ enabled: { from: true, to: false }, purged: { entries: 1, tags: 1, bytes: 1024 } });

      await invoke(updateCacheSettings, admin, { id: registryId, enabled: true, maxBytes: null, maxStaleSeconds: 86400 });
      expect((await lookup(["ghcr.io", "team", "s"])).cache).toBeDefined();
      expect((await cacheStatsForTeam(t.db, tenant.teamId)).get(registryId)).toMatchObject({ enabled: true, maxBytes: null, maxStaleSeconds: 86400 });
    });

    it("changes nothing when the store can't be reached, and can be repeated once it answers", async () => {
      const copy = await seed("team/down");
      updateTestEnv({ CACHE_REGISTRY_URL: `http://127.0.0.1:${await freePort()}` });
      try {
        const purge = await errorOf(invoke(purgeCache, admin, { id: registryId, repository: "team/down" }));
        expect(purge.code).toBe("unavailable");
        expect(purge.message).toMatch(/can't be reached.*The cache was not purged/);
        const off = await errorOf(invoke(updateCacheSettings, admin, { id: registryId, enabled: false }));
        expect(off.code).toBe("unavailable");
      } finally {
        updateTestEnv({ CACHE_REGISTRY_URL: store.url });
      }
      expect((await t.db.registry.findUniqueOrThrow({ where: { id: registryId } })).cacheEnabled).toBe(true);
      expect(await t.db.cacheEntry.count({ where: { registryId, repository: "team/down" } })).toBe(1);
      expect(await blobStatus(copy.cache.repository, copy.cache.token, copy.digest)).toBe(200);
      expect(await invoke(purgeCache, admin, { id: registryId, repository: "team/down" })).toEqual({ entries: 1, tags: 1, bytes: 1024 });
      expect(await blobStatus(copy.cache.repository, copy.cache.token, copy.digest)).toBe(404);
    });

    it("validates settings with clear messages", async () => {
      const tooSmall = await errorOf(invoke(updateCacheSettings, admin, { id: registryId, maxBytes: 1000 }));
      expect(tooSmall.code).toBe("validation_failed");
      expect(tooSmall.fields?.maxBytes).toMatch(/at least 1 MiB/);
      const tooStale = await errorOf(invoke(updateCacheSettings, admin, { id: registryId, maxStaleSeconds: 31 * 86400 }));
      expect(tooStale.fields?.maxStaleSeconds).toMatch(/at most 30 days/);
      expect((await errorOf(invoke(updateCacheSettings, admin, { id: registryId }))).code).toBe("validation_failed");
      expect((await errorOf(invoke(purgeCache, admin, { id: registryId, repository: "Not A Repo" }))).fields?.repository).toMatch(/not a repository/);
    });

    it("another team can't read, purge or change a registry's cache; a read-only member can only read", async () => {
      const copy = await seed("team/private");
      const before = await t.db.registry.findUniqueOrThrow({ where: { id: registryId } });
      for (const [op, input] of [
        [getCacheStats, { id: registryId }],
        [purgeCache, { id: registryId }],
        [updateCacheSettings, { id: registryId, enabled: false }],
      ] as const) {
        expect((await errorOf(invoke(op as typeof purgeCache, other, input))).code, op.name).toBe("not_found");
      }
      expect((await cacheStatsForTeam(t.db, other.teamId)).has(registryId)).toBe(false);
      expect((await errorOf(invoke(purgeCache, readOnly, { id: registryId }))).code).toBe("forbidden");
      expect((await errorOf(invoke(updateCacheSettings, readOnly, { id: registryId, enabled: false }))).code).toBe("forbidden");
      expect(await invoke(getCacheStats, readOnly, { id: registryId })).toMatchObject({ entries: 1 });
      expect(await t.db.registry.findUniqueOrThrow({ where: { id: registryId } })).toEqual(before);
      expect(await blobStatus(copy.cache.repository, copy.cache.token, copy.digest)).toBe(200);
    });
  });
});
