import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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

/** A portal whose answers are lost while `failing` (it may have stored the batches); every attempt is kept with its batch id. */
function unanswering() {
  const portal = {
    failing: true,
    attempts: [] as Array<{ id: string; bytes: number[] }>,
    sendPullEvents: async (b: PullEventInput[], id: string) => {
      portal.attempts.push({ id, bytes: b.map((e) => e.bytes) });
      if (portal.failing) throw new Error("socket hang up");
    },
  };
  return portal;
}

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

  it("drops a batch the portal read and refused (400, 422), logs it, and goes on with the next; any other failure is sent again", async () => {
    const sent: number[][] = [];
    const rejected: number[] = [];
    const answers = [Object.assign(new Error("HTTP 422"), { status: 422 }), Object.assign(new Error("HTTP 503"), { status: 503 })];
    const log = new PullLog(
      {
        sendPullEvents: async (b) => {
          const answer = answers.shift();
          if (answer) throw answer;
          sent.push(b.map((e) => e.bytes));
        },
      },
      { batchSize: 2, onRejected: (n) => rejected.push(n) },
    );
    for (let i = 0; i < 4; i++) log.record(event(i));
    await log.flush(true); // [0, 1] refused for good; [2, 3] meets a 503 and waits
    expect(rejected).toEqual([2]);
    expect(log.dropped).toBe(2);
    expect(log.buffered).toBe(2);
    await log.flush(true);
    expect(sent).toEqual([[2, 3]]);
    expect(log.buffered).toBe(0);
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

  it("sends a batch the portal did not acknowledge again as it was, under the same id; later events go in a batch of their own", async () => {
    const portal = unanswering();
    const { attempts } = portal;
    const log = new PullLog(portal, { batchSize: 3 });
    for (let i = 0; i < 2; i++) log.record(event(i));
    await log.flush(true);
    portal.failing = false;
    for (let i = 2; i < 4; i++) log.record(event(i));
    await log.flush(true);
    expect(attempts.map((a) => a.bytes)).toEqual([[0, 1], [0, 1], [2, 3]]);
    expect(attempts[1]!.id).toBe(attempts[0]!.id);
    expect(attempts[2]!.id).not.toBe(attempts[0]!.id);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(2);
  });

  it("drops the oldest events of a batch waiting to be sent again beyond maxBuffered; the rest keep its id", async () => {
    const portal = unanswering();
    const { attempts } = portal;
    const log = new PullLog(portal, { batchSize: 4, maxBuffered: 5 });
    for (let i = 0; i < 4; i++) log.record(event(i));
    await log.flush(true);
    for (let i = 4; i < 7; i++) log.record(event(i));
    expect(log.dropped).toBe(2);
    portal.failing = false;
    await log.flush(true);
    expect(attempts.map((a) => a.bytes)).toEqual([[0, 1, 2, 3], [2, 3], [4, 5, 6]]);
    expect(attempts[1]!.id).toBe(attempts[0]!.id);
  });

  it("resume() ends the backoff as soon as the portal answers again", async () => {
    let up = false;
    const received: number[] = [];
    const log = new PullLog(
      {
        sendPullEvents: async (b) => {
          if (!up) throw new Error("portal down");
          received.push(...b.map((e) => e.bytes));
        },
      },
      { now: () => 0 },
    );
    log.record(event(1));
    await log.flush();
    up = true;
    await log.flush();
    expect(received).toEqual([]);
    log.resume();
    await log.flush();
    expect(received).toEqual([1]);
  });
});

