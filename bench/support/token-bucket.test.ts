// Run: npx vitest run --project unit bench
import assert from "node:assert/strict";
import { describe, it } from "vitest";
import { TokenBucket } from "./token-bucket";

/** A clock the test moves by hand. */
function manualClock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("TokenBucket", () => {
  it("lets a burst through at once, then paces the rest at the rate", () => {
    const clock = manualClock();
    const link = new TokenBucket(1000, 500, clock.now); // 1000 bytes/s, 500 saved up
    assert.equal(link.reserve(500), 0);
    // The next 250 bytes need a quarter of a second of link time.
    assert.equal(link.reserve(250), 250);
    // Booked behind them: another 250 bytes end half a second from now.
    assert.equal(link.reserve(250), 500);
  });

  it("refills with time, but never beyond the burst", () => {
    const clock = manualClock();
    const link = new TokenBucket(1000, 500, clock.now);
    link.reserve(500);
    clock.advance(100);
    assert.equal(link.available(), 100);
    clock.advance(10_000);
    assert.equal(link.available(), 500);
    assert.equal(link.reserve(600), 100);
  });

  it("pays back a debt before lending again: waiting out the delay brings the bucket to zero", () => {
    const clock = manualClock();
    const link = new TokenBucket(2000, 0, clock.now);
    const wait = link.reserve(1000);
    assert.equal(wait, 500);
    clock.advance(wait);
    assert.equal(link.available(), 0);
    assert.equal(link.reserve(2000), 1000);
  });

  it("is one link for every caller: two connections sharing it each take twice as long as one alone", () => {
    const clock = manualClock();
    const alone = new TokenBucket(1000, 0, clock.now);
    let aloneDone = 0;
    for (let i = 0; i < 10; i++) aloneDone = alone.reserve(100);
    assert.equal(aloneDone, 1000);

    const shared = new TokenBucket(1000, 0, clock.now);
    const done = { a: 0, b: 0 };
    for (let i = 0; i < 20; i++) done[i % 2 === 0 ? "a" : "b"] = shared.reserve(100);
    // 1000 bytes each, interleaved on a 1000 bytes/s link: both finish near two seconds.
    assert.deepEqual(done, { a: 1900, b: 2000 });
  });

  it("ignores a clock that goes backwards", () => {
    const clock = manualClock();
    const link = new TokenBucket(1000, 100, clock.now);
    link.reserve(100);
    clock.advance(-50);
    assert.equal(link.available(), 0);
  });

  it("refuses a rate of zero", () => {
    assert.throws(() => new TokenBucket(0, 10), RangeError);
  });
});
