import { randomUUID } from "node:crypto";
import type { PullEventInput } from "@/lib/internal/contract";
import { MAX_PULL_EVENTS_PER_BATCH } from "@/lib/internal/wire";
import { tryRead } from "@/lib/validations/json-checks";
import { readPullEvent } from "./portal-answers";
import { SpoolDirectory } from "./pull-log-spool";

/**
 * The pull log's way to the portal: events are buffered in memory and sent in batches (every
 * `flushIntervalMs`, or as soon as a batch is full). When the portal is away, batches go back to
 * the front of the buffer and are retried with exponential backoff (1 s … 30 s); the buffer
 * holds at most `maxBuffered` events, and only beyond that are the oldest dropped (counted in
 * metrics). So a portal outage loses nothing until `maxBuffered` events have piled up — at the
 * default 10,000, hours of steady pulling for a typical installation. A sign that the portal is
 * back (`resume`: readiness's ping or a lookup answered) cuts the backoff short.
 *
 * With a `spoolFile`, a process exit loses nothing either: what the final flush could not deliver
 * (the batch on its way included) is written to a file in that file's directory
 * (pull-log-spool.ts). Every proxy sharing the directory claims such files — at start, then every
 * `claimIntervalMs` — and delivers them first: the same proxy restarted on any port, or a sibling
 * that keeps running.
 *
 * Each batch has an id, kept on every retry and in the spool file, and the portal stores a batch
 * id once: a batch retried after a lost answer, or delivered once more from the spool, adds
 * nothing — not even to the counts of refused attempts, which (unlike pulls) are not stored by
 * event id. So a batch, once sent, is never split up or added to; only its oldest events may be
 * dropped when the buffer overflows (what is left is still that batch).
 */
export interface PullLogSink {
  sendPullEvents(events: PullEventInput[], batchId: string): Promise<unknown>;
}

export interface PullLogOptions {
  flushIntervalMs?: number;
  batchSize?: number;
  maxBuffered?: number;
  maxBackoffMs?: number;
  onSent?: (n: number) => void;
  onDropped?: (n: number) => void;
  onError?: (e: unknown) => void;
  /** The portal read a batch and refused it (HTTP 400 or 422): it is dropped, not sent again, so it can't hold up the ones behind it. */
  onRejected?: (n: number, e: unknown) => void;
  now?: () => number;
}

/** The portal's answer to a batch it read and found invalid: sending it again would get the same answer. */
function rejectedForGood(e: unknown): boolean {
  const status = (e as { status?: unknown } | null)?.status;
  return status === 400 || status === 422;
}

export interface PullLogSpoolOptions {
  /** Where undelivered events are kept across a restart (its directory is shared); unset: they are lost on exit. */
  spoolFile?: string;
  /** How often the directory is checked for files of proxies that stopped (default 5 s). */
  claimIntervalMs?: number;
  /** A claim its holder has not renewed for this long is taken over (default 60 s). */
  claimLeaseMs?: number;
  /** Events read back from the spool at start-up. */
  onRestored?: (n: number) => void;
  /** Events written to the spool at close. */
  onSpooled?: (n: number) => void;
  /** The spool could not be read or written. */
  onSpoolError?: (e: unknown) => void;
}

export const DEFAULT_PULL_LOG_BUFFER = 10_000;

/** Events sent together under one id: the same id on every retry, and in the spool file. */
export interface Batch<T> {
  id: string;
  events: T[];
}

const eventsIn = (batches: ReadonlyArray<{ events: readonly unknown[] }>) => batches.reduce((n, b) => n + b.events.length, 0);

/** Drops the `n` oldest events of `batches` (oldest first), and the batches left empty; how many it dropped. */
function dropOldest(batches: Array<Batch<unknown>>, n: number): number {
  let dropped = 0;
  while (dropped < n && batches.length > 0) {
    const first = batches[0]!;
    dropped += first.events.splice(0, n - dropped).length;
    if (first.events.length === 0) batches.shift();
  }
  return dropped;
}

/** The batching, retry and bounded buffer of the pull log, for any kind of event (the cache's too: cache/reporter.ts). */
export class BatchQueue<T> {
  /** Batches made and not delivered yet, oldest first: one the portal did not acknowledge, or ones read back from a spool. */
  private batches: Array<Batch<T>> = [];
  /** Events not in a batch yet. */
  private buffer: T[] = [];
  private inFlight: Batch<T> | undefined;
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private retryAt = 0;
  readonly flushIntervalMs: number;
  readonly batchSize: number;
  readonly maxBuffered: number;
  private readonly maxBackoffMs: number;
  private readonly now: () => number;
  dropped = 0;
  sent = 0;

