/**
 * A WAN stand-in for benchmarks: a TCP relay on 127.0.0.1 in front of an upstream, with
 *
 * - a throughput limit (default 50 MiB/s) shared by every connection to the upstream, one token
 *   bucket per direction, as one WAN link;
 * - latency: each chunk is forwarded half the round trip (default 20 ms) after it arrives, in
 *   each direction, so a request and its answer cost one round trip. Data that keeps flowing is
 *   delayed once (the pipe is 10 ms long), not 10 ms per chunk: only the throughput limit paces it;
 * - connection set-up: a new connection's first bytes leave one round trip later (the TCP
 *   handshake a real link would cost; `handshakeRtts`, 0 to turn off; TLS would add one more);
 * - backpressure: at most `bufferBytes` per direction and connection wait in the relay, so a fast
 *   local upstream is paused instead of buffered whole.
 *
 * `stats()` counts the bytes that crossed the link each way: what an upstream would bill as egress.
 *
 * In a script: `const t = await startThrottle({ upstream: "127.0.0.1:5000" })`, then use
 * `t.host` instead of the upstream. From a shell:
 * `npx tsx bench/throttle.ts --upstream 127.0.0.1:5000 [--port 0] [--rate-mib 50] [--rtt-ms 20]`.
 * The token bucket's tests: `npx tsx --test bench/support/*.test.ts`.
 */
import net from "node:net";
import { TokenBucket } from "./support/token-bucket";

export interface ThrottleOptions {
  /** `host:port` of the upstream. */
  upstream: string;
  /** Default 50 MiB/s, each direction. */
  bytesPerSecond?: number;
  /** Default 20 ms. */
  rttMs?: number;
  /** Round trips before a new connection's first bytes go out. Default 1. */
  handshakeRtts?: number;
  /** Bytes waiting in the relay per direction and connection before the sender is paused. Default 4 MiB. */
  bufferBytes?: number;
  /** Default: a free port. */
  port?: number;
}

export interface ThrottleStats {
  /** Bytes from the upstream to clients. */
  down: number;
  /** Bytes from clients to the upstream. */
  up: number;
  connections: number;
}

export interface Throttle {
  /** `127.0.0.1:PORT`, to use instead of the upstream's host. */
  host: string;
  url: string;
  stats(): ThrottleStats;
  /** Sets the counters back to zero. */
  reset(): void;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

export async function startThrottle(opts: ThrottleOptions): Promise<Throttle> {
  const [upHost, upPort] = splitHostPort(opts.upstream);
  const rate = opts.bytesPerSecond ?? 50 * MiB;
  const half = (opts.rttMs ?? 20) / 2;
  const handshake = (opts.rttMs ?? 20) * (opts.handshakeRtts ?? 1);
  const buffer = opts.bufferBytes ?? 4 * MiB;
  // Saved-up capacity of an idle link: 5 ms worth, at least one socket read.
  const burst = Math.max(64 * 1024, rate / 200);
  const downLink = new TokenBucket(rate, burst);
  const upLink = new TokenBucket(rate, burst);
  const stats: ThrottleStats = { down: 0, up: 0, connections: 0 };
  const sockets = new Set<net.Socket>();

  // Half-open allowed: each direction ends when its sender's data has been delivered.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    stats.connections++;
    const openAt = performance.now() + handshake;
    const upstream = net.connect({ host: upHost, port: upPort, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.once("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // A connection reset on one side resets the other; a clean close reaches it through pump's end.
    client.once("close", (hadError) => hadError && upstream.destroy());
    upstream.once("close", (hadError) => hadError && client.destroy());
    pump(client, upstream, upLink, (n) => (stats.up += n), half, openAt, buffer);
    pump(upstream, client, downLink, (n) => (stats.down += n), half, 0, buffer);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ ...stats }),
    reset: () => void Object.assign(stats, { down: 0, up: 0, connections: 0 }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One direction of one connection: chunks leave `half` ms after the link has carried them, in order. */
function pump(src: net.Socket, dst: net.Socket, link: TokenBucket, count: (n: number) => void, half: number, openAt: number, buffer: number): void {
  const queue: Array<{ chunk: Buffer; at: number }> = [];
  let queued = 0;
  let lastAt = 0;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.at <= now) {
      const { chunk } = queue.shift()!;
      queued -= chunk.length;
      count(chunk.length);
      dst.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(flush, queue[0]!.at - now);
    else if (ended) dst.end();
    maybeResume();
  };
  const maybeResume = () => {
    if (src.isPaused() && queued < buffer && dst.writableLength < buffer) src.resume();
  };
  dst.on("drain", maybeResume);

  src.on("data", (chunk: Buffer) => {
    const now = performance.now();
    const wait = link.reserve(chunk.length);
    const at = Math.max(lastAt, Math.max(now, openAt) + wait + half);
    lastAt = at;
    queue.push({ chunk, at });
    queued += chunk.length;
    if (queued >= buffer || dst.writableLength >= buffer) src.pause();
    timer ??= setTimeout(flush, Math.max(0, queue[0]!.at - now));
  });
  src.once("end", () => {
    ended = true;
    if (queue.length === 0 && !timer) dst.end();
  });
}

function splitHostPort(hostPort: string): [string, number] {
  const i = hostPort.lastIndexOf(":");
  if (i < 0) throw new Error(`upstream must be host:port, got ${hostPort}`);
  return [hostPort.slice(0, i).replace(/^\[(.*)\]$/, "$1"), Number(hostPort.slice(i + 1))];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const upstream = arg("upstream");
  if (!upstream) {
    process.stderr.write("usage: npx tsx bench/throttle.ts --upstream HOST:PORT [--port 0] [--rate-mib 50] [--rtt-ms 20]\n");
    process.exit(2);
  }
  const t = await startThrottle({
    upstream,
    ...(arg("port") && { port: Number(arg("port")) }),
    ...(arg("rate-mib") && { bytesPerSecond: Number(arg("rate-mib")) * MiB }),
    ...(arg("rtt-ms") && { rttMs: Number(arg("rtt-ms")) }),
  });
  process.stdout.write(`throttle on ${t.host} → ${upstream}\n`);
  process.on("SIGINT", () => {
    const s = t.stats();
    process.stdout.write(`\n${s.connections} connections, ${s.down} bytes down, ${s.up} bytes up\n`);
    void t.close().then(() => process.exit(0));
  });
}
