import http from "node:http";
import { cpuSeconds, cpuTimes, percentile } from "./measure";

export interface HeadResult {
  /** Latency with one keep-alive client, ms. */
  p50: number;
  p99: number;
  /** Requests per second with `concurrency` clients. */
  rps: number;
  /** Server CPU per request over all of it (warm-up included), µs; when a pid was given. */
  cpuUs?: number;
}

/**
 * HEAD manifest latency with one keep-alive client, then throughput with `concurrency` clients;
 * with `pid`, the CPU time that server process spent per request (load on the machine barely
 * moves it, unlike the times).
 */
export async function manifestHeads(baseUrl: string, pathName: string, authorization: string, opts: { pid?: number; seconds?: number; concurrency?: number } = {}): Promise<HeadResult> {
  const { seconds = 4, concurrency = 16, pid } = opts;
  const cpuBefore = pid ? cpuSeconds(pid) : 0;
  let requests = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const timed = headRequest(baseUrl, pathName, authorization, agent);
  const head = () => timed().finally(() => requests++);
  for (let i = 0; i < 200; i++) await head(); // warm: connections, caches, JIT
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) latencies.push(await head());
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await head();
        done++;
      }
    }),
  );
  const rps = done / ((performance.now() - started) / 1000);
  agent.destroy();
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    rps,
    ...(pid && { cpuUs: ((cpuSeconds(pid) - cpuBefore) / requests) * 1e6 }),
  };
}


/** One keep-alive HEAD of `pathName` with `authorization`: resolves with its latency in ms, rejects unless 200. */
function headRequest(baseUrl: string, pathName: string, authorization: string, agent: http.Agent): () => Promise<number> {
  const u = new URL(baseUrl);
  return () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        { host: u.hostname, port: u.port, path: pathName, method: "HEAD", agent, headers: { authorization, accept: "application/vnd.oci.image.manifest.v1+json" } },
        (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HEAD ${res.statusCode}`))));
        },
      );
      req.on("error", reject);
      req.end();
    });
}

/**
 * The server's CPU per manifest HEAD over `count` requests from `concurrency` keep-alive clients
 * (after `warm` of them), µs: user + system time from /proc, which the machine's load barely
 * moves — unlike latency — so two servers compare within one run.
 */
export async function cpuPerHead(
  baseUrl: string,
  pathName: string,
  authorization: string,
  pid: number,
  opts: { count?: number; warm?: number; concurrency?: number } = {},
): Promise<{ total: number; user: number; system: number }> {
  const { count = 5000, warm = 2000, concurrency = 4 } = opts;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const head = headRequest(baseUrl, pathName, authorization, agent);
  const run = async (n: number) => {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next++ < n) await head();
    }));
  };
  await run(warm);
  const before = cpuTimes(pid);
  await run(count);
  const after = cpuTimes(pid);
  agent.destroy();
  const user = ((after.user - before.user) / count) * 1e6;
  const system = ((after.system - before.system) / count) * 1e6;
  return { total: user + system, user, system };
}
