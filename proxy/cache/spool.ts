import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { parseDigest } from "@/lib/oci/names";
import { DigestMismatchError } from "@/proxy/verify-digest";

/**
 * One blob on its way from the upstream, written to a spool file as it arrives, at the upstream's
 * pace, whoever reads it: the client that missed, every client that asks for the same blob
 * meanwhile (they share this one upstream fetch), and the upload to the store. Each reader
 * follows the fill up to what it has released, so a slow reader slows nobody and memory stays
 * bounded per fill.
 *
 * The body's chunks (a socket read each: up to 64 KiB, 16 KiB from a TLS upstream) are hashed as
 * they arrive and gathered into blocks of at least BLOCK bytes (a chunk that large already is one
 * block, without a copy). Readers get whole blocks — one write each to their client or the store,
 * one wake-up per block rather than per chunk — and the file gets them one write at a time.
 * Whatever has not made a block yet, at least the newest chunk, is held back until the whole body
 * has matched its digest: a body that is wrong or cut short never reaches any reader whole (they
 * fail instead), and the store's upload never completes, so nothing unverified is committed.
 *
 * The newest blocks are also kept in memory (at least MEMORY_TAIL bytes, and every block not yet
 * in the file): a reader that keeps up — the client that missed, the upload to the store — takes
 * them from there, without a read of the file; the file serves those that fall behind or join late.
 * When the file falls MAX_UNWRITTEN behind the upstream, the body is paused.
 *
 * The file is removed once the fill has ended and `release()` was called; readers that opened it
 * before keep their descriptor.
 */
export type FillState = "filling" | "done" | "failed";

const READ_CHUNK = 256 * 1024;
/** The least a block handed to readers holds (but for the body's last). */
export const BLOCK = 256 * 1024;
/** How much of the newest body stays in memory for readers that keep up. */
const MEMORY_TAIL = 1024 * 1024;
/** Bytes received but not yet in the file before the body is paused (the disk is behind the upstream). */
const MAX_UNWRITTEN = 4 * 1024 * 1024;

export class Fill {
  readonly file: string;
  /** Bytes received from the body and hashed so far; once the fill is done, the blob's size. */
  written = 0;
  state: FillState = "filling";
  error: Error | undefined;
  /** Bytes in blocks: what readers may have while the fill runs. */
  private released = 0;
  /** Bytes in the file. */
  private flushed = 0;
  /** Chunks received since the last block. */
  private gathering: Buffer[] = [];
  private gatheredBytes = 0;
  /** The newest blocks, and the offset of the first. */
  private tail: Buffer[] = [];
  private tailStart = 0;
  private waiting: Array<() => void> = [];
  private unlinkWhenEnded = false;