  constructor(
    private readonly send: (events: T[], batchId: string) => Promise<unknown>,
    protected readonly opts: PullLogOptions = {},
  ) {
    this.flushIntervalMs = opts.flushIntervalMs ?? 1_000;
    this.batchSize = Math.min(opts.batchSize ?? 500, MAX_PULL_EVENTS_PER_BATCH);
    this.maxBuffered = opts.maxBuffered ?? DEFAULT_PULL_LOG_BUFFER;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** Events waiting to be sent: in batches not acknowledged yet, and not in a batch yet. */
  get buffered(): number {
    return eventsIn(this.batches) + this.buffer.length;
  }

  /** Events not yet delivered: buffered, plus the batch on its way (not yet acknowledged). */
  get pending(): number {
    return this.buffered + (this.inFlight?.events.length ?? 0);
  }

  /** What is not yet delivered, oldest first: the batch on its way, the other batches, then the buffer. */
  unsent(): T[] {
    return [...(this.inFlight?.events ?? []), ...this.batches.flatMap((b) => b.events), ...this.buffer];
  }

  /** Puts everything buffered into batches (each with its id from now on) and returns what is not delivered yet, oldest first. */
  protected sealUnsent(): Array<Batch<T>> {
    while (this.buffer.length > 0) this.batches.push(this.nextBatch());
    return [...(this.inFlight ? [this.inFlight] : []), ...this.batches];
  }

  /**
   * Puts batches nobody delivered yet (an earlier process's) before the buffered events. A batch
   * with an id keeps it (the portal may have stored it already); events without one are batched
   * here.
   */
  restore(batches: ReadonlyArray<{ id?: string; events: readonly T[] }>): void {
    const made: Array<Batch<T>> = [];
    for (const { id, events } of batches) {
      // A batch keeps its events together up to what the portal takes in one (no proxy makes a larger one).
      const size = id ? MAX_PULL_EVENTS_PER_BATCH : this.batchSize;
      for (let i = 0; i < events.length; i += size) made.push({ id: (i === 0 && id) || randomUUID(), events: events.slice(i, i + size) });
    }
    this.batches.unshift(...made);
    this.trim();
  }

  /** The portal answers again: stop backing off and send now. */
  resume(): void {
    if (this.retryAt === 0) return;
    this.retryAt = 0;
    void this.flush();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  record(event: T): void {
    this.buffer.push(event);
    this.trim();
    if (this.buffer.length >= this.batchSize && this.failures === 0) void this.flush();
  }

  /** Sends what is buffered, batch by batch, unless backing off after a failure (`force` ignores the backoff). */
  flush(force = false): Promise<void> {
    if (this.sending) return this.sending;
    if (this.buffered === 0 || (!force && this.now() < this.retryAt)) return Promise.resolve();
    this.sending = this.drain().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private nextBatch(): Batch<T> {
    const events = this.buffer.splice(0, this.batchSize);
    this.left(events);
    return { id: randomUUID(), events };
  }

  private async drain(): Promise<void> {
    while (this.buffered > 0) {
      const batch = this.batches.shift() ?? this.nextBatch();
      this.inFlight = batch;
      try {
        await this.send(batch.events, batch.id);
      } catch (e) {
        this.inFlight = undefined;
        if (rejectedForGood(e)) {
          this.dropped += batch.events.length;
          this.opts.onDropped?.(batch.events.length);
          this.opts.onRejected?.(batch.events.length, e);
          this.opts.onError?.(e);
          continue;
        }
        // Sent again as it is, under its id: the portal may have stored it and only the answer got lost.
        this.batches.unshift(batch);
        this.trim();
        this.failures++;
        this.retryAt = this.now() + Math.min(this.maxBackoffMs, 1000 * 2 ** (this.failures - 1));
        this.opts.onError?.(e);
        return;
      }
      this.inFlight = undefined;
      this.failures = 0;
      this.retryAt = 0;
      this.sent += batch.events.length;
      this.opts.onSent?.(batch.events.length);
    }
  }

  /** Events leave the buffer (taken into a batch, or dropped). */
  protected left(_events: T[]): void {}

  /** Beyond maxBuffered, drops the oldest: from the batches first (what is left of one keeps its id), then the buffer. */
  private trim(): void {
    const over = this.buffered - this.maxBuffered;
    if (over <= 0) return;
    const fromBuffer = over - dropOldest(this.batches, over);
    if (fromBuffer > 0) this.left(this.buffer.splice(0, fromBuffer));
    this.dropped += over;
    this.opts.onDropped?.(over);
  }

  /** Stops the timer and makes a last attempt to deliver, bounded by `timeoutMs`. */
  async close(timeoutMs = 3_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => {
          await this.sending;
          await this.flush(true);
        })(),
        new Promise<void>((resolve) => (timeout = setTimeout(resolve, timeoutMs))),
      ]);
    } finally {
      clearTimeout(timeout);
    }
  }
}

