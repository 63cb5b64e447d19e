import crypto from "node:crypto";
import { PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { DigestMismatchError, DigestVerifier, SEND_BATCH, sendVerified } from "./verify-digest";

const digestOf = (algorithm: "sha256" | "sha512", b: Buffer) => `${algorithm}:${crypto.createHash(algorithm).update(b).digest("hex")}`;

/** Streams `chunks` through a verifier; what came out, and the error if any. */
async function run(digest: string, chunks: Buffer[]): Promise<{ out: Buffer; error?: unknown }> {
  const got: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => got.push(c));
  try {
    await pipeline(Readable.from(chunks), new DigestVerifier(digest), sink);
    return { out: Buffer.concat(got) };
  } catch (error) {
    return { out: Buffer.concat(got), error };
  }
}

describe("DigestVerifier", () => {
  const body = crypto.randomBytes(10_000);
  const chunks = [body.subarray(0, 4000), body.subarray(4000, 9000), body.subarray(9000)];

  it("passes a body that matches its sha256 or sha512 digest through unchanged", async () => {
    for (const algorithm of ["sha256", "sha512"] as const) {
      const { out, error } = await run(digestOf(algorithm, body), chunks);
      expect(error).toBeUndefined();
      expect(out.equals(body)).toBe(true);
    }
    expect((await run(digestOf("sha256", Buffer.alloc(0)), [])).error).toBeUndefined();
  });

  it("fails a short or altered body, and never lets its last chunk out", async () => {
    const short = await run(digestOf("sha256", body), chunks.slice(0, 2));
    expect(short.error).toBeInstanceOf(DigestMismatchError);
    expect(short.out.length).toBeLessThan(9000);
    const altered = Buffer.from(body);
    altered[9500] = altered[9500]! ^ 1;
    const wrong = await run(digestOf("sha256", body), [altered.subarray(0, 4000), altered.subarray(4000, 9000), altered.subarray(9000)]);
    expect(wrong.error).toMatchObject({ name: "DigestMismatchError", bytes: 10_000 });
    expect(wrong.out.length).toBe(9000);
    expect((await run(digestOf("sha256", body), [])).error).toBeInstanceOf(DigestMismatchError);
  });

  it("accepts only digests lib/oci accepts", () => {
    expect(() => new DigestVerifier("md5:abc")).toThrow();
    expect(() => new DigestVerifier(`sha256:${"z".repeat(64)}`)).toThrow();
  });
});

describe("sendVerified", () => {
  const body = crypto.randomBytes(SEND_BATCH * 3 + 12_345);
  /** `body` cut into chunks of 1 to ~70,000 bytes. */
  const pieces = (b: Buffer) => {
    const out: Buffer[] = [];
    for (let at = 0, size = 1; at < b.length; at += size, size = (size * 7 + 13) % 70_000 || 1) out.push(b.subarray(at, at + size));
    return out;
  };
  /** A receiver that takes its time with every write (a slow client), keeping what it got. */
  const slowSink = (got: Buffer[]) =>
    new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        got.push(chunk);
        setImmediate(done);
      },
      writev(chunks, done) {
        for (const { chunk } of chunks) got.push(chunk as Buffer);
        setImmediate(done);
      },
    });

  it("delivers a body that matches, every byte in order, to a receiver slower than its source", async () => {
    for (const algorithm of ["sha256", "sha512"] as const) {
      const got: Buffer[] = [];
      const sink = slowSink(got);
      let counted = 0;
      await sendVerified(Readable.from(pieces(body)), sink, digestOf(algorithm, body), { onChunk: (n) => (counted += n), size: body.length });
      expect(Buffer.concat(got).equals(body)).toBe(true);
      expect(counted).toBe(body.length);
      expect(sink.writableFinished).toBe(true);
    }
  });

  it("never lets a wrong or short body out whole, and breaks the receiver", async () => {
    const wrong = Buffer.from(body);
    wrong[wrong.length - 1] = wrong[wrong.length - 1]! ^ 1;
    for (const sent of [wrong, body.subarray(0, body.length - 1), body.subarray(0, SEND_BATCH * 2)]) {
      const got: Buffer[] = [];
      const sink = slowSink(got);
      const error = await sendVerified(Readable.from(pieces(sent)), sink, digestOf("sha256", body)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DigestMismatchError);
      expect(Buffer.concat(got).length).toBeLessThan(sent.length);
      expect(sink.destroyed).toBe(true);
    }
  });

  it("says which side broke: a source that fails, a receiver that leaves", async () => {
    const source = new PassThrough();
    const sink = slowSink([]);
    const failing = sendVerified(source, sink, digestOf("sha256", body)).catch((e: unknown) => e);
    source.write(body.subarray(0, 1000));
    source.destroy(new Error("connection reset"));
    expect(await failing).toMatchObject({ name: "StreamBrokenError", side: "source" });
    expect(sink.destroyed).toBe(true);

    const feeding = new PassThrough();
    const leaving = slowSink([]);
    const left = sendVerified(feeding, leaving, digestOf("sha256", body)).catch((e: unknown) => e);
    feeding.write(body.subarray(0, SEND_BATCH + 1));
    feeding.write(body.subarray(SEND_BATCH + 1, SEND_BATCH + 2));
    leaving.destroy();
    expect(await left).toMatchObject({ name: "StreamBrokenError", side: "receiver" });
    expect(feeding.destroyed).toBe(true);

    // Short of the size it announced: a cut connection, not a wrong body; the end is never let out either.
    const got: Buffer[] = [];
    const cut = await sendVerified(Readable.from(pieces(body.subarray(0, body.length - 10))), slowSink(got), digestOf("sha256", body), { size: body.length }).catch((e: unknown) => e);
    expect(cut).toMatchObject({ name: "StreamBrokenError", side: "source" });
    expect(Buffer.concat(got).length).toBeLessThan(body.length - 10);
  });
});
