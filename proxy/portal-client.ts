import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import type { CacheEventInput, CacheTagRequest, CacheTagResponse, CacheTrafficInput, LookupRequest, LookupResponse, PullEventBatchResponse, PullEventInput } from "@/lib/internal/contract";
import { INTERNAL_API } from "@/lib/internal/wire";
import { tryRead } from "@/lib/validations/json-checks";
import { readCacheEventsAnswer, readCacheTagAnswer, readLookupAnswer, readPullEventsAnswer } from "./portal-answers";

/**
 * The proxy's side of the portal's internal API (lib/internal/contract.ts), over HTTP with
 * PROXY_SERVICE_TOKEN. The proxy has no database: licenses, registries and their credentials come
 * only from here. Request and answer bodies are never logged (license IDs, credentials).
 */

export class PortalUnavailableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "PortalUnavailableError";
  }
}

export interface LookupAnswer {
  status: 200 | 401 | 403;
  body: LookupResponse;
}

/** A portal answer: its status, and its body read once (or let go). */
interface PortalResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  json(): Promise<unknown>;
  cancel(): Promise<void>;
}

/** A portal answer larger than this is not an answer of the internal API. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

class PortalTimeoutError extends Error {
  override readonly name = "TimeoutError";
}

function readJson(res: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) return void res.destroy(new Error("answer too large"));
      chunks.push(chunk);
    });
    res.once("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks, size).toString("utf8")));
      } catch (e) {
        reject(e as Error);
      }
    });
    res.once("error", reject);
  });
}

/**
 * Calls over node:http(s) with keep-alive connections (not `fetch`: its undici runtime costs the
 * proxy megabytes of memory and a web-streams layer per call). Redirects are not followed.
 */
export class PortalClient {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(
    baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 5_000,
  ) {
    this.base = new URL(baseUrl);
    const options = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 60_000 };
    this.agent = this.base.protocol === "https:" ? new https.Agent(options) : new http.Agent(options);
  }

  /** Sends a request; resolves with the response once its headers arrived within the timeout. */
  private send(path: string, init: { method: "GET" | "POST"; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; agent?: http.Agent | false }): Promise<http.IncomingMessage> {
    const url = new URL(path, this.base);
    const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      ...(payload !== undefined && { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }),
      ...init.headers,
    };
    const request = url.protocol === "https:" ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(url, { method: init.method, headers, agent: init.agent ?? this.agent, ...(init.signal && { signal: init.signal }) }, (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      const timer = setTimeout(() => req.destroy(new PortalTimeoutError()), this.timeoutMs);
      req.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(payload);
    });
  }

  private async call(path: string, init: { method: "GET" | "POST"; body?: unknown; fresh?: boolean }): Promise<PortalResponse> {
    let res: http.IncomingMessage;
    try {
      res = await this.send(path, { ...init, ...(init.fresh && { headers: { "cache-control": "no-cache" } }) });
    } catch (e) {
      throw new PortalUnavailableError(`The portal's internal API is unreachable (${this.why(e)}).`);
    }
    return {
      status: res.statusCode ?? 0,
      headers: res.headers,
      json: () => readJson(res),
      cancel: async () => void res.resume(),
    };
  }

  private why(e: unknown): string {
    const err = e as Error & { code?: string };
    return err instanceof PortalTimeoutError ? `no answer within ${this.timeoutMs} ms` : (err.code ?? err.name);
  }

  /**
   * 200/401/403 with a lookup answer are answers; anything else (5xx, a refused service token —
   * a 401 with an `error` body —, garbage) is an outage, and the proxy fails closed. `fresh`
   * asks past the portal's answer cache (`Cache-Control: no-cache`).
   */
  async lookup(req: LookupRequest, opts: { fresh?: boolean } = {}): Promise<LookupAnswer> {
    const res = await this.call(INTERNAL_API.lookup, { method: "POST", body: req, fresh: opts.fresh });
    if (res.status !== 200 && res.status !== 401 && res.status !== 403) {
      await res.cancel();
      throw new PortalUnavailableError(`The portal's internal API answered HTTP ${res.status}.`, res.status);
    }
    const body = tryRead(await res.json().catch(() => null), readLookupAnswer);
    if (!body) throw new PortalUnavailableError("The portal's internal API answered something that is not a lookup answer.", res.status);
    return { status: res.status as 200 | 401 | 403, body };
  }

  /** A batch of the pull log under its id (the same on every retry: the portal stores it once). */
  async sendPullEvents(events: PullEventInput[], batchId: string): Promise<PullEventBatchResponse> {
    const res = await this.call(INTERNAL_API.pullEvents, { method: "POST", body: { batchId, events } });
    if (res.status !== 200) {
      await res.cancel();
      throw new PortalUnavailableError(`The portal refused the pull log batch (HTTP ${res.status}).`, res.status);
    }
    const parsed = tryRead(await res.json().catch(() => null), readPullEventsAnswer);
    if (!parsed) throw new PortalUnavailableError("The portal answered the pull log batch with something unexpected.");
    return parsed;
  }

  /** A batch of cache events and traffic; the answer names copies the portal evicted. */
  async sendCacheEvents(events: CacheEventInput[], traffic: CacheTrafficInput[]) {
    const res = await this.call(INTERNAL_API.cacheEvents, { method: "POST", body: { events, traffic } });
    if (res.status !== 200) {
      await res.cancel();
      throw new PortalUnavailableError(`The portal refused the cache events (HTTP ${res.status}).`, res.status);
    }
    const parsed = tryRead(await res.json().catch(() => null), readCacheEventsAnswer);
    if (!parsed) throw new PortalUnavailableError("The portal answered the cache events with something unexpected.");
    return parsed;
  }

  /** The last digest any proxy confirmed for a tag, or null when none has. */
  async lastSeenTag(req: CacheTagRequest): Promise<CacheTagResponse | null> {
    const res = await this.call(INTERNAL_API.cacheTag, { method: "POST", body: req });
    if (res.status === 404) {
      await res.cancel();
      return null;
    }
    if (res.status !== 200) {
      await res.cancel();
      throw new PortalUnavailableError(`The portal answered HTTP ${res.status} for a tag's last digest.`, res.status);
    }
    const parsed = tryRead(await res.json().catch(() => null), readCacheTagAnswer);
    if (!parsed) throw new PortalUnavailableError("The portal answered a tag's last digest with something unexpected.");
    return parsed;
  }

  /**
   * Opens the change stream (Server-Sent Events, contract.ts CHANGE_STREAM_EVENTS): its body, once
   * the portal answered 200 within the timeout. It stays open until `signal` aborts or the portal
   * ends it.
   */
  async openChangeStream(signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    let res: http.IncomingMessage;
    try {
      // A connection of its own (it stays open), never one kept alive for the lookups.
      res = await this.send(INTERNAL_API.changes, { method: "GET", headers: { accept: "text/event-stream", "accept-encoding": "identity" }, signal, agent: false });
    } catch (e) {
      throw new PortalUnavailableError(`The portal's change stream is unreachable (${this.why(e)}).`);
    }
    if (res.statusCode !== 200 || !res.headers["content-type"]?.startsWith("text/event-stream")) {
      res.destroy();
      throw new PortalUnavailableError(`The portal answered HTTP ${res.statusCode} for the change stream.`, res.statusCode);
    }
    return Readable.toWeb(res) as ReadableStream<Uint8Array>;
  }

  async ping(): Promise<boolean> {
    try {
      const res = await this.call(INTERNAL_API.ping, { method: "GET" });
      await res.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  }
}
