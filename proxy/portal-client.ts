import {
  INTERNAL_API,
  cacheEventBatchResponseSchema,
  cacheTagResponseSchema,
  lookupResponseSchema,
  pullEventBatchResponseSchema,
  type CacheEventInput,
  type CacheTagRequest,
  type CacheTagResponse,
  type CacheTrafficInput,
  type LookupRequest,
  type LookupResponse,
  type PullEventInput,
} from "@/lib/internal/contract";

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

export class PortalClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 5_000,
  ) {}

  private async call(path: string, init: { method: "GET" | "POST"; body?: unknown; fresh?: boolean }): Promise<Response> {
    try {
      return await fetch(new URL(path, this.baseUrl), {
        method: init.method,
        headers: { authorization: `Bearer ${this.token}`, ...(init.body !== undefined && { "content-type": "application/json" }), ...(init.fresh && { "cache-control": "no-cache" }) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "error",
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const why = err.name === "TimeoutError" ? `no answer within ${this.timeoutMs} ms` : (err.cause?.code ?? err.name);
      throw new PortalUnavailableError(`The portal's internal API is unreachable (${why}).`);
    }
  }

  /**
   * 200/401/403 with a lookup answer are answers; anything else (5xx, a refused service token —
   * a 401 with an `error` body —, garbage) is an outage, and the proxy fails closed. `fresh`
   * asks past the portal's answer cache (`Cache-Control: no-cache`).
   */
  async lookup(req: LookupRequest, opts: { fresh?: boolean } = {}): Promise<LookupAnswer> {
    const res = await this.call(INTERNAL_API.lookup, { method: "POST", body: req, fresh: opts.fresh });
    if (res.status !== 200 && res.status !== 401 && res.status !== 403) {
      await res.body?.cancel();
      throw new PortalUnavailableError(`The portal's internal API answered HTTP ${res.status}.`, res.status);
    }
    let parsed;
    try {
      parsed = lookupResponseSchema.safeParse(await res.json());
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) throw new PortalUnavailableError("The portal's internal API answered something that is not a lookup answer.", res.status);
    return { status: res.status as 200 | 401 | 403, body: parsed.data };
  }

  async sendPullEvents(events: PullEventInput[]): Promise<{ accepted: number; unknownLicense: number }> {
    const res = await this.call(INTERNAL_API.pullEvents, { method: "POST", body: { events } });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new PortalUnavailableError(`The portal refused the pull log batch (HTTP ${res.status}).`, res.status);
    }
    const parsed = pullEventBatchResponseSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new PortalUnavailableError("The portal answered the pull log batch with something unexpected.");
    return parsed.data;
  }

  /** A batch of cache events and traffic; the answer names copies the portal evicted. */
  async sendCacheEvents(events: CacheEventInput[], traffic: CacheTrafficInput[]) {
    const res = await this.call(INTERNAL_API.cacheEvents, { method: "POST", body: { events, traffic } });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new PortalUnavailableError(`The portal refused the cache events (HTTP ${res.status}).`, res.status);
    }
    const parsed = cacheEventBatchResponseSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new PortalUnavailableError("The portal answered the cache events with something unexpected.");
    return parsed.data;
  }

  /** The last digest any proxy confirmed for a tag, or null when none has. */
  async lastSeenTag(req: CacheTagRequest): Promise<CacheTagResponse | null> {
    const res = await this.call(INTERNAL_API.cacheTag, { method: "POST", body: req });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new PortalUnavailableError(`The portal answered HTTP ${res.status} for a tag's last digest.`, res.status);
    }
    const parsed = cacheTagResponseSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new PortalUnavailableError("The portal answered a tag's last digest with something unexpected.");
    return parsed.data;
  }

  /**
   * Opens the change stream (Server-Sent Events, contract.ts CHANGE_STREAM_EVENTS): its body, once
   * the portal answered 200 within the timeout. It stays open until `signal` aborts or the portal
   * ends it.
   */
  async openChangeStream(signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const headersTimeout = AbortSignal.timeout(this.timeoutMs);
    const answered = new AbortController();
    const onTimeout = () => answered.abort(headersTimeout.reason);
    headersTimeout.addEventListener("abort", onTimeout);
    let res: Response;
    try {
      res = await fetch(new URL(INTERNAL_API.changes, this.baseUrl), {
        headers: { authorization: `Bearer ${this.token}`, accept: "text/event-stream", "accept-encoding": "identity" },
        signal: AbortSignal.any([signal, answered.signal]),
        redirect: "error",
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const why = headersTimeout.aborted ? `no answer within ${this.timeoutMs} ms` : (err.cause?.code ?? err.name);
      throw new PortalUnavailableError(`The portal's change stream is unreachable (${why}).`);
    } finally {
      headersTimeout.removeEventListener("abort", onTimeout);
    }
    if (res.status !== 200 || !res.body || !res.headers.get("content-type")?.startsWith("text/event-stream")) {
      await res.body?.cancel();
      throw new PortalUnavailableError(`The portal answered HTTP ${res.status} for the change stream.`, res.status);
    }
    return res.body;
  }

  async ping(): Promise<boolean> {
    try {
      const res = await this.call(INTERNAL_API.ping, { method: "GET" });
      await res.body?.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  }
}
