import { describe, expect, it } from "vitest";
import { YoungGenerationCollector } from "./young-gc";

describe("the proxy's minor GCs while it streams", () => {
  // A scavenge is due every 1000 bytes streamed; `pendingMeanwhile`: scavenges asked for while all the bodies stream.
  it.each([
    { case: "with one body streaming, asks for one scavenge per interval of bytes streamed, never two pending at once", bodies: 1, pendingMeanwhile: 1 },
    { case: "leaves V8 alone while more than two bodies stream; once one ends, what was streamed is due", bodies: 3, pendingMeanwhile: 0 },
  ])("$case", ({ bodies, pendingMeanwhile }) => {
    const calls: unknown[] = [];
    const pending: Array<() => void> = [];
    const c = new YoungGenerationCollector((o) => calls.push(o), 1000, (run) => pending.push(run));
    const ends = Array.from({ length: bodies }, () => c.begin());
    c.streamed(600);
    expect(pending).toHaveLength(0);
    c.streamed(600); // 1200: a scavenge is due
    c.streamed(5000); // one pending at most
    expect(pending).toHaveLength(pendingMeanwhile);
    ends[0]!();
    ends[0]!(); // ending twice counts once
    c.streamed(1);
    expect(pending).toHaveLength(1);
    pending.shift()!();
    expect(calls).toEqual([{ type: "minor" }]);
    for (const end of ends) end();
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
