import type { ChangeEvent } from "@/lib/internal/contract";
import { CHANGE_HEARTBEAT_MS, CHANGE_STREAM_EVENTS } from "@/lib/internal/wire";
import { tryRead } from "@/lib/validations/json-checks";
import { readChangeEvent } from "./portal-answers";
import type { LicenseCache } from "./license-cache";
import type { ProxyMetrics } from "./metrics";
import type { PortalClient } from "./portal-client";

/**
 * The portal's change stream, kept open (docs/architecture.md, "Pushed changes"): each change
 * (a license revoked, a registry's credentials rotated, …) reaches `onChange` as soon as the
 * portal commits it, and the proxy drops the cached lookup answers it concerns. Every (re)connect
 * calls `dropAll` first (changes may have been missed meanwhile: the proxy drops its whole lookup
 * cache). While the stream is down, the license cache's TTL bounds how long a change goes unseen.
 *
 * A stream that fails to open, ends, or sends nothing (not even the heartbeat) for
 * `idleMs` is opened again after a jittered, doubling delay (`retryDelay`).
 */
export interface ChangeFeedOptions {
  /** Opens the stream (PortalClient.openChangeStream); rejects when the portal doesn't answer 200. */
  open(signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  /** On every (re)connect, and for a change this proxy doesn't understand: drop every cached answer. */
  dropAll(): void;
  onChange(change: ChangeEvent): void;
  onState?(connected: boolean): void;
  /** Reconnection delays: doubling from `minMs` up to `maxMs`, jittered. Default 500 ms to 30 s. */
  retry?: { minMs: number; maxMs: number };
  /** Silence after which the stream is taken for dead. Default three heartbeats. */
  idleMs?: number;
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Server-Sent Events from text chunks (the WHATWG event stream format: `event:`, `data:`, comments, blank-line dispatch). */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + (this.buffer.startsWith("\r\n", nl) ? 2 : 1));
      if (line === "") {
        if (this.data.length > 0) out.push({ event: this.event || "message", data: this.data.join("\n") });
        this.event = "";
        this.data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") this.event = value;
      else if (field === "data") this.data.push(value);
    }
    return out;
  }
}

/** The wait before reconnection attempt `failures` (0 = the first after a loss): between half and all of min·2^failures, capped at max. */
export function retryDelay(failures: number, retry: { minMs: number; maxMs: number }, random = Math.random): number {
  const ceiling = Math.min(retry.maxMs, retry.minMs * 2 ** Math.min(failures, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

const DEFAULT_RETRY = { minMs: 500, maxMs: 30_000 };

export class ChangeFeed {
  private abort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private failures = 0;
  connected = false;

  constructor(private readonly opts: ChangeFeedOptions) {}

  start(): void {
    if (this.running || this.closed) return;
    this.running = this.loop();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.wake?.();
    this.abort?.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      await this.once().catch(() => {});
      this.setConnected(false);
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, retryDelay(this.failures++, this.opts.retry ?? DEFAULT_RETRY));
        this.timer.unref();
      });
      this.wake = undefined;
    }
  }

  /** One stream, from opening to its end. */
  private async once(): Promise<void> {
    const abort = (this.abort = new AbortController());
    const idleMs = this.opts.idleMs ?? 3 * CHANGE_HEARTBEAT_MS;
    let idle: NodeJS.Timeout | undefined;
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(new Error("the change stream went silent")), idleMs);
      idle.unref();
    };
    try {
      const body = await this.opts.open(abort.signal);
      alive();
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = body.getReader();
      abort.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}));
      for (;;) {
        const { done, value } = await reader.read();
        if (done || abort.signal.aborted) return;
        alive();
        for (const e of parser.push(decoder.decode(value, { stream: true }))) this.dispatch(e);
      }
    } finally {
      clearTimeout(idle);
      abort.abort();
    }
  }

  private dispatch(e: SseEvent): void {
    if (e.event === CHANGE_STREAM_EVENTS.ready) {
      this.failures = 0;
      this.opts.dropAll();
      this.setConnected(true);
      return;
    }
    if (e.event !== CHANGE_STREAM_EVENTS.change || !this.connected) return;
    let parsed: ChangeEvent | undefined;
    try {
      parsed = tryRead(JSON.parse(e.data), readChangeEvent);
    } catch {
      parsed = undefined;
    }
    // Something this proxy doesn't understand may concern any answer: drop them all.
    if (!parsed) this.opts.dropAll();
    else this.opts.onChange(parsed);
  }

  /** The line /readyz adds (never a readiness failure: the TTL still bounds what is served). */
  get readinessLine(): string {
    return `change stream: ${this.connected ? "connected" : "not connected"}\n`;
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.opts.onState?.(connected);
  }
}

/** The proxy's feed: the portal's stream, the lookup cache's drops, and their metrics. */
export function lookupCacheFeed(deps: {
  portal: Pick<PortalClient, "openChangeStream">;
  licenses: Pick<LicenseCache, "clear" | "invalidate">;
  metrics: ProxyMetrics;
  retry?: { minMs: number; maxMs: number };
}): ChangeFeed {
  const { portal, licenses, metrics } = deps;
  metrics.changeFeedConnected.set(0);
  return new ChangeFeed({
    open: (signal) => portal.openChangeStream(signal),
    dropAll: () => licenses.clear(),
    onChange: (change) => {
      metrics.changeFeedEvents.inc({ kind: change.kind });
      licenses.invalidate(change);
    },
    onState: (connected) => {
      metrics.changeFeedConnected.set(connected ? 1 : 0);
      if (connected) metrics.changeFeedConnects.inc();
    },
    ...(deps.retry && { retry: deps.retry }),
  });
}
