import { describe, expect, it } from "vitest";
import { YoungGenerationCollector } from "./young-gc";

describe("the proxy's minor GCs while it streams", () => {
  it("asks for one scavenge per interval of bytes streamed, never two pending at once", () => {
    const calls: unknown[] = [];
    const pending: Array<() => void> = [];
    const c = new YoungGenerationCollector((o) => calls.push(o), 1000, (run) => pending.push(run));
    c.streamed(600);
    expect(pending).toHaveLength(0);
    c.streamed(600); // 1200: one scavenge scheduled
    c.streamed(5000); // already one pending: not another
    expect(pending).toHaveLength(1);
    pending.shift()!();
    expect(calls).toEqual([{ type: "minor" }]);
    c.streamed(999);
    expect(pending).toHaveLength(0);
    c.streamed(1);
    expect(pending).toHaveLength(1);
  });

  it("leaves V8 alone while more than two bodies stream", () => {
    const pending: Array<() => void> = [];
    const c = new YoungGenerationCollector(() => undefined, 1000, (run) => pending.push(run));
    const ends = [c.begin(), c.begin(), c.begin()];
    c.streamed(10_000);
    expect(pending).toHaveLength(0);
    ends[0]!();
    ends[0]!(); // ending twice counts once
    c.streamed(1); // two streams now: what was streamed is due
    expect(pending).toHaveLength(1);
    pending.shift()!();
    ends[1]!();
    ends[2]!();
    c.streamed(999);
    expect(pending).toHaveLength(0);
    c.streamed(1);
    expect(pending).toHaveLength(1);
  });

  it("does nothing in a process without --expose-gc", () => {
    const pending: Array<() => void> = [];
    const c = new YoungGenerationCollector(undefined, 1, (run) => pending.push(run));
    c.streamed(10_000_000);
    expect(pending).toEqual([]);
  });
});
