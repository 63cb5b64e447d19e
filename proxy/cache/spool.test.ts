import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { Fill } from "./spool";

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

  it("holds the last chunk back until the body matched its digest", async () => {
    const blob = crypto.randomBytes(1000);
    const fill = new Fill(digestOf(blob), dir);
    const body = new PassThrough();
    const run = fill.run(body);
    const got: Buffer[] = [];
    const reader = fill.reader();
    body.write(blob.subarray(0, 600));
    while (fill.written < 600) await new Promise((resolve) => setTimeout(resolve, 5));
    body.write(blob.subarray(600));
    await readAtLeast(reader, 600, got);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(Buffer.concat(got).length).toBe(600);
    const ended = new Promise((resolve) => reader.once("end", resolve));
    body.end();
    await run;
    await ended;
    expect(Buffer.concat(got).equals(blob)).toBe(true);
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
