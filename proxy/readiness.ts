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
