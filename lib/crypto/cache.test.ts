import util from "node:util";
import { describe, expect, it } from "vitest";
import { TtlCache } from "./cache";

describe("TtlCache", () => {
  it("expires entries after the TTL and zero-fills the expired buffer", () => {
    let now = 1_000;
    const cache = new TtlCache<Buffer>({ ttlMs: 100, maxEntries: 10, now: () => now });
    const value = Buffer.from("0123456789abcdef");
    cache.set("a", value);
    now += 99;
    expect(cache.get("a")).toBe(value);
    now += 1;
    expect(cache.get("a")).toBeUndefined();
    expect(value.every((b) => b === 0)).toBe(true);
  });

  it("is bounded: the oldest entry is evicted and wiped", () => {
    const cache = new TtlCache<Buffer>({ ttlMs: 10_000, maxEntries: 3 });
    const buffers = [0, 1, 2, 3].map((i) => Buffer.alloc(8, i + 1));
    buffers.forEach((b, i) => cache.set(`k${i}`, b));
    expect(cache.size).toBe(3);
    expect(cache.get("k0")).toBeUndefined();
    expect(buffers[0]!.every((b) => b === 0)).toBe(true);
    expect(cache.get("k3")).toBe(buffers[3]);
    expect(buffers[3]!.every((b) => b === 4)).toBe(true);
  });

  it("wipes on delete, replace and clear, but not when the same buffer is set again", () => {
    const cache = new TtlCache<Buffer>({ ttlMs: 10_000, maxEntries: 10 });
    const a = Buffer.alloc(4, 7);
    cache.set("a", a);
    cache.set("a", a);
    expect(a[0]).toBe(7);
    const b = Buffer.alloc(4, 8);
    cache.set("a", b);
    expect(a[0]).toBe(0);
    cache.delete("a");
    expect(b[0]).toBe(0);
    const c = Buffer.alloc(4, 9);
    cache.set("c", c);
    cache.clear();
    expect(c[0]).toBe(0);
    expect(cache.size).toBe(0);
  });

  it("sweeps expired entries when new ones arrive, so stale keys don't linger", () => {
    let now = 0;
    const timed = new TtlCache<Buffer>({ ttlMs: 10, maxEntries: 100, now: () => now });
    const old = Buffer.alloc(4, 1);
    timed.set("old", old);
    now = 20;
    timed.set("new", Buffer.alloc(4, 2));
    expect(timed.size).toBe(1);
    expect(old[0]).toBe(0);
  });

  it("never prints its contents", () => {
    const cache = new TtlCache<string>({ ttlMs: 10_000, maxEntries: 10 });
    cache.set("registry-1", "s3cr3t-password");
    expect(util.inspect(cache)).not.toContain("s3cr3t");
    expect(JSON.stringify({ cache })).not.toContain("s3cr3t");
    expect(`${util.format("%o", cache)}`).not.toContain("s3cr3t");
  });
});
