import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { BLOCK, Fill } from "./spool";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spool-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const digestOf = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

function collect(r: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    r.on("data", (c: Buffer) => chunks.push(c));
    r.once("end", () => resolve(Buffer.concat(chunks)));
    r.once("error", reject);
  });
}

/** Resolves once `r` has emitted at least `n` bytes (it keeps flowing into `into`). */
function readAtLeast(r: Readable, n: number, into: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    r.on("data", (c: Buffer) => {
      into.push(c);
      seen += c.length;
      if (seen >= n) resolve();
    });
  });
}

/** A fill of `digest` fed by a body the test writes, and a reader from the start whose pieces are kept as they come. */
function started(digest: string) {
  const fill = new Fill(digest, dir);
  const body = new PassThrough();
  const run = fill.run(body);
  const pieces: Buffer[] = [];
  const reader = fill.reader();
  reader.on("data", (c: Buffer) => pieces.push(c));
  return { fill, body, run, pieces, reader };
}

/** Writes `bytes` to `body` in chunks of `size`, one per turn of the event loop, then ends it. */
async function feed(body: PassThrough, bytes: Buffer, size: number): Promise<void> {
  for (let at = 0; at < bytes.length; at += size) {
    body.write(bytes.subarray(at, at + size));
    await new Promise((resolve) => setImmediate(resolve));
  }
  body.end();
}

