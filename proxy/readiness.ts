/**
 * /readyz: is the portal's internal API answering? Asked at most every 2 s (a balancer polling
 * readiness must not become load on the portal); a proxy shutting down is never ready — from the
 * moment it is told to stop, so a load balancer takes it out before it stops accepting.
 * `onPortalAnswered` hears of every ping the portal answered (the pull log stops backing off).
 */
const READY_CACHE_MS = 2_000;

export class Readiness {
  private last: { ok: boolean; at: number } | undefined;
  closing = false;

  constructor(
    private readonly ping: () => Promise<boolean>,
    private readonly now: () => number,
    private readonly onPortalAnswered?: () => void,
  ) {}

  async check(): Promise<{ ok: boolean; text: string }> {
    const ok = !this.closing && (await this.portalReady());
    return { ok, text: ok ? "ok\n" : this.closing ? "shutting down\n" : "portal unreachable\n" };
  }

  private async portalReady(): Promise<boolean> {
    if (this.last && this.now() - this.last.at < READY_CACHE_MS) return this.last.ok;
    const ok = await this.ping();
    this.last = { ok, at: this.now() };
    if (ok) this.onPortalAnswered?.();
    return ok;
  }
}

/**
 * At start: asks the portal's internal API until it answers. A portal started beside the proxy
 * (`npm run dev`, a pod) may still be starting, so it asks quietly — every `intervalMs`, then less
 * often — says once when it is connected, and warns once, naming the variables to check, only if
 * the portal still does not answer after `patienceMs`; it keeps asking after that warning.
 */
export async function waitForPortal(opts: {
  ping: () => Promise<boolean>;
  portalUrl: string;
  log: { info: (message: string) => void; warn: (message: string) => void };
  patienceMs: number;
  intervalMs?: number;
  maxIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}): Promise<void> {
  const { ping, portalUrl, log, patienceMs, intervalMs = 500, maxIntervalMs = 5_000, now = Date.now } = opts;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  const started = now();
  let warned = false;
  for (let wait = intervalMs; ; wait = Math.min(wait * 2, maxIntervalMs)) {
    if (await ping()) {
      const after = Math.round((now() - started) / 100) / 10;
      log.info(`proxy: connected to the portal's internal API at ${portalUrl}${after >= 1 ? ` (after ${after} s)` : ""}`);
      return;
    }
    if (!warned && now() - started >= patienceMs) {
      warned = true;
      log.warn(
        `proxy: the portal's internal API at ${portalUrl} does not answer after ${Math.round(patienceMs / 1000)} s: check PORTAL_INTERNAL_URL and that the portal has the same PROXY_SERVICE_TOKEN. Pulls fail with 503 until it answers; still trying`,
      );
    }
    await sleep(wait);
  }
}