  constructor(
    readonly digest: string,
    dir: string,
  ) {
    parseDigest(digest);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, `${crypto.randomUUID()}.part`);
    // Created before anyone reads: readers open it synchronously.
    fs.writeFileSync(this.file, "", { mode: 0o600 });
  }

  /** Bytes a reader may have: everything once verified, the blocks made so far before. */
  get readable(): number {
    return this.state === "done" ? this.written : this.released;
  }

  /** Bytes a reader may read from the file (those after them are in memory). */
  get inFile(): number {
    return this.flushed;
  }

  /** Consumes `body` into the spool and verifies it; resolves when done, never rejects (the state says how it ended). */
  async run(body: Readable): Promise<void> {
    const hash = crypto.createHash(parseDigest(this.digest).algorithm);
    let fd: number | undefined;
    try {
      // Synchronously, as the constructor created the file: the body's events are listened to from the start.
      fd = fs.openSync(this.file, "r+");
      await this.consume(body, fd, hash);
      this.state = "done";
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
      this.state = "failed";
      this.tail = [];
      this.gathering = [];
      body.destroy();
    } finally {
      if (fd !== undefined) await new Promise<void>((resolve) => fs.close(fd!, () => resolve()));
      this.notify();
      if (this.unlinkWhenEnded) this.unlink();
    }
  }

  /**
   * Reads `body` to its end, hashing it and making blocks; resolves once it matched its digest and
   * is all in the file, rejects when it failed, didn't match or a write failed (with no write in
   * flight: the descriptor is closed right after).
   */
  private consume(body: Readable, fd: number, hash: crypto.Hash): Promise<void> {
    const { algorithm, hex } = parseDigest(this.digest);
    return new Promise<void>((resolve, reject) => {
      let queue: Buffer[] = [];
      let writing = false;
      let ended = false;
      let failed: Error | undefined;
      const fail = (e: Error) => {
        if (failed) return;
        failed = e;
        body.off("data", onData);
        if (!writing) reject(e);
      };
      const write = () => {
        if (failed) return reject(failed);
        if (queue.length === 0) {
          if (ended) resolve();
          return;
        }
        const batch = queue;
        queue = [];
        writing = true;
        writeAll(fd, batch, this.flushed, (err, bytes) => {
          writing = false;
          if (err) fail(err);
          if (failed) return reject(failed);
          this.flushed += bytes;
          this.trim();
          if (body.isPaused() && !ended && this.written - this.flushed < MAX_UNWRITTEN) body.resume();
          write();
        });
      };
      const seal = () => {
        const block = this.gathering.length === 1 ? this.gathering[0]! : Buffer.concat(this.gathering, this.gatheredBytes);
        this.gathering = [];
        this.gatheredBytes = 0;
        this.tail.push(block);
        this.released += block.length;
        queue.push(block);
        if (!writing) write();
        this.notify();
      };
      const onData = (chunk: Buffer) => {
        if (chunk.length === 0) return;
        // The chunks gathered so far become a block only now that a newer one holds the end back.
        if (this.gatheredBytes >= BLOCK) seal();
        hash.update(chunk);
        this.written += chunk.length;
        this.gathering.push(chunk);
        this.gatheredBytes += chunk.length;
        if (this.written - this.flushed >= MAX_UNWRITTEN) body.pause();
      };
      // Also keeps an error after the end, or a pending one, from going unhandled.
      body.on("error", fail);
      if (body.destroyed) return fail(body.errored ?? new Error("the upstream's body ended before it was complete"));
      body.on("data", onData);
      body.once("end", () => {
        if (failed) return;
        ended = true;
        const actual = hash.digest("hex");
        if (actual !== hex.toLowerCase()) return fail(new DigestMismatchError(this.digest, `${algorithm}:${actual}`, this.written));
        if (this.gatheredBytes > 0) seal();
        else if (!writing) write();
      });
      body.once("close", () => {
        if (!ended) fail(new Error("the upstream's body ended before it was complete"));
      });
    });
  }

  /** Fails the fill before it started reading (the upstream could not be asked). */
  fail(e: Error): void {
    if (this.state !== "filling") return;
    this.error = e;
    this.state = "failed";
    this.notify();
  }

  /** Nobody new will read this fill: remove its file once it has ended. */
  release(): void {
    this.unlinkWhenEnded = true;
    if (this.state !== "filling") this.unlink();
  }

  private unlink(): void {
    this.tail = [];
    fs.rmSync(this.file, { force: true });
  }

  /** Drops the oldest blocks that are in the file and beyond the newest MEMORY_TAIL bytes. */
  private trim(): void {
    while (this.tail.length > 1) {
      const first = this.tail[0]!.length;
      if (this.tailStart + first > this.flushed || this.released - this.tailStart - first < MEMORY_TAIL) return;
      this.tailStart += first;
      this.tail.shift();
    }
  }

  private notify(): void {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w();
  }

  /** Up to `max` bytes at `pos` as a view of a block still in memory, or undefined when only the file has them. */
  fromMemory(pos: number, max: number): Buffer | undefined {
    if (pos < this.tailStart) return undefined;
    let end = this.released;
    for (let i = this.tail.length - 1; i >= 0 && end > pos; i--) {
      const block = this.tail[i]!;
      const start = end - block.length;
      if (pos >= start) return block.subarray(pos - start, Math.min(block.length, pos - start + max));
      end = start;
    }
    return undefined;
  }

  /** A stream of the blob from the start, following the fill; it fails if the fill fails. */
  reader(): Readable {
    return new SpoolReader(this, fs.openSync(this.file, "r"));
  }

  /** Calls `listener` once when there are more bytes to read or the fill has ended; returns a function that cancels it. */
  onProgress(listener: () => void): () => void {
    this.waiting.push(listener);
    return () => {
      const i = this.waiting.indexOf(listener);
      if (i >= 0) this.waiting.splice(i, 1);
    };
  }
}

/** Writes all of `buffers` at `position` (writev may write less than asked); `bytes` is how many. */
function writeAll(fd: number, buffers: Buffer[], position: number, done: (err: Error | null, bytes: number) => void, before = 0): void {
  fs.writev(fd, buffers, position, (err, bytes) => {
    if (err) return done(err, before);
    let rest = buffers;
    let n = bytes;
    while (rest.length > 0 && n >= rest[0]!.length) {
      n -= rest[0]!.length;
      rest = rest.slice(1);
    }
    if (rest.length === 0) return done(null, before + bytes);
    writeAll(fd, [rest[0]!.subarray(n), ...rest.slice(1)], position + bytes, done, before + bytes);
  });
}

class SpoolReader extends Readable {
  private pos = 0;
  private busy = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly fill: Fill,
    private readonly fd: number,
  ) {
    super({ highWaterMark: READ_CHUNK });
  }

  override _read(): void {
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy || this.destroyed) return;
    this.busy = true;
    try {
      for (;;) {
        const fill = this.fill;
        if (fill.state === "failed") return void this.destroy(fill.error ?? new Error("the blob's fill failed"));
        const available = fill.readable - this.pos;
        if (available > 0) {
          const kept = fill.fromMemory(this.pos, available);
          if (kept) {
            this.pos += kept.length;
            if (!this.push(kept)) return;
            continue;
          }
          // Before the memory's first byte, so in the file.
          const buf = Buffer.allocUnsafe(Math.min(available, READ_CHUNK, fill.inFile - this.pos));
          const { bytesRead } = await new Promise<{ bytesRead: number }>((resolve, reject) =>
            fs.read(this.fd, buf, 0, buf.length, this.pos, (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead }))),
          );
          if (this.destroyed) return;
          this.pos += bytesRead;
          if (!this.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead))) return;
          continue;
        }
        if (fill.state === "done") return void this.push(null);
        // One wait at a time: the stream may ask for more (`_read`) while this reader already waits.
        this.unsubscribe ??= fill.onProgress(() => {
          this.unsubscribe = undefined;
          void this.pump();
        });
        return;
      }
    } catch (e) {
      this.destroy(e as Error);
    } finally {
      this.busy = false;
    }
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.unsubscribe?.();
    fs.close(this.fd, () => cb(err));
  }
}
