import crypto from "node:crypto";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseDigest } from "@/lib/oci/names";
import { youngGc } from "./young-gc";

/**
 * Content named by its digest (a blob, a manifest asked for by digest) checked while it streams:
 * every byte goes through sha256/sha512 (the digest's own algorithm) on its way to the client, and
 * the last chunk is held back until the upstream's body has ended and the hash matches. So a body
 * that is short (an upstream that closes early without a Content-Length looks like a clean end) or
 * wrong never reaches the client whole: the stream fails instead, the proxy destroys the client's
 * connection, and the client sees a broken transfer rather than a clean short one — caches and the
 * pull log believe a complete 200. What is held back is at most a batch (SEND_BATCH) and the
 * newest chunk — only the newest chunk while the proxy streams many bodies (young-gc.ts
 * `crowded`: memory in flight, a batch each, is then what runs short) — never copied.
 */
export class DigestMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
    readonly bytes: number,
  ) {
    super(`the upstream's body (${bytes} bytes) does not match its digest`);
    this.name = "DigestMismatchError";
  }
}

/** What `sendVerified` gathers before it writes: a few socket reads, sent with one `writev`. */
export const SEND_BATCH = 256 * 1024;

/** A stream `sendVerified` copied broke: its source (`cause` says how) or its receiver (a client that left). */
export class StreamBrokenError extends Error {
  override name = "StreamBrokenError";
  constructor(
    readonly side: "source" | "receiver",
    readonly cause: Error,
  ) {
    super(`the ${side} of the stream broke: ${cause.message}`);
  }
}

/**
 * Streams `src` to `dst`, checked against `digest` (above), without a stream between them: each
 * chunk is hashed as it arrives, and the chunks are written in batches of about SEND_BATCH bytes
 * (one chunk at a time while `youngGc.crowded`), corked into one `writev`,
 * the newest chunk always held back until `src` has ended and the hash
 * matched (then `dst` ends with it) — less work per chunk than a Transform in a pipeline. Resolves
 * once `dst` finished; otherwise both are destroyed (a client sees a broken transfer, never a
 * clean short one) and it rejects — with a DigestMismatchError when the bytes were wrong, a
 * StreamBrokenError when either side broke first (a source that ends short of `size`, when given,
 * broke: its connection was cut, its bytes are not known to be wrong; a side already destroyed
 * when it is called broke too). `onChunk` sees each chunk's size as it arrives. A paused source
 * is resumed. `digest` must be valid (lib/oci/names.ts parseDigest throws otherwise).
 */
export function sendVerified(src: Readable, dst: Writable, digest: string, opts: { onChunk?: (bytes: number) => void; size?: number } = {}): Promise<void> {
  const { onChunk, size } = opts;
  const { algorithm, hex } = parseDigest(digest);
  const expected = hex.toLowerCase();
  const hash = crypto.createHash(algorithm);
  let gathered: Buffer[] = [];
  let gatheredBytes = 0;
  let seen = 0;
  const flush = (): boolean => {
    let more = true;
    if (gathered.length === 1) more = dst.write(gathered[0]);
    else if (gathered.length > 1) {
      dst.cork();
      for (const c of gathered) more = dst.write(c);
      dst.uncork();
    }
    gathered = [];
    gatheredBytes = 0;
    return more;
  };
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      src.off("data", onData);
      dst.off("drain", onDrain);
      if (!err) return resolve();
      src.destroy();
      dst.destroy();
      reject(err);
    };
    const onDrain = () => src.resume();
    const onData = (chunk: Buffer) => {
      hash.update(chunk);
      seen += chunk.length;
      onChunk?.(chunk.length);
      // Everything gathered goes out; the chunk just received is held back in its place.
      if (gatheredBytes >= (youngGc.crowded ? 0 : SEND_BATCH) && !flush()) {
        src.pause();
        dst.once("drain", onDrain);
      }
      gathered.push(chunk);
      gatheredBytes += chunk.length;
    };
    src.on("data", onData);
    src.resume();
    src.once("end", () => {
      if (size !== undefined && seen < size) return settle(new StreamBrokenError("source", new Error(`it ended after ${seen} of ${size} bytes`)));
      const actual = hash.digest("hex");
      if (actual !== expected) return settle(new DigestMismatchError(digest, `${algorithm}:${actual}`, seen));
      flush();
      dst.end();
    });
    src.once("error", (e) => settle(new StreamBrokenError("source", e)));
    src.once("close", () => {
      if (!src.readableEnded) settle(new StreamBrokenError("source", new Error("it closed before its end")));
    });
    dst.once("finish", () => settle());
    dst.once("error", (e) => settle(new StreamBrokenError("receiver", e)));
    dst.once("close", () => {
      if (!dst.writableFinished) settle(new StreamBrokenError("receiver", new Error("it closed before the end")));
    });
    // Gone already, its close event with it (a client that left while the upstream answered).
    if (dst.destroyed) settle(new StreamBrokenError("receiver", new Error("it closed before the start")));
    else if (src.destroyed && !src.readableEnded) settle(new StreamBrokenError("source", new Error("it closed before the start")));
  });
}

/**
 * A body no digest covers (a 206, a manifest by tag), sent as it comes; when it breaks, a
 * StreamBrokenError says which side did, as `sendVerified`'s do. pipeline's own error doesn't
 * say (it destroys the source whichever side broke): the first sign wins — an error on `src`, or
 * `signal`, which the caller aborts when the client leaves (the relay's signal of the client's
 * connection; a close listener of our own on the response would be one too many beside
 * pipeline's seven). The signal outlives the send (it is the connection's): its listener is
 * removed when the send is over.
 */
export async function sendAsIs(src: Readable, dst: Writable, signal: AbortSignal, onChunk: (bytes: number) => void): Promise<void> {
  let side: StreamBrokenError["side"] | undefined;
  src.once("error", () => (side ??= "source"));
  const onAbort = () => (side ??= "receiver");
  signal.addEventListener("abort", onAbort, { once: true });
  src.on("data", (chunk: Buffer) => onChunk(chunk.length));
  try {
    await pipeline(src, dst);
  } catch (e) {
    throw new StreamBrokenError(side ?? "receiver", e as Error);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
