import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { LookupResponse } from "@/lib/internal/contract";
import { FRESH_AFTER_CHANGE_MS } from "@/lib/internal/answer-cache";
import { LicenseCache, licenseFingerprinter } from "./license-cache";
import type { LookupAnswer } from "./portal-client";

const ok: LookupAnswer = { status: 200, body: { allowed: true, code: "ok", reason: "ok" } as LookupResponse };
const revoked: LookupAnswer = { status: 401, body: { allowed: false, code: "revoked", reason: "revoked" } as LookupResponse };
const req = { licenseId: "L".repeat(27), appSlug: "app", image: ["quay.io", "org", "app"] };

describe("LicenseCache", () => {
  it("serves answers for ttlMs, refusals for negativeTtlMs, then asks again", async () => {
    let now = 0;
    const cache = new LicenseCache({ ttlMs: 5000, negativeTtlMs: 1000, now: () => now });
    let calls = 0;
    let answer = ok;
    const fetch = async () => (calls++, answer);
    expect((await cache.get(req, fetch)).result).toBe("miss");
    now = 4999;
    expect((await cache.get(req, fetch)).result).toBe("hit");
    answer = revoked;
    now = 5000;
    expect(await cache.get(req, fetch)).toMatchObject({ result: "miss", answer: revoked });
    now = 5999;
    expect((await cache.get(req, fetch)).result).toBe("negative_hit");
    now = 6000;
    await cache.get(req, fetch);
    expect(calls).toBe(3);
  });

  it("one portal call for concurrent misses; failures are not cached", async () => {
    const cache = new LicenseCache();
    let calls = 0;
    // The portal answers only once every request has asked.
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const slow = () => answered.then(() => ok).finally(() => calls++);
    const all = Promise.all(Array.from({ length: 10 }, () => cache.get(req, slow)));
    answer();
    await all;
    expect(calls).toBe(1);
    const other = { ...req, appSlug: "other" };
    await expect(cache.get(other, async () => Promise.reject(new Error("portal down")))).rejects.toThrow("portal down");
    expect((await cache.get(other, async () => ok)).result).toBe("miss");
  });

  it("keys by license, app and upstream, never holding the license ID itself", () => {
    const cache = new LicenseCache();
    const key = cache.keyOf(req);
    expect(key).not.toContain(req.licenseId);
    expect(cache.keyOf({ ...req, image: ["ghcr.io", "org", "app"] })).not.toBe(key);
    expect(cache.keyOf({ ...req, appSlug: "b" })).not.toBe(key);
    expect(cache.keyOf({ ...req, licenseId: "M".repeat(27) })).not.toBe(key);
  });

  it("one license pulling several images: each image path asks once, then hits; a revocation reaches every image within ttlMs", async () => {
    let now = 0;
    const cache = new LicenseCache({ ttlMs: 5000, negativeTtlMs: 1000, now: () => now });
    const images = [["nginx"], ["quay.io", "org", "app"], ["mirror", "team", "api"]];
    const asked: string[] = [];
    let answer = ok;
    const fetchFor = (image: string[]) => async () => (asked.push(image.join("/")), answer);
    for (const image of images) expect((await cache.get({ ...req, image }, fetchFor(image))).result).toBe("miss");
    // A pull is a manifest and then every layer: the same path, answered from the cache.
    now = 4999;
    for (const image of images) for (let i = 0; i < 3; i++) expect((await cache.get({ ...req, image }, fetchFor(image))).result).toBe("hit");
    expect(asked).toEqual(["nginx", "quay.io/org/app", "mirror/team/api"]);
    answer = revoked;
    now = 5000;
    for (const image of images) expect(await cache.get({ ...req, image }, fetchFor(image))).toMatchObject({ result: "miss", answer: revoked });
  });

  it("an answer for one image path is never served for another (it names that path's upstream repository)", () => {
    const cache = new LicenseCache();
    const key = cache.keyOf({ ...req, image: ["mirror", "team", "api"] });
    expect(cache.keyOf({ ...req, image: ["mirror", "team", "web"] })).not.toBe(key);
    expect(cache.keyOf({ ...req, image: ["mirror", "team", "api"] })).toBe(key);
    expect(cache.keyOf({ licenseId: req.licenseId })).not.toBe(key);
    // The joined path a caller already has keys as the array does.
    expect(cache.keyOf({ ...req, image: ["mirror", "team", "api"] }, undefined, "mirror/team/api")).toBe(key);
    expect(cache.keyOf({ ...req, image: ["mirror", "team", "api"] }, undefined, "mirror/team/web")).not.toBe(key);
  });

  it("a license the portal refuses loses its 'allowed lately' mark at once", async () => {
    let now = 0;
    const cache = new LicenseCache({ ttlMs: 100, negativeTtlMs: 0, now: () => now });
    expect(cache.recentlyAllowed(req.licenseId)).toBe(false);
    await cache.get(req, async () => ok);
    expect(cache.recentlyAllowed(req.licenseId)).toBe(true);
    now = 100;
    await cache.get(req, async () => revoked);
    expect(cache.recentlyAllowed(req.licenseId)).toBe(false);
  });
  describe("invalidate: answers dropped by what they name", () => {
    const ids = { license: "10000000-0000-4000-8000-000000000001", customer: "20000000-0000-4000-8000-000000000001", app: "30000000-0000-4000-8000-000000000001", team: "40000000-0000-4000-8000-000000000001" };
    const registryOf = (id: string) => ({ id, name: "up", endpoint: "https://quay.io", provider: "other", credentialsVersion: 1, matchedBy: "host", repository: "org/app", credentials: { kind: "anonymous" }, allowedRealmHosts: [] }) as NonNullable<LookupResponse["registry"]>;
    const answerFor = (licenseId: string, registryId: string): LookupAnswer => ({
      status: 200,
      body: { allowed: true, code: "ok", reason: "ok", license: { id: licenseId, customerId: ids.customer, appId: ids.app, teamId: ids.team, expiresAt: null }, registry: registryOf(registryId) },
    });
    const regA = "50000000-0000-4000-8000-00000000000a";
    const regB = "50000000-0000-4000-8000-00000000000b";
    const other = "10000000-0000-4000-8000-000000000002";
    const reqA = { ...req, image: ["quay.io", "org", "a"] };
    const reqB = { ...req, image: ["quay.io", "org", "b"] };
    const reqOther = { ...req, licenseId: "M".repeat(27) };

    async function filled() {
      const cache = new LicenseCache({ ttlMs: 60_000 });
      await cache.get(reqA, async () => answerFor(ids.license, regA));
      await cache.get(reqB, async () => answerFor(ids.license, regB));
      await cache.get(reqOther, async () => answerFor(other, regA));
      return cache;
    }
    const cachedOf = (cache: LicenseCache) => [reqA, reqB, reqOther].map((r) => cache.cached(r) !== undefined);

    it("by license, registry, customer, app and team; other ids change nothing", async () => {
      let cache = await filled();
      expect(cache.invalidate({ kind: "license", id: ids.license })).toBe(2);
      expect(cachedOf(cache)).toEqual([false, false, true]);

      cache = await filled();
      expect(cache.invalidate({ kind: "registry", id: regA })).toBe(2);
      expect(cachedOf(cache)).toEqual([false, true, false]);

      for (const kind of ["customer", "app", "team"] as const) {
        cache = await filled();
        expect(cache.invalidate({ kind, id: ids[kind] })).toBe(3);
        expect(cachedOf(cache)).toEqual([false, false, false]);
      }

      cache = await filled();
      expect(cache.invalidate({ kind: "license", id: "10000000-0000-4000-8000-0000000000ff" })).toBe(0);
      expect(cache.invalidate({ kind: "team", id: ids.license })).toBe(0);
      expect(cachedOf(cache)).toEqual([true, true, true]);
    });

    it("a dropped answer is asked for again; a lookup in flight during a drop is answered but not kept", async () => {
      const cache = await filled();
      cache.invalidate({ kind: "license", id: ids.license });
      let calls = 0;
      expect((await cache.get(reqA, async () => (calls++, answerFor(ids.license, regA)))).result).toBe("miss");
      expect(calls).toBe(1);

      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const inFlight = cache.get(reqB, async () => (await gate, answerFor(ids.license, regB)));
      cache.invalidate({ kind: "registry", id: regB });
      release();
      expect((await inFlight).answer.body.allowed).toBe(true);
      expect(cache.cached(reqB)).toBeUndefined();
    });

    it("for a moment after a change (or a clear) the portal is asked for a fresh answer, past its own cache", async () => {
      let now = 0;
      const cache = new LicenseCache({ ttlMs: 60_000, now: () => now });
      const asked: boolean[] = [];
      const fetch = async (fresh: boolean) => (asked.push(fresh), answerFor(ids.license, regA));
      await cache.get(reqA, fetch);
      now = 10_000;
      cache.invalidate({ kind: "license", id: ids.license });
      now += FRESH_AFTER_CHANGE_MS - 1;
      await cache.get(reqA, fetch);
      now += 1;
      cache.clear();
      now += FRESH_AFTER_CHANGE_MS;
      await cache.get(reqA, fetch);
      expect(asked).toEqual([false, true, false]);
    });

    it("clear drops everything, and the index with it", async () => {
      const cache = await filled();
      cache.clear();
      expect(cachedOf(cache)).toEqual([false, false, false]);
      expect(cache.invalidate({ kind: "team", id: ids.team })).toBe(0);
    });
  });
});

describe("licenseFingerprinter", () => {
  it("is HMAC-SHA256 of the license ID under the key, for short and long keys and any text", () => {
    for (const key of [crypto.randomBytes(32), crypto.randomBytes(64), crypto.randomBytes(100)]) {
      const fingerprint = licenseFingerprinter(key);
      for (const id of ["L".repeat(27), crypto.randomBytes(20).toString("base64url"), "lizénce-ü-✓", ""]) {
        expect(fingerprint(id)).toBe(crypto.createHmac("sha256", key).update(id, "utf8").digest("base64url").slice(0, 32));
      }
    }
  });

  it("holds no license ID: two processes' keys give unrelated fingerprints of one ID", () => {
    const id = "L".repeat(27);
    const a = licenseFingerprinter()(id);
    expect(a).not.toContain(id);
    expect(licenseFingerprinter()(id)).not.toBe(a);
    expect(new LicenseCache().fingerprint(id)).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
