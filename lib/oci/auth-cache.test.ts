import util from "node:util";
import { describe, expect, it } from "vitest";
import { AuthCache, refreshAt } from "./auth-cache";

describe("AuthCache", () => {
  it("expires each entry at its own time", () => {
    let now = 1000;
    const c = new AuthCache({ now: () => now });
    c.set("a", "A", 2000);
    c.set("b", "B", 5000);
    now = 2000;
    expect(c.get("a")).toBeUndefined();
    expect(c.get("b")).toBe("B");
    c.set("dead", "x", 1500);
    expect(c.get("dead")).toBeUndefined();
  });

  it("shares one fetch between concurrent misses and does not cache failures", async () => {
    const c = new AuthCache();
    let calls = 0;
    const create = async () => ({ value: ++calls, expiresAt: Date.now() + 60_000 });
    expect(await Promise.all([c.getOrCreate("k", create), c.getOrCreate("k", create), c.getOrCreate("k", create)])).toEqual([1, 1, 1]);
    await expect(c.getOrCreate("f", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await c.getOrCreate("f", create)).toBe(2);
  });

  it("is bounded, oldest first", () => {
    const c = new AuthCache({ maxEntries: 2 });
    const later = Date.now() + 60_000;
    c.set("1", 1, later);
    c.set("2", 2, later);
    c.set("3", 3, later);
    expect([c.get("1"), c.get("2"), c.get("3")]).toEqual([undefined, 2, 3]);
  });

  it("fingerprints are stable per cache, differ between caches, and don't contain the secret", () => {
    const a = new AuthCache();
    const b = new AuthCache();
    const creds = { kind: "basic", username: "u", password: "hunter2-password" };
    expect(a.fingerprint(creds)).toBe(a.fingerprint({ ...creds }));
    expect(a.fingerprint(creds)).not.toBe(a.fingerprint({ ...creds, password: "other" }));
    expect(a.fingerprint(creds)).not.toBe(b.fingerprint(creds));
    expect(a.fingerprint(creds)).not.toContain("hunter2");
  });

  it("does not print its contents", () => {
    const c = new AuthCache();
    c.set("token|x", "very-secret-token", Date.now() + 60_000);
    expect(util.inspect(c)).not.toContain("very-secret-token");
    expect(JSON.stringify(c)).not.toContain("very-secret-token");
  });
});

describe("refreshAt", () => {
  it("30 s before expiry for normal lifetimes, halfway for short ones", () => {
    expect(refreshAt(0, 300_000)).toBe(270_000);
    expect(refreshAt(0, 60_000)).toBe(30_000);
    expect(refreshAt(0, 10_000)).toBe(5_000);
    expect(refreshAt(0, 12 * 3600_000, 300_000)).toBe(12 * 3600_000 - 300_000);
  });
});
