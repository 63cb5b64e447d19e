import { describe, expect, it } from "vitest";
import { Readiness, waitForPortal } from "./readiness";

describe("Readiness", () => {
  it("asks the portal at most every 2 s, and is never ready while shutting down", async () => {
    let now = 1_000_000;
    let up = false;
    let pings = 0;
    const readiness = new Readiness(async () => (pings++, up), () => now);
    expect(await readiness.check()).toEqual({ ok: false, text: "portal unreachable\n" });
    up = true;
    now += 1_999;
    expect((await readiness.check()).ok).toBe(false);
    expect(pings).toBe(1);
    now += 1;
    expect(await readiness.check()).toEqual({ ok: true, text: "ok\n" });
    expect(pings).toBe(2);
    readiness.closing = true;
    expect(await readiness.check()).toEqual({ ok: false, text: "shutting down\n" });
  });

  it("tells whoever waits for the portal when a ping was answered, and only then", async () => {
    let now = 0;
    let up = false;
    let answered = 0;
    const readiness = new Readiness(async () => up, () => now, () => answered++);
    await readiness.check();
    expect(answered).toBe(0);
    up = true;
    now += 2_000;
    await readiness.check();
    expect(answered).toBe(1);
    // From the cache: no new ping, no new news.
    await readiness.check();
    expect(answered).toBe(1);
  });
});

describe("waitForPortal", () => {
  /** A clock that moves only when the wait sleeps; the portal answers from `upAt` on. */
  function run(upAt: number, patienceMs = 10_000) {
    let now = 0;
    const lines: string[] = [];
    const pings: number[] = [];
    const done = waitForPortal({
      ping: async () => (pings.push(now), now >= upAt),
      portalUrl: "http://127.0.0.1:3000",
      log: { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) },
      patienceMs,
      now: () => now,
      sleep: async (ms) => void (now += ms),
    });
    return done.then(() => ({ lines, pings }));
  }

  it("asks quietly while the portal starts, backing off, and says once when it is connected", async () => {
    const { lines, pings } = await run(3_000);
    expect(lines).toEqual(["info proxy: connected to the portal's internal API at http://127.0.0.1:3000 (after 3.5 s)"]);
    expect(pings).toEqual([0, 500, 1_500, 3_500]);
  });

  it("warns once, naming the variables, when the portal does not answer within its patience, and still says when it connects", async () => {
    const { lines } = await run(60_000);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warn proxy: the portal's internal API at http:\/\/127.0.0.1:3000 does not answer after 10 s: check PORTAL_INTERNAL_URL .* PROXY_SERVICE_TOKEN/);
    expect(lines[1]).toMatch(/^info proxy: connected to the portal's internal API/);
  });
});
