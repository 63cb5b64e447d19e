import type { PullEventInput } from "@/lib/internal/contract";
import { MAX_PULL_EVENTS_PER_BATCH } from "@/lib/internal/contract";

/**
 * The pull log's way to the portal: events are buffered in memory and sent in batches (every
 * `flushIntervalMs`, or as soon as a batch is full). When the portal is away, batches go back to
 * the front of the buffer and are retried with exponential backoff (1 s … 30 s); the buffer
 * holds at most `maxBuffered` events, and only beyond that are the oldest dropped (counted in
 * metrics). So a portal outage loses nothing until `maxBuffered` events have piled up — at the
 * default 10,000, hours of steady pulling for a typical installation — and a process exit loses
 * what is buffered beyond the final flush's `closeTimeoutMs`. Each event has an id: a batch
 * retried after a lost answer is stored once.
 */
export interface PullLogSink {
  sendPullEvents(events: PullEventInput[]): Promise<unknown>;
}

export interface PullLogOptions {
  flushIntervalMs?: number;
  batchSize?: number;
  maxBuffered?: number;
  maxBackoffMs?: number;
  onSent?: (n: number) => void;
  onDropped?: (n: number) => void;
  onError?: (e: unknown) => void;
  now?: () => number;
}

export const DEFAULT_PULL_LOG_BUFFER = 10_000;

/** The batching, retry and bounded buffer of the pull log, for any kind of event (the cache's too: cache/reporter.ts). */
export class BatchQueue<T> {
  private buffer: T[] = [];
  private inFlight = 0;
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
    private readonly send: (batch: T[]) => Promise<unknown>,
    private readonly opts: PullLogOptions = {},
  ) {
    this.flushIntervalMs = opts.flushIntervalMs ?? 1_000;
    this.batchSize = Math.min(opts.batchSize ?? 500, MAX_PULL_EVENTS_PER_BATCH);
    this.maxBuffered = opts.maxBuffered ?? DEFAULT_PULL_LOG_BUFFER;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Events not yet delivered: buffered, plus the batch on its way (not yet acknowledged). */
  get pending(): number {
    return this.buffer.length + this.inFlight;
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
    if (this.buffer.length === 0 || (!force && this.now() < this.retryAt)) return Promise.resolve();
    this.sending = this.drain().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.batchSize);
      this.inFlight = batch.length;
      try {
        await this.send(batch);
      } catch (e) {
        this.inFlight = 0;
        this.buffer.unshift(...batch);
        this.trim();
        this.failures++;
        this.retryAt = this.now() + Math.min(this.maxBackoffMs, 1000 * 2 ** (this.failures - 1));
        this.opts.onError?.(e);
        return;
      }
      this.inFlight = 0;
      this.failures = 0;
      this.retryAt = 0;
      this.sent += batch.length;
      this.opts.onSent?.(batch.length);
    }
  }

  private trim(): void {
    const over = this.buffer.length - this.maxBuffered;
    if (over > 0) {
      this.buffer.splice(0, over);
      this.dropped += over;
      this.opts.onDropped?.(over);
    }
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

export class PullLog extends BatchQueue<PullEventInput> {
  constructor(sink: PullLogSink, opts: PullLogOptions = {}) {
    super((batch) => sink.sendPullEvents(batch), opts);
  }
}
