import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PullEventInput } from "@/lib/internal/contract";
import { PullLog } from "./pull-log";

const event = (n: number): PullEventInput => ({
  id: crypto.randomUUID(),
  licenseId: "00000000-0000-4000-8000-000000000000",
  image: `example.com/app`,
  reference: String(n),
  action: "pull-manifest",
  status: 200,
  bytes: n,
  actor: null,
  at: new Date().toISOString(),
});

describe("PullLog", () => {
  it("sends in batches of batchSize, in order", async () => {
    const batches: number[][] = [];
    const log = new PullLog({ sendPullEvents: async (b) => void batches.push(b.map((e) => e.bytes)) }, { batchSize: 3 });
    for (let i = 0; i < 7; i++) log.record(event(i));
    await log.flush(true);
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    expect(log.sent).toBe(7);
  });

  it("counts a batch on its way as pending until the portal acknowledges it", async () => {
    let acknowledge!: () => void;
    let fail!: (e: Error) => void;
    const log = new PullLog({ sendPullEvents: () => new Promise<{ accepted: number; unknownLicense: number }>((resolve, reject) => ((acknowledge = () => resolve({ accepted: 2, unknownLicense: 0 })), (fail = reject))) });
    log.record(event(1));
    log.record(event(2));
    const first = log.flush(true);
    expect(log.buffered).toBe(0);
    expect(log.pending).toBe(2);
    fail(new Error("portal down"));
    await first;
    expect(log.buffered).toBe(2);
    expect(log.pending).toBe(2);
    const second = log.flush(true);
    acknowledge();
    await second;
    expect(log.pending).toBe(0);
  });

  it("keeps events through an outage, backs off, and delivers them when the portal is back", async () => {
    let now = 0;
    let up = false;
    const received: number[] = [];
    const log = new PullLog(
      {
        sendPullEvents: async (b) => {
          if (!up) throw new Error("portal down");
          received.push(...b.map((e) => e.bytes));
        },
      },
      { batchSize: 2, now: () => now },
    );
    for (let i = 0; i < 5; i++) log.record(event(i));
    await log.flush();
    expect(log.buffered).toBe(5);
    // Backing off: a flush before the retry time does nothing.
    up = true;
    await log.flush();
    expect(received).toEqual([]);
    now += 1000;
    await log.flush();
    expect(received).toEqual([0, 1, 2, 3, 4]);
    expect(log.buffered).toBe(0);
  });

  it("drops the oldest beyond maxBuffered, and counts them", async () => {
    const dropped: number[] = [];
    const log = new PullLog({ sendPullEvents: async () => Promise.reject(new Error("down")) }, { maxBuffered: 100, onDropped: (n) => dropped.push(n) });
    for (let i = 0; i < 250; i++) log.record(event(i));
    expect(log.buffered).toBe(100);
    expect(log.dropped).toBe(150);
    expect(dropped.reduce((a, b) => a + b, 0)).toBe(150);
    await log.flush(true);
    expect(log.buffered).toBe(100);
  });

  it("close() makes a last, bounded attempt", async () => {
    const got: number[] = [];
    const log = new PullLog({ sendPullEvents: async (b) => void got.push(...b.map((e) => e.bytes)) });
    log.start();
    log.record(event(1));
    await log.close(1000);
    expect(got).toEqual([1]);
    const hung = new PullLog({ sendPullEvents: () => new Promise(() => {}) });
    hung.record(event(2));
    const started = Date.now();
    await hung.close(100);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