describe("PullLog with a spool file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pull-log-spool-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const spoolFile = (port = 5050) => path.join(dir, `sub-${++n}`, `pull-events-${port}.json`);
  const down = { sendPullEvents: () => Promise.reject(new Error("portal down")) };
  const files = (file: string) => fs.readdirSync(path.dirname(file)).sort();
  /** The batches in the spool files a stopped log left in `file`'s directory. */
  const spooled = (file: string) =>
    files(file)
      .filter((f) => /^pull-events-.*\.json$/.test(f))
      .flatMap((f) => (JSON.parse(fs.readFileSync(path.join(path.dirname(file), f), "utf8")) as { version: 2; batches: Array<{ id: string; events: PullEventInput[] }> }).batches);
  /** The event ids in those files. */
  const spooledIds = (file: string) => spooled(file).flatMap((b) => b.events.map((e) => e.id));

  it("close() writes what the portal did not take (mode 600); the next log delivers it once and removes the file", async () => {
    const file = spoolFile();
    const spooled: number[] = [];
    const first = new PullLog(down, { spoolFile: file, onSpooled: (k) => spooled.push(k) });
    const events = [event(1), event(2), event(3)];
    for (const e of events) first.record(e);
    await first.close(100);
    expect(spooled).toEqual([3]);
    const [written, ...others] = files(file);
    expect(others).toEqual([]);
    expect(written).toMatch(/^pull-events-5050-[0-9a-f]+\.json$/);
    expect(fs.statSync(path.join(path.dirname(file), written!)).mode & 0o777).toBe(0o600);
    expect(spooledIds(file)).toEqual(events.map((e) => e.id));

    const received: string[] = [];
    const restored: number[] = [];
    const second = new PullLog({ sendPullEvents: async (b) => void received.push(...b.map((e) => e.id)) }, { spoolFile: file, onRestored: (k) => restored.push(k) });
    await second.ready();
    await second.flush(true);
    expect(restored).toEqual([3]);
    expect(received).toEqual(events.map((e) => e.id));
    expect(files(file)).toEqual([]);
    await second.close(100);
    expect(files(file)).toEqual([]);
  });

  it("a batch sent before close() keeps its id in the file; the log that takes the file sends it under that id", async () => {
    const file = spoolFile();
    const portal = unanswering();
    const first = new PullLog(portal, { spoolFile: file, batchSize: 2 });
    const events = [event(1), event(2), event(3)];
    for (const e of events) first.record(e);
    await first.flush(true);
    await first.close(50);
    // The batch it tried (the portal may have stored it), then the one event it never sent, batched now.
    expect(spooled(file).map((b) => b.events.map((e) => e.id))).toEqual([[events[0]!.id, events[1]!.id], [events[2]!.id]]);
    expect(spooled(file)[0]!.id).toBe(portal.attempts[0]!.id);
    const written = spooled(file);

    const received: Array<{ id: string; events: string[] }> = [];
    const second = new PullLog({ sendPullEvents: async (b, id) => void received.push({ id, events: b.map((e) => e.id) }) }, { spoolFile: file, batchSize: 500 });
    await second.ready();
    await second.flush(true);
    expect(received).toEqual(written.map((b) => ({ id: b.id, events: b.events.map((e) => e.id) })));
    await second.close(50);
  });

  it("a log on another port in the same directory delivers it too", async () => {
    const file = spoolFile(5051);
    const first = new PullLog(down, { spoolFile: file });
    const e = event(1);
    first.record(e);
    await first.close(100);
    const received: string[] = [];
    const other = new PullLog({ sendPullEvents: async (b) => void received.push(...b.map((x) => x.id)) }, { spoolFile: path.join(path.dirname(file), "pull-events-6000.json") });
    await other.ready();
    await other.flush(true);
    expect(received).toEqual([e.id]);
    expect(files(file)).toEqual([]);
    await other.close(100);
  });

  it("keeps the read-back events ahead of new ones, and the file until they are delivered", async () => {
    const file = spoolFile();
    const old = new PullLog(down, { spoolFile: file });
    const before = event(1);
    old.record(before);
    await old.close(100);
    const again = new PullLog(down, { spoolFile: file });
    await again.ready();
    // Claimed, not deleted: a process killed now leaves the events on disk.
    expect(files(file)).toEqual([expect.stringMatching(/^claim\.\d+\.[0-9a-f]+\..*\.pull-events-5050-[0-9a-f]+\.json$/)]);
    const after = event(2);
    again.record(after);
    expect(again.unsent().map((e) => e.id)).toEqual([before.id, after.id]);
    await again.close(100);
    expect(spooledIds(file)).toEqual([before.id, after.id]);
    expect(files(file)).toHaveLength(1);
  });

  it("spools the batch that was on its way when close() gave up on it", async () => {
    const file = spoolFile();
    const hung = new PullLog({ sendPullEvents: () => new Promise(() => {}) }, { spoolFile: file });
    const e = event(7);
    hung.record(e);
    void hung.flush(true);
    await hung.close(50);
    expect(spooledIds(file)).toEqual([e.id]);
  });

  it("writes at most maxBuffered events, the newest", async () => {
    const file = spoolFile();
    const log = new PullLog(down, { spoolFile: file, maxBuffered: 100 });
    const events = Array.from({ length: 130 }, (_, i) => event(i));
    for (const e of events) log.record(e);
    await log.close(50);
    expect(spooledIds(file)).toEqual(events.slice(30).map((e) => e.id));
  });

  it("a file that is not a spool is reported, set aside and not read again", async () => {
    const file = spoolFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "not json");
    const errors: unknown[] = [];
    const log = new PullLog(down, { spoolFile: file, onSpoolError: (e) => errors.push(e) });
    await log.ready();
    expect(errors).toHaveLength(1);
    expect(log.pending).toBe(0);
    expect(files(file)).toEqual(["unreadable.pull-events-5050.json"]);
    expect(fs.readFileSync(path.join(path.dirname(file), "unreadable.pull-events-5050.json"), "utf8")).toBe("not json");
    await log.close(50);
  });
});

