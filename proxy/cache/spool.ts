import crypto from "node:crypto";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { parseDigest } from "@/lib/oci/names";
import { DigestMismatchError } from "@/proxy/verify-digest";

/**
 * One blob on its way from the upstream, written to a spool file as it arrives, at the upstream's
 * pace, whoever reads it: the client that missed, every client that asks for the same blob
 * meanwhile (they share this one upstream fetch), and the upload to the store. Each reader
 * follows the file up to what has been written, so a slow reader slows nobody and memory stays
 * at a chunk per reader.
 *
 * The last chunk is released to readers only once the whole body has matched its digest (holding
 * back a whole chunk rather than its last byte gives a reader that keeps up the chunks as they
 * came, one write each to its client or the store): a
 * body that is wrong or cut short never reaches any reader whole (they fail instead), and the
 * store's upload never completes, so nothing unverified is committed.
 *
 * The newest bytes are also kept in memory, as the chunks arrived (no copy): a reader that keeps
 * up — the client that missed, the upload to the store — takes them from there, without a read
 * of the file; the file serves those that fall behind or join late.
 *
 * The file is removed once the fill has ended and `release()` was called; readers that opened it
 * before keep their descriptor.
 */
export type FillState = "filling" | "done" | "failed";

const READ_CHUNK = 256 * 1024;
/** How much of the newest body stays in memory for readers that keep up (a few socket reads' worth). */
const MEMORY_TAIL = 1024 * 1024;

export class Fill {
  readonly file: string;
  written = 0;
  state: FillState = "filling";
  error: Error | undefined;
  private readonly events = new EventEmitter();
  private fd: fs.promises.FileHandle | undefined;
  private released = false;
  /** The newest chunks written, and the offset of the first. */
  private tail: Buffer[] = [];
  private tailStart = 0;

  constructor(
    readonly digest: string,
    dir: string,
  ) {
    parseDigest(digest);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, `${crypto.randomUUID()}.part`);
    // Created before anyone reads: readers open it synchronously.
    fs.writeFileSync(this.file, "", { mode: 0o600 });
    this.events.setMaxListeners(0);
  }

  /** Bytes a reader may have: everything once verified, all but the last chunk before. */
  get readable(): number {
    return this.state === "done" ? this.written : this.written - (this.tail.at(-1)?.length ?? 0);
  }

  /** Consumes `body` into the spool and verifies it; resolves when done, never rejects (the state says how it ended). */
  async run(body: Readable): Promise<void> {
    const { algorithm, hex } = parseDigest(this.digest);
    const hash = crypto.createHash(algorithm);
    // The loop below sees a broken body as its error; this keeps a late 'error' event from going unhandled.
    body.on("error", () => {});
    try {
      this.fd = await fs.promises.open(this.file, "r+");
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (chunk.length === 0) continue;
        hash.update(chunk);
        await this.fd.write(chunk, 0, chunk.length, this.written);
        this.written += chunk.length;
        this.keep(chunk);
        this.events.emit("progress");
      }
      const actual = hash.digest("hex");
      if (actual !== hex.toLowerCase()) throw new DigestMismatchError(this.digest, `${algorithm}:${actual}`, this.written);
      this.state = "done";
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
      this.state = "failed";
      this.tail = [];
      body.destroy();
    } finally {
      await this.fd?.close().catch(() => {});
      this.events.emit("progress");
      if (this.released) this.unlink();
    }
  }

  /** Fails the fill before it started reading (the upstream could not be asked). */
  fail(e: Error): void {
    if (this.state !== "filling") return;
    this.error = e;
    this.state = "failed";
    this.events.emit("progress");
  }

  /** Nobody new will read this fill: remove its file once it has ended. */
  release(): void {
    this.released = true;
    if (this.state !== "filling") this.unlink();
  }

  private unlink(): void {
    this.tail = [];
    fs.rmSync(this.file, { force: true });
  }

  private keep(chunk: Buffer): void {
    this.tail.push(chunk);
    while (this.written - this.tailStart - this.tail[0]!.length >= MEMORY_TAIL) this.tailStart += this.tail.shift()!.length;
  }

  /** Up to `max` bytes at `pos` as a view of a chunk still in memory, or undefined when only the file has them. */
  fromMemory(pos: number, max: number): Buffer | undefined {
    let end = this.written;
    for (let i = this.tail.length - 1; i >= 0 && end > pos; i--) {
      const chunk = this.tail[i]!;
      const start = end - chunk.length;
      if (pos >= start) return chunk.subarray(pos - start, Math.min(chunk.length, pos - start + max));
      end = start;
    }
    return undefined;
  }

  /** A stream of the blob from the start, following the fill; it fails if the fill fails. */
  reader(): Readable {
    return new SpoolReader(this, fs.openSync(this.file, "r"));
  }

  /** Waits for more bytes or the end. */
  onProgress(listener: () => void): () => void {
    this.events.once("progress", listener);
    return () => this.events.off("progress", listener);
  }
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
          const buf = Buffer.allocUnsafe(Math.min(available, READ_CHUNK));
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
