import { describe, expect, it } from "vitest";
import { Readiness } from "./readiness";

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
