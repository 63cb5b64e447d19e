import type { CacheEventInput, CacheTrafficInput } from "@/lib/internal/contract";
import { LruMap } from "@/lib/lru-map";
import type { PortalClient } from "@/proxy/portal-client";
import { BatchQueue } from "@/proxy/pull-log";

/**
 * What this proxy tells the portal about the cache (lib/internal/contract.ts, cache events): copies
 * stored, read (least-recently-used order; a long read repeats it) and found corrupt, tags the
 * upstream confirmed, and per-registry traffic. Events go in batches with the pull log's retry and
 * bounded buffer (pull-log.ts BatchQueue); traffic is summed here and sent every second, added back
 * when the portal can't take it. Reads of one copy are reported at most every `usedEveryMs`.
 */
export interface CacheReporterOptions {
  now: () => number;
  flushIntervalMs?: number;
  usedEveryMs?: number;
  /** How many copies' last reported use are remembered (default 50,000). */
  maxUsedRemembered?: number;
  onError?: (e: unknown) => void;
}

type Traffic = Omit<CacheTrafficInput, "registryId">;
const NO_TRAFFIC: Traffic = { hits: 0, misses: 0, stale: 0, cacheBytes: 0, upstreamBytes: 0 };
const MAX_USED_REMEMBERED = 50_000;

export class CacheReporter {
  private readonly events: BatchQueue<CacheEventInput>;
  private traffic = new Map<string, Traffic>();
  /** When each copy's use was last reported; the least recently used forgotten first. */
  private readonly usedAt: LruMap<string, number>;
  private timer: NodeJS.Timeout | undefined;
  private sendingTraffic: Promise<void> | undefined;
  private readonly usedEveryMs: number;

  constructor(
    private readonly portal: Pick<PortalClient, "sendCacheEvents">,
    private readonly opts: CacheReporterOptions,
  ) {
    this.usedEveryMs = opts.usedEveryMs ?? 10_000;
    this.usedAt = new LruMap(opts.maxUsedRemembered ?? MAX_USED_REMEMBERED);
    this.events = new BatchQueue((batch) => portal.sendCacheEvents(batch, []), {
      now: opts.now,
      ...(opts.flushIntervalMs !== undefined && { flushIntervalMs: opts.flushIntervalMs }),
      ...(opts.onError && { onError: opts.onError }),
    });
  }

  start(): void {
    this.events.start();
    this.timer ??= setInterval(() => void this.flushTraffic(), this.opts.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  private at(): string {
    return new Date(this.opts.now()).toISOString();
  }

  stored(registryId: string, repository: string, digest: string, size: number): void {
    this.events.record({ kind: "stored", registryId, repository, digest, size, at: this.at() });
  }

  /** A read of a copy from the store; `force` for a long read's periodic reminder. */
  used(registryId: string, repository: string, digest: string, force = false): void {
    const key = `${registryId}|${repository}|${digest}`;
    const now = this.opts.now();
    const last = this.usedAt.get(key);
    if (!force && last !== undefined && now - last < this.usedEveryMs) return;
    this.usedAt.set(key, now);
    this.events.record({ kind: "used", registryId, repository, digest, at: this.at() });
  }

  corrupt(registryId: string, repository: string, digest: string): void {
    this.events.record({ kind: "corrupt", registryId, repository, digest, at: this.at() });
  }

  tag(registryId: string, repository: string, tag: string, digest: string, mediaType: string, confirmedAt: number): void {
    this.events.record({ kind: "tag", registryId, repository, tag, digest, mediaType, at: new Date(confirmedAt).toISOString() });
  }

  count(registryId: string, add: Partial<Traffic>): void {
    const t = this.traffic.get(registryId) ?? { ...NO_TRAFFIC };
    for (const k of Object.keys(NO_TRAFFIC) as (keyof Traffic)[]) t[k] += add[k] ?? 0;
    this.traffic.set(registryId, t);
  }

  get pending(): number {
    return this.events.pending + this.traffic.size;
  }

  flushTraffic(): Promise<void> {
    if (this.sendingTraffic || this.traffic.size === 0) return this.sendingTraffic ?? Promise.resolve();
    const batch = this.traffic;
    this.traffic = new Map();
    const traffic = [...batch].map(([registryId, t]) => ({ registryId, ...t }));
    this.sendingTraffic = this.portal
      .sendCacheEvents([], traffic)
      .then(
        () => undefined,
        (e) => {
          for (const [registryId, t] of batch) this.count(registryId, t);
          this.opts.onError?.(e);
        },
      )
      .finally(() => (this.sendingTraffic = undefined));
    return this.sendingTraffic;
  }

  async flush(): Promise<void> {
    await Promise.all([this.events.flush(true), this.flushTraffic()]);
  }

  async close(timeoutMs = 3_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.events.close(timeoutMs), this.flushTraffic()]);
  }
}
