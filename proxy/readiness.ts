/**
 * /readyz: is the portal's internal API answering? Asked at most every 2 s (a balancer polling
 * readiness must not become load on the portal); a proxy shutting down is never ready.
 */
const READY_CACHE_MS = 2_000;

export class Readiness {
  private last: { ok: boolean; at: number } | undefined;
  closing = false;

  constructor(
    private readonly ping: () => Promise<boolean>,
    private readonly now: () => number,
  ) {}

  async check(): Promise<{ ok: boolean; text: string }> {
    const ok = !this.closing && (await this.portalReady());
    return { ok, text: ok ? "ok\n" : this.closing ? "shutting down\n" : "portal unreachable\n" };
  }

  private async portalReady(): Promise<boolean> {
    if (this.last && this.now() - this.last.at < READY_CACHE_MS) return this.last.ok;
    const ok = await this.ping();
    this.last = { ok, at: this.now() };
    return ok;
  }
}
