import crypto from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { parseDigest } from "@/lib/oci/names";

/**
 * Content named by its digest (a blob, a manifest asked for by digest) checked while it streams:
 * every byte goes through sha256/sha512 (the digest's own algorithm) on its way to the client, and
 * the last chunk is held back until the upstream's body has ended and the hash matches. So a body
 * that is short (an upstream that closes early without a Content-Length looks like a clean end) or
 * wrong never reaches the client whole: the stream fails instead, the proxy destroys the client's
 * connection, and the client sees a broken transfer rather than a clean short one — caches and the
 * pull log believe a complete 200. Holding one chunk back costs one chunk of memory, no copy.
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

export class DigestVerifier extends Transform {
  private readonly hash: crypto.Hash;
  private readonly algorithm: string;
  private readonly expectedHex: string;
  private held: Buffer | undefined;
  private seen = 0;

  /** `digest` must be valid (lib/oci/names.ts parseDigest throws otherwise). */
  constructor(readonly digest: string) {
    super();
    const { algorithm, hex } = parseDigest(digest);
    this.algorithm = algorithm;
    this.expectedHex = hex.toLowerCase();
    this.hash = crypto.createHash(algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.seen += chunk.length;
    const previous = this.held;
    this.held = chunk;
    done(null, previous);
  }

  override _flush(done: TransformCallback): void {
    const actual = this.hash.digest("hex");
    if (actual !== this.expectedHex) return done(new DigestMismatchError(this.digest, `${this.algorithm}:${actual}`, this.seen));
    done(null, this.held);
  }
}
