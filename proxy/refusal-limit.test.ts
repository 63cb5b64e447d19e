import { describe, expect, it } from "vitest";
import { keyOfAddress } from "@/lib/http/client-address";
import { RefusalLimiter } from "./refusal-limit";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("RefusalLimiter", () => {
  it("blocks an address after maxRefusals refusals in a window, for blockMs", () => {
    const c = clock();
    const limiter = new RefusalLimiter({ maxRefusals: 3, windowMs: 60_000, blockMs: 30_000, now: c.now });
    expect(limiter.recordRefusal("10.0.0.1")).toBe(false);
    expect(limiter.recordRefusal("10.0.0.1")).toBe(false);
    expect(limiter.blockedFor("10.0.0.1")).toBe(0);
    expect(limiter.recordRefusal("10.0.0.1")).toBe(true);
    expect(limiter.blockedFor("10.0.0.1")).toBe(30_000);
    expect(limiter.blockedFor("10.0.0.2")).toBe(0);
    c.advance(29_999);
    expect(limiter.blockedFor("10.0.0.1")).toBe(1);
    c.advance(1);
    expect(limiter.blockedFor("10.0.0.1")).toBe(0);
  });

  it("starts counting again in a new window", () => {
    const c = clock();
    const limiter = new RefusalLimiter({ maxRefusals: 3, windowMs: 10_000, now: c.now });
    limiter.recordRefusal("a");
    limiter.recordRefusal("a");
    c.advance(10_000);
    expect(limiter.recordRefusal("a")).toBe(false);
    expect(limiter.blockedFor("a")).toBe(0);
  });

  it("keeps at most maxAddresses, dropping the least recently refused", () => {
    const limiter = new RefusalLimiter({ maxRefusals: 2, maxAddresses: 2 });
    limiter.recordRefusal("a");
    limiter.recordRefusal("b");
    limiter.recordRefusal("a");
    expect(limiter.blockedFor("a")).toBeGreaterThan(0);
    limiter.recordRefusal("c");
    expect(limiter.size).toBe(2);
    expect(limiter.blockedFor("a")).toBeGreaterThan(0);
    limiter.recordRefusal("b"); // b was dropped for c: this is its first refusal again
    expect(limiter.blockedFor("b")).toBe(0);
  });

  it("when full, drops an entry that isn't blocked before a blocked one", () => {
    const limiter = new RefusalLimiter({ maxRefusals: 2, maxAddresses: 2 });
    limiter.recordRefusal("a");
    limiter.recordRefusal("a"); // a: blocked, and the least recently refused
    limiter.recordRefusal("b");
    limiter.recordRefusal("c"); // full: b goes, not a
    expect(limiter.blockedFor("a")).toBeGreaterThan(0);
    expect(limiter.size).toBe(2);
  });

  it("counts IPv6 clients per /64, IPv4 (also mapped) per address", () => {
    expect(keyOfAddress("203.0.113.9")).toBe("203.0.113.9");
    expect(keyOfAddress("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(keyOfAddress("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(keyOfAddress("2001:0db8:0001:0002::1")).toBe("2001:db8:1:2::/64");
    expect(keyOfAddress("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(keyOfAddress("::1")).toBe("0:0:0:0::/64");
    expect(keyOfAddress("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    const limiter = new RefusalLimiter({ maxRefusals: 2 });
    limiter.recordRefusal("2001:db8:1:2::a");
    limiter.recordRefusal("2001:db8:1:2::b");
    expect(limiter.blockedFor("2001:db8:1:2:ffff::1")).toBeGreaterThan(0);
    expect(limiter.blockedFor("2001:db8:1:3::1")).toBe(0);
  });

  it("is off with maxRefusals 0", () => {
    const limiter = new RefusalLimiter({ maxRefusals: 0 });
    for (let i = 0; i < 100; i++) expect(limiter.recordRefusal("a")).toBe(false);
    expect(limiter.blockedFor("a")).toBe(0);
    expect(limiter.size).toBe(0);
  });

  it("counts lookups in flight: at most maxRefusals at once, before any answer", () => {
    const limiter = new RefusalLimiter({ maxRefusals: 3 });
    const got = Array.from({ length: 10 }, () => limiter.acquire("10.0.0.1"));
    expect(got.filter((a) => a.ok)).toHaveLength(3);
    expect(got[3]).toEqual({ ok: false, retryAfterMs: 1_000 });
    expect(limiter.acquire("10.0.0.2").ok).toBe(true);
    // An allowed answer gives its slot back; a refusal keeps it.
    const [a, b, c] = got as Array<{ ok: true; slot: { refused(): void; release(): void } }>;
    a!.slot.release();
    a!.slot.release(); // settling twice changes nothing
    expect(limiter.acquire("10.0.0.1").ok).toBe(true);
    b!.slot.refused();
    c!.slot.refused();
    expect(limiter.blockedFor("10.0.0.1")).toBe(0);
  });

  it("a refusal through a slot blocks like any other; exempt lookups still get a slot and still count", () => {
    const c = clock();
    const limiter = new RefusalLimiter({ maxRefusals: 2, blockMs: 5_000, now: c.now });
    for (let i = 0; i < 2; i++) {
      const a = limiter.acquire("a");
      if (!a.ok) throw new Error("expected a slot");
      a.slot.refused();
    }
    expect(limiter.blockedFor("a")).toBe(5_000);
    expect(limiter.acquire("a")).toEqual({ ok: false, retryAfterMs: 5_000 });
    const exempt = limiter.acquire("a", true);
    expect(exempt.ok).toBe(true);
    c.advance(5_000);
    if (exempt.ok) exempt.slot.refused(); // a once-allowed license, now refused: counted
    expect(limiter.blockedFor("a")).toBe(0);
    expect(limiter.recordRefusal("a")).toBe(true); // the second refusal after the block blocks again
    expect(limiter.acquire("a").ok).toBe(false);
  });

  it("forgets an address whose lookups were all answered without a refusal", () => {
    const limiter = new RefusalLimiter({ maxRefusals: 2 });
    const a = limiter.acquire("a");
    expect(limiter.size).toBe(1);
    if (a.ok) a.slot.release();
    expect(limiter.size).toBe(0);
  });
});