/** The minute (`2026-12-05T10:03`), license or app, reason and reference of a refused attempt. */
const refusalKey = (e: PullEventInput) => [e.at.slice(0, 16), e.licenseId ?? `app:${e.appSlug}`, e.reason, e.action, e.image, e.reference ?? ""].join("\u0000");

export class PullLog extends BatchQueue<PullEventInput> {
  private readonly spool: SpoolDirectory | undefined;
  private readonly loaded: Promise<void>;
  private claimTimer: NodeJS.Timeout | undefined;
  /** Claims, releases and the final write, one at a time. */
  private spoolWork: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(
    sink: PullLogSink,
    private readonly spoolOpts: PullLogOptions & PullLogSpoolOptions = {},
  ) {
    super((events, batchId) => sink.sendPullEvents(events, batchId), spoolOpts);
    this.spool = spoolOpts.spoolFile ? new SpoolDirectory(spoolOpts.spoolFile, { leaseMs: spoolOpts.claimLeaseMs, now: spoolOpts.now }) : undefined;
    this.loaded = this.claimOrphans();
  }

  /**
   * Refused attempts still in the buffer, by license (or app), reason, reference and minute: a
   * storm of them becomes one event with a count, so it can't push the real pulls out of the
   * buffer (the portal folds them further, lib/internal/pull-events.ts).
   */
  private readonly refusals = new Map<string, PullEventInput>();

  override record(event: PullEventInput): void {
    if (event.result !== "refused") return super.record(event);
    const key = refusalKey(event);
    const pending = this.refusals.get(key);
    if (pending) {
      pending.count = (pending.count ?? 1) + (event.count ?? 1);
      return;
    }
    this.refusals.set(key, event);
    super.record(event);
  }

  protected override left(events: PullEventInput[]): void {
    if (this.refusals.size === 0) return;
    for (const e of events) if (e.result === "refused" && this.refusals.get(refusalKey(e)) === e) this.refusals.delete(refusalKey(e));
  }

  override start(): void {
    super.start();
    if (!this.spool || this.claimTimer) return;
    this.claimTimer = setInterval(() => void this.claimOrphans(), this.spoolOpts.claimIntervalMs ?? 5_000);
    this.claimTimer.unref();
  }

  /** Resolves once the events earlier processes spooled are back in the buffer. */
  ready(): Promise<void> {
    return this.loaded;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.spoolWork.then(work, work);
    this.spoolWork = run.catch(() => {});
    return run;
  }

  /** Takes the files of proxies that are gone into the buffer, as far as it has room, and sends them. */
  private claimOrphans(): Promise<void> {
    const spool = this.spool;
    if (!spool) return Promise.resolve();
    return this.exclusive(async () => {
      if (this.stopping) return;
      let batches: Array<{ id?: string; events: PullEventInput[] }>;
      try {
        await spool.renew();
        const raw = await spool.claim(this.maxBuffered - this.pending, this.pending === 0, (e) => this.spoolOpts.onSpoolError?.(e));
        batches = raw.map(({ id, events }) => ({ ...(id && { id }), events: events.flatMap((e) => tryRead(e, readPullEvent) ?? []) }));
      } catch (e) {
        this.spoolOpts.onSpoolError?.(e);
        return;
      }
      const restored = eventsIn(batches);
      if (restored === 0) return;
      this.restore(batches);
      this.spoolOpts.onRestored?.(restored);
      void this.flush(true);
    });
  }

  override async flush(force = false): Promise<void> {
    await super.flush(force);
    const spool = this.spool;
    if (!spool || spool.holding === 0 || this.pending > 0) return;
    // Everything claimed is delivered (checked again in turn: a claim may have come in meanwhile).
    await this.exclusive(async () => {
      if (this.pending === 0) await spool.release().catch((e: unknown) => this.spoolOpts.onSpoolError?.(e));
    });
  }

  /** The last attempt to deliver (bounded by `timeoutMs`), then what is left goes to this process's spool file. */
  override async close(timeoutMs = 3_000): Promise<void> {
    await this.loaded;
    if (this.claimTimer) clearInterval(this.claimTimer);
    this.claimTimer = undefined;
    await this.exclusive(async () => {
      this.stopping = true;
    });
    await super.close(timeoutMs);
    const spool = this.spool;
    if (!spool) return;
    await this.exclusive(async () => {
      // Copies: should the send still on its way fail after all, its batch goes back to the queue whole.
      const left = this.sealUnsent().map((b) => ({ id: b.id, events: [...b.events] }));
      dropOldest(left, eventsIn(left) - this.maxBuffered);
      const count = eventsIn(left);
      if (count === 0 && spool.holding === 0) return;
      try {
        await spool.write(left);
        if (count > 0) this.spoolOpts.onSpooled?.(count);
      } catch (e) {
        this.spoolOpts.onSpoolError?.(e);
      }
    });
    spool.close();
  }
}