describe("PullLog: proxies sharing a spool directory", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pull-log-shared-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const down = { sendPullEvents: () => Promise.reject(new Error("portal down")) };
  const deliveries: string[] = [];
  const up = { sendPullEvents: async (b: PullEventInput[]) => void deliveries.push(...b.map((e) => e.id)) };
  const writeClaimed = (name: string, events: PullEventInput[], mtime?: Date) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify({ version: 1, events }), { mode: 0o600 });
    if (mtime) fs.utimesSync(file, mtime, mtime);
  };
  const host = Buffer.from(os.hostname()).toString("base64url");

  it("a claim of a live process is left to it; of a dead one, of an earlier life of this pid, or not renewed within the lease, taken over", async () => {
    // A process that has exited: its pid is free.
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const [live, gone, earlier, otherHostStale, otherHostFresh] = [event(1), event(2), event(3), event(4), event(5)];
    writeClaimed(`claim.${process.ppid}.aa.${host}.pull-events-1-aa.json`, [live]);
    writeClaimed(`claim.${dead}.bb.${host}.pull-events-2-bb.json`, [gone]);
    writeClaimed(`claim.${process.pid}.cc.${host}.pull-events-3-cc.json`, [earlier]);
    writeClaimed(`claim.1.dd.b3RoZXItaG9zdA.pull-events-4-dd.json`, [otherHostStale], new Date(Date.now() - 120_000));
    writeClaimed(`claim.1.ee.b3RoZXItaG9zdA.pull-events-5-ee.json`, [otherHostFresh]);
    const log = new PullLog(up, { spoolFile: path.join(dir, "pull-events-7000.json"), claimLeaseMs: 60_000 });
    await log.ready();
    await log.flush(true);
    expect(deliveries.sort()).toEqual([gone.id, earlier.id, otherHostStale.id].sort());
    expect(fs.readdirSync(dir).sort()).toEqual([`claim.${process.ppid}.aa.${host}.pull-events-1-aa.json`, "claim.1.ee.b3RoZXItaG9zdA.pull-events-5-ee.json"].sort());
    await log.close(50);
  });

  it("two live logs never take the same file, and one that keeps running takes the files of one that stopped", async () => {
    for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
    deliveries.length = 0;
    const a = new PullLog(down, { spoolFile: path.join(dir, "pull-events-1.json") });
    const aEvents = [event(1), event(2)];
    for (const e of aEvents) a.record(e);
    const sent: string[] = [];
    const b = new PullLog({ sendPullEvents: async (batch) => void sent.push(...batch.map((e) => e.id)) }, { spoolFile: path.join(dir, "pull-events-2.json"), claimIntervalMs: 20 });
    const c = new PullLog(down, { spoolFile: path.join(dir, "pull-events-3.json"), claimIntervalMs: 20 });
    b.start();
    c.start();
    await a.close(50);
    // b and c both look every 20 ms: exactly one of them takes a's file.
    for (let i = 0; i < 500 && b.pending + c.pending + sent.length < aEvents.length; i++) await new Promise((r) => setTimeout(r, 10));
    await b.flush(true);
    expect(b.pending + c.pending + sent.length).toBe(aEvents.length);
    await c.close(50);
    // What c held it wrote back at its close; b takes that over too and delivers everything once.
    for (let i = 0; i < 500 && sent.length < aEvents.length; i++) await new Promise((r) => setTimeout(r, 10));
    await b.flush(true);
    expect(sent.sort()).toEqual(aEvents.map((e) => e.id).sort());
    await b.close(50);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
