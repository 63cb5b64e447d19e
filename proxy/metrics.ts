/**
 * Prometheus metrics of the proxy, in the text exposition format (version 0.0.4), without a
 * client library: counters, gauges and histograms with labels, in memory. Label values come from
 * small closed sets (routes, methods, status codes, results), never from paths or credentials.
 */

type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const keys = Object.keys(labels);
  return keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(",")}}` : "";
};
/**
 * The series key of a label set, the same whatever the order of its names. On every request's
 * path (several times), so no JSON, no array and no sorting but once per order of names and
 * values met (`canonical`: label values come from closed sets, so it stays small); each name and
 * value ended by a control character no label name or value contains.
 */
const keyOf = (labels: Labels): string => {
  let written = "";
  for (const name in labels) written += `${name}\u0000${labels[name]}\u0001`;
  let key = canonical.get(written);
  if (key === undefined) {
    key = "";
    for (const name of Object.keys(labels).sort()) key += `${name}\u0000${labels[name]}\u0001`;
    if (canonical.size >= 10_000) canonical.clear();
    canonical.set(written, key);
  }
  return key;
};
const canonical = new Map<string, string>();
/** The label set of a metric without labels (one object, not one per call). */
const NO_LABELS: Labels = Object.freeze({});

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge" | "histogram",
  ) {}
  abstract lines(): string[];
}

export class Counter extends Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(name: string, help: string) {
    super(name, help, "counter");
  }
  inc(labels: Labels = NO_LABELS, by = 1): void {
    const k = keyOf(labels);
    const entry = this.values.get(k);
    if (entry) entry.value += by;
    else this.values.set(k, { labels, value: by });
  }
  get(labels: Labels = NO_LABELS): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }
  /** Sum over every label set matching `filter`. */
  sum(filter: Labels = {}): number {
    let n = 0;
    for (const { labels, value } of this.values.values()) if (Object.entries(filter).every(([k, v]) => labels[k] === v)) n += value;
    return n;
  }
  lines(): string[] {
    return [...this.values.values()].map(({ labels, value }) => `${this.name}${labelText(labels)} ${value}`);
  }
}

class Gauge extends Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    name: string,
    help: string,
    private collect?: () => number,
  ) {
    super(name, help, "gauge");
  }
  /** Read the value from `collect` at every render instead of keeping one. */
  collectWith(collect: () => number): void {
    this.collect = collect;
  }
  set(value: number, labels: Labels = NO_LABELS): void {
    this.values.set(keyOf(labels), { labels, value });
  }
  add(by: number, labels: Labels = NO_LABELS): void {
    const k = keyOf(labels);
    const entry = this.values.get(k);
    if (entry) entry.value += by;
    else this.values.set(k, { labels, value: by });
  }
  get(labels: Labels = NO_LABELS): number {
    return this.collect ? this.collect() : (this.values.get(keyOf(labels))?.value ?? 0);
  }
  lines(): string[] {
    if (this.collect) return [`${this.name} ${this.collect()}`];
    return [...this.values.values()].map(({ labels, value }) => `${this.name}${labelText(labels)} ${value}`);
  }
}

class Histogram extends Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    name: string,
    help: string,
    readonly buckets: number[],
  ) {
    super(name, help, "histogram");
  }
  observe(value: number, labels: Labels = NO_LABELS): void {
    const k = keyOf(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  count(labels: Labels = NO_LABELS): number {
    return this.series.get(keyOf(labels))?.count ?? 0;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${labelText({ ...labels, le: String(b) })} ${counts[i]}`));
      out.push(`${this.name}_bucket${labelText({ ...labels, le: "+Inf" })} ${count}`);
      out.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      out.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return out;
  }
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ProxyMetrics {
  readonly requests = new Counter("portcullis_proxy_requests_total", "HTTP requests by route, method and status code.");
  readonly bytes = new Counter("portcullis_proxy_bytes_streamed_total", "Response body bytes streamed to clients from upstreams, by route.");
  readonly incompleteTransfers = new Counter(
    "portcullis_proxy_incomplete_transfers_total",
    "Answers whose body ended early, by route and cause: upstream (the upstream's stream broke or failed its digest; counted as status 502 in portcullis_proxy_requests_total), store (the cache's store broke while it sent its copy; 502) or client (the client left first; status 499). Never counted as a 200.",
  );
  readonly upstreamLatency = new Histogram(
    "portcullis_proxy_upstream_latency_seconds",
    "Time from sending an upstream request (auth included) to its response headers, by route.",
    LATENCY_BUCKETS,
  );
  readonly upstreamErrors = new Counter("portcullis_proxy_upstream_errors_total", "Upstream requests that failed without an HTTP answer, by reason.");
  readonly verificationFailures = new Counter(
    "portcullis_proxy_digest_verification_failures_total",
    "Bodies named by digest (blobs, manifests by digest) whose client connection was cut because the upstream's bytes did not match the digest (reason mismatch) or ended early (reason truncated), by route.",
  );
  readonly licenseCache = new Counter("portcullis_proxy_license_cache_total", "License lookups by cache result: hit, negative_hit (a cached refusal), miss.");
  readonly portalLatency = new Histogram("portcullis_proxy_portal_lookup_seconds", "Duration of lookups on the portal's internal API.", LATENCY_BUCKETS);
  readonly refusalBlocks = new Counter("portcullis_proxy_refusal_blocks_total", "Requests answered 429 because their address had too many licenses refused, or too many lookups in flight (no portal lookup made).");
  readonly portalErrors = new Counter("portcullis_proxy_portal_errors_total", "Internal API calls that failed (portal down, timeout, bad answer), by call.");
  readonly inflight = new Gauge("portcullis_proxy_inflight_requests", "Requests being served.");
  readonly connectionsOpen = new Gauge("portcullis_proxy_open_connections", "Client sockets open now.");
  readonly connectionsRefused = new Counter(
    "portcullis_proxy_connections_refused_total",
    "Client sockets closed on arrival: max_connections (PROXY_MAX_CONNECTIONS reached) or per_address (one address held PROXY_MAX_CONNECTIONS_PER_ADDRESS).",
  );
  readonly pullEventsSent = new Counter("portcullis_proxy_pull_events_sent_total", "Pull-log events delivered to the portal.");
  readonly pullEventsDropped = new Counter("portcullis_proxy_pull_events_dropped_total", "Pull-log events dropped because the buffer was full during a portal outage.");
  readonly pullEventsBuffered: Gauge;
  readonly cacheRequests = new Counter(
    "portcullis_proxy_cache_requests_total",
    "Manifest and blob requests of cached registries by result: hit (from the store, or a fetch another request started), miss (fetched from the upstream), stale (a tag served while the upstream failed), bypass (relayed uncached: store unavailable, a range of an uncached blob, a copy found corrupt).",
  );
  readonly cacheBytes = new Counter("portcullis_proxy_cache_bytes_total", "Bytes of cached registries by source: cache (sent to clients from the store: upstream egress saved) and upstream (fetched from the upstream).");
  readonly cacheErrors = new Counter("portcullis_proxy_cache_errors_total", "Cache store operations that failed, by operation (read, write) and copies that failed their digest (corrupt).");
  readonly cacheStoreReads = new Counter(
    "portcullis_proxy_cache_store_reads_total",
    "Stored blobs opened for clients, by where they were read: disk (PROXY_CACHE_STORE_DIR) or api (the store's HTTP API). With PROXY_CACHE_STORE_DIR set, whole blobs read through the api mean the directory does not hold them.",
  );
  readonly changeFeedConnected = new Gauge(
    "portcullis_proxy_change_feed_connected",
    "1 while the portal's change stream is open (changes drop cached lookup answers at once), 0 while it is not (the license cache TTL bounds them).",
  );
  readonly changeFeedConnects = new Counter("portcullis_proxy_change_feed_connects_total", "Times the change stream was opened (each drops the whole lookup cache).");
  readonly changeFeedEvents = new Counter("portcullis_proxy_change_feed_events_total", "Changes received on the change stream, by kind (license, customer, app, registry, team).");
  readonly rss = new Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", () => process.memoryUsage.rss());
  readonly heap = new Gauge("nodejs_heap_used_bytes", "V8 heap in use, bytes.", () => process.memoryUsage().heapUsed);
  readonly external = new Gauge("nodejs_array_buffers_bytes", "Memory of ArrayBuffers and Buffers (stream chunks in flight or awaiting GC), bytes.", () => process.memoryUsage().arrayBuffers);

  constructor(bufferedEvents: () => number = () => 0) {
    this.pullEventsBuffered = new Gauge("portcullis_proxy_pull_events_buffered", "Pull-log events not yet delivered to the portal (buffered, or in a batch awaiting its answer).", bufferedEvents);
  }

  private all(): Metric[] {
    return [
      this.requests,
      this.bytes,
      this.incompleteTransfers,
      this.upstreamLatency,
      this.upstreamErrors,
      this.verificationFailures,
      this.licenseCache,
      this.portalLatency,
      this.portalErrors,
      this.refusalBlocks,
      this.inflight,
      this.connectionsOpen,
      this.connectionsRefused,
      this.pullEventsSent,
      this.pullEventsDropped,
      this.pullEventsBuffered,
      this.cacheRequests,
      this.cacheBytes,
      this.cacheErrors,
      this.cacheStoreReads,
      this.rss,
      this.heap,
      this.external,
    ];
  }

  render(): string {
    const out: string[] = [];
    for (const m of this.all()) {
      out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.lines());
    }
    return out.join("\n") + "\n";
  }
}
