import crypto from "node:crypto";
import { PassThrough, Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { DigestMismatchError, SEND_BATCH, sendAsIs, sendVerified } from "./verify-digest";
import { MAX_STREAMS, youngGc } from "./young-gc";

const digestOf = (algorithm: "sha256" | "sha512", b: Buffer) => `${algorithm}:${crypto.createHash(algorithm).update(b).digest("hex")}`;

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

  it("gathers a batch before it writes, but with many bodies at once holds back only the newest chunk", async () => {
    const small = [crypto.randomBytes(1000), crypto.randomBytes(1000), crypto.randomBytes(1000)];
    const whole = Buffer.concat(small);
    /** `count` sends at once (each a body streaming, as the proxy counts them), each given the first two chunks: what each receiver has got by then. */
    const sendAtOnce = async (count: number) => {
      const streaming = Array.from({ length: count }, () => youngGc.begin());
      const sends = Array.from({ length: count }, () => {
        const src = new PassThrough();
        const got: Buffer[] = [];
        const dst = new Writable({
          write(chunk: Buffer, _enc, done) {
            got.push(chunk);
            done();
          },
        });
        return { src, got, done: sendVerified(src, dst, digestOf("sha256", whole), { size: whole.length }) };
      });
      for (const s of sends) s.src.write(small[0]), s.src.write(small[1]);
      await new Promise((resolve) => setImmediate(resolve));
      const early = sends.map((s) => Buffer.concat(s.got).length);
      for (const s of sends) s.src.end(small[2]);
      await Promise.all(sends.map((s) => s.done));
      for (const end of streaming) end();
      for (const s of sends) expect(Buffer.concat(s.got).equals(whole)).toBe(true);
      return early;
    };
    expect(await sendAtOnce(1)).toEqual([0]);
    expect(await sendAtOnce(MAX_STREAMS + 1)).toEqual(Array.from({ length: MAX_STREAMS + 1 }, () => 1000));
  });

  it("an empty body: passes its own digest, fails any other with nothing written", async () => {
    const empty: Buffer[] = [];
    const emptySink = slowSink(empty);
    await sendVerified(Readable.from([]), emptySink, digestOf("sha256", Buffer.alloc(0)), { size: 0 });
    expect(emptySink.writableFinished).toBe(true);
    expect(Buffer.concat(empty).length).toBe(0);
    const got: Buffer[] = [];
    const sink = slowSink(got);
    expect(await sendVerified(Readable.from([]), sink, digestOf("sha256", body)).catch((e: unknown) => e)).toBeInstanceOf(DigestMismatchError);
    expect(got).toEqual([]);
    expect(sink.destroyed).toBe(true);
  });

  it("a sha512 digest is checked with sha512: other bytes of the right length fail", async () => {
    const other = crypto.randomBytes(body.length);
    const error = await sendVerified(Readable.from(pieces(other)), slowSink([]), digestOf("sha512", body), { size: body.length }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "DigestMismatchError", expected: digestOf("sha512", body), actual: digestOf("sha512", other), bytes: body.length });
  });

  it("accepts only digests lib/oci accepts", () => {
    expect(() => sendVerified(Readable.from([]), slowSink([]), "md5:abc")).toThrow();
    expect(() => sendVerified(Readable.from([]), slowSink([]), `sha256:${"z".repeat(64)}`)).toThrow();
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

    // A side gone before the copy started: its close event is gone with it.
    const closed = slowSink([]);
    closed.destroy();
    await new Promise((resolve) => closed.once("close", resolve));
    expect(await sendVerified(Readable.from(pieces(body)), closed, digestOf("sha256", body)).catch((e: unknown) => e)).toMatchObject({ name: "StreamBrokenError", side: "receiver" });
    const dead = new PassThrough();
    dead.destroy();
    await new Promise((resolve) => dead.once("close", resolve));
    const waiting = slowSink([]);
    expect(await sendVerified(dead, waiting, digestOf("sha256", body)).catch((e: unknown) => e)).toMatchObject({ name: "StreamBrokenError", side: "source" });
    expect(waiting.destroyed).toBe(true);

    // Short of the size it announced: a cut connection, not a wrong body; the end is never let out either.
    const got: Buffer[] = [];
    const cut = await sendVerified(Readable.from(pieces(body.subarray(0, body.length - 10))), slowSink(got), digestOf("sha256", body), { size: body.length }).catch((e: unknown) => e);
    expect(cut).toMatchObject({ name: "StreamBrokenError", side: "source" });
    expect(Buffer.concat(got).length).toBeLessThan(body.length - 10);
  });
});

describe("sendAsIs", () => {
  const body = crypto.randomBytes(200_000);
  /** A receiver as a client's response is to the relay: when it closes early, the relay aborts `abort` (its close listener comes first). */
  const client = (got: Buffer[], abort: AbortController) => {
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        got.push(chunk);
        setImmediate(done);
      },
    });
    sink.once("close", () => {
      if (!sink.writableFinished) abort.abort();
    });
    return sink;
  };

  it("sends the body as it comes and counts every byte", async () => {
    const got: Buffer[] = [];
    const abort = new AbortController();
    let counted = 0;
    await sendAsIs(Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]), client(got, abort), abort.signal, (n) => (counted += n));
    expect(Buffer.concat(got).equals(body)).toBe(true);
    expect(counted).toBe(body.length);
  });

  it("says which side broke: a source that fails, a receiver that leaves — though pipeline destroys the source either way", async () => {
    const failingAbort = new AbortController();
    const source = new PassThrough();
    const sink = client([], failingAbort);
    const failing = sendAsIs(source, sink, failingAbort.signal, () => {}).catch((e: unknown) => e);
    source.write(body.subarray(0, 1000));
    source.destroy(new Error("connection reset"));
    expect(await failing).toMatchObject({ name: "StreamBrokenError", side: "source", cause: { message: "connection reset" } });
    expect(sink.destroyed).toBe(true);

    const leavingAbort = new AbortController();
    const feeding = new PassThrough();
    const leaving = client([], leavingAbort);
    const left = sendAsIs(feeding, leaving, leavingAbort.signal, () => {}).catch((e: unknown) => e);
    feeding.write(body.subarray(0, 1000));
    await new Promise((resolve) => setImmediate(resolve));
    leaving.destroy();
    expect(await left).toMatchObject({ name: "StreamBrokenError", side: "receiver" });
    expect(feeding.destroyed).toBe(true);
  });
});
