import { describe, expect, it } from "vitest";
import type { CacheEventInput, CacheTrafficInput } from "@/lib/internal/contract";
import { CacheReporter } from "./reporter";

const REG = "3d3e9030-a072-4c6a-806e-97bcf5428cc1";
const DIGEST = `sha256:${"a".repeat(64)}`;

function portal(fail = false) {
  const batches: { events: CacheEventInput[]; traffic: CacheTrafficInput[] }[] = [];
  return {
    batches,
    fail,
    async sendCacheEvents(events: CacheEventInput[], traffic: CacheTrafficInput[]) {
      if (this.fail) throw new Error("portal down");
      batches.push({ events, traffic });
      return { accepted: events.length, evicted: [] };
    },
  };
}

describe("the cache's reports to the portal", () => {
  it("reports a copy's reads at most every interval, unless reminded by a long read", async () => {
    let now = 1_000_000;
    const p = portal();
    const r = new CacheReporter(p, { now: () => now, usedEveryMs: 10_000 });
    r.used(REG, "acme/api", DIGEST);
    r.used(REG, "acme/api", DIGEST);
    now += 5_000;
    r.used(REG, "acme/api", DIGEST, true);
    now += 11_000;
    r.used(REG, "acme/api", DIGEST);
    await r.flush();
    expect(p.batches.flatMap((b) => b.events).map((e) => [e.kind, e.at])).toEqual([
      ["used", new Date(1_000_000).toISOString()],
      ["used", new Date(1_005_000).toISOString()],
      ["used", new Date(1_016_000).toISOString()],
    ]);
  });

  it("forgets the copies used least recently first: one in steady use stays de-duplicated past the cap", async () => {
    let now = 1_000_000;
    const p = portal();
    const r = new CacheReporter(p, { now: () => now, usedEveryMs: 10_000, maxUsedRemembered: 3 });
    const other = (i: number) => `sha256:${String(i).padStart(64, "0")}`;
    r.used(REG, "acme/api", DIGEST);
    for (let i = 0; i < 6; i++) {
      now += 100;
      r.used(REG, "acme/api", other(i));
      r.used(REG, "acme/api", DIGEST); // within the interval: not reported again
    }
    r.used(REG, "acme/api", other(0)); // forgotten (least recently used): reported again
    await r.flush();
    const reported = p.batches.flatMap((b) => b.events).map((e) => ("digest" in e ? e.digest : ""));
    expect(reported.filter((d) => d === DIGEST)).toHaveLength(1);
    expect(reported.filter((d) => d === other(0))).toHaveLength(2);
  });

  it("sums traffic per registry and keeps it when the portal can't take it", async () => {
    const p = portal(true);
    const r = new CacheReporter(p, { now: Date.now });
    r.count(REG, { hits: 1, cacheBytes: 100 });
    r.count(REG, { misses: 1, upstreamBytes: 40 });
    await r.flushTraffic();
    expect(p.batches).toEqual([]);
    p.fail = false;
    r.count(REG, { hits: 1, cacheBytes: 5 });
    await r.flushTraffic();
    expect(p.batches).toEqual([{ events: [], traffic: [{ registryId: REG, hits: 2, misses: 1, stale: 0, cacheBytes: 105, upstreamBytes: 40 }] }]);
  });
});