describe("a fill spooled to disk", () => {
  it("gives every reader the whole blob, readers that join late included", async () => {
    const blob = crypto.randomBytes(700_000);
    const fill = new Fill(digestOf(blob), dir);
    const body = new PassThrough();
    const run = fill.run(body);
    const early = collect(fill.reader());
    body.write(blob.subarray(0, 300_000));
    const late = collect(fill.reader());
    body.end(blob.subarray(300_000));
    await run;
    expect(fill.state).toBe("done");
    expect((await early).equals(blob)).toBe(true);
    expect((await late).equals(blob)).toBe(true);
    const after = collect(fill.reader());
    expect((await after).equals(blob)).toBe(true);
  });

  it("gives the whole blob to readers that fall behind by more than it keeps in memory, and to those that keep up", async () => {
    const blob = crypto.randomBytes(3 * 1024 * 1024 + 123);
    const fill = new Fill(digestOf(blob), dir);
    const body = new PassThrough();
    const run = fill.run(body);
    const early = collect(fill.reader());
    let late: Promise<Buffer> | undefined;
    for (let at = 0; at < blob.length; at += 64 * 1024) {
      if (!body.write(blob.subarray(at, at + 64 * 1024))) await new Promise((resolve) => body.once("drain", resolve));
      if (at >= 2.5 * 1024 * 1024 && !late) {
        await new Promise((resolve) => setTimeout(resolve, 20)); // the fill catches up with the body
        late = collect(fill.reader());
      }
    }
    body.end();
    await run;
    expect(fill.state).toBe("done");
    expect((await early).equals(blob)).toBe(true);
    expect((await late!).equals(blob)).toBe(true);
  });

  it("holds the newest bytes back until the body matched its digest", async () => {
    const blob = crypto.randomBytes(BLOCK + 1000);
    const fill = new Fill(digestOf(blob), dir);
    const body = new PassThrough();
    const run = fill.run(body);
    const got: Buffer[] = [];
    const reader = fill.reader();
    body.write(blob.subarray(0, BLOCK));
    while (fill.written < BLOCK) await new Promise((resolve) => setTimeout(resolve, 5));
    body.write(blob.subarray(BLOCK));
    await readAtLeast(reader, BLOCK, got);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(Buffer.concat(got).length).toBe(BLOCK);
    const ended = new Promise((resolve) => reader.once("end", resolve));
    body.end();
    await run;
    await ended;
    expect(Buffer.concat(got).equals(blob)).toBe(true);
  });

  it("hands a reader that keeps up blocks gathered from small chunks, in order", async () => {
    const blob = crypto.randomBytes(3 * BLOCK + 5000);
    const { body, run, pieces, reader } = started(digestOf(blob));
    const ended = new Promise((resolve) => reader.once("end", resolve));
    await feed(body, blob, 16 * 1024);
    await run;
    await ended;
    expect(Buffer.concat(pieces).equals(blob)).toBe(true);
    // Every piece but the last is a whole block (16 chunks of 16 KiB).
    expect(pieces.slice(0, -1).every((p) => p.length >= BLOCK)).toBe(true);
    expect(pieces.length).toBeLessThanOrEqual(4);
  });

  it("gives a reader that falls behind, and one that joins late, every byte in order from chunks of every size", async () => {
    const blob = crypto.randomBytes(5 * 1024 * 1024 + 77);
    const fill = new Fill(digestOf(blob), dir);
    const body = new PassThrough({ highWaterMark: 1024 });
    const run = fill.run(body);
    // Nobody reads it until the whole body has been received: it stops at its buffer's high-water mark.
    const behind = fill.reader();
    let late: Promise<Buffer> | undefined;
    let size = 1;
    for (let at = 0; at < blob.length; at += size, size = (size * 7 + 13) % 70_000 || 1) {
      if (!body.write(blob.subarray(at, at + size))) await new Promise((resolve) => body.once("drain", resolve));
      if (at > 2 * 1024 * 1024 && !late) late = collect(fill.reader());
    }
    body.end();
    await run;
    expect(fill.state).toBe("done");
    expect((await collect(behind)).equals(blob)).toBe(true);
    expect((await late!).equals(blob)).toBe(true);
  });

  it("never lets a corrupt or short body out whole, however it was cut into chunks", async () => {
    const blob = crypto.randomBytes(2 * BLOCK + 10);
    const wrong = Buffer.from(blob);
    wrong[wrong.length - 1] = wrong[wrong.length - 1]! ^ 1;
    for (const [sent, chunk] of [
      [wrong, 1000],
      [wrong, BLOCK],
      [wrong, wrong.length],
      [blob.subarray(0, 2 * BLOCK), BLOCK],
      [blob.subarray(0, blob.length - 1), 4096],
    ] as const) {
      const { fill, body, run, pieces: got, reader } = started(digestOf(blob));
      const outcome = new Promise<string>((resolve) => {
        reader.once("end", () => resolve("complete"));
        reader.once("error", (e) => resolve(e.name));
      });
      await feed(body, sent, chunk);
      await run;
      expect(fill.state).toBe("failed");
      expect(await outcome).toBe("DigestMismatchError");
      expect(Buffer.concat(got).length).toBeLessThan(sent.length);
      expect(blob.subarray(0, Buffer.concat(got).length).equals(Buffer.concat(got))).toBe(true);
    }
  });

  it("fails every reader when the body does not match its digest, before they have it whole", async () => {
    const blob = crypto.randomBytes(50_000);
    const fill = new Fill(digestOf(blob), dir);
    const body = new PassThrough();
    const run = fill.run(body);
    const readers = [fill.reader(), fill.reader()];
    const outcomes = readers.map((r) => collect(r).then(() => "complete", (e: Error) => e.name));
    const wrong = Buffer.from(blob);
    wrong[10] = wrong[10]! ^ 1;
    body.end(wrong);
    await run;
    expect(fill.state).toBe("failed");
    expect(await Promise.all(outcomes)).toEqual(["DigestMismatchError", "DigestMismatchError"]);
  });

  it("fails its readers when the upstream's body breaks, and removes its file once released", async () => {
    const blob = crypto.randomBytes(10_000);
    const fill = new Fill(digestOf(blob), dir);
    const body = new PassThrough();
    const run = fill.run(body);
    const outcome = collect(fill.reader()).then(() => "complete", () => "failed");
    body.write(blob.subarray(0, 5000));
    body.destroy(new Error("connection reset"));
    await run;
    expect(await outcome).toBe("failed");
    fill.release();
    expect(fs.existsSync(fill.file)).toBe(false);
  });
});
