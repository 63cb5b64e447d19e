/**
 * A token bucket for a shared link: `rate` bytes per second, at most `burst` bytes saved up while
 * the link is idle. `reserve(n)` books n bytes on the link and says how long to wait before
 * sending them; reservations may run the bucket into debt, so later callers (any connection on
 * the same link) queue behind earlier ones. The clock is injected (milliseconds) so the logic can
 * be checked without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rate > 0)) throw new RangeError("rate must be positive");
    if (!(burst >= 0)) throw new RangeError("burst must not be negative");
    this.tokens = burst;
    this.last = now();
  }

  /** Books `bytes` on the link; returns the milliseconds to wait before they may go out (0: now). */
  reserve(bytes: number): number {
    this.refill();
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }

  /** Bytes that could go out right now without waiting (negative: the link is booked ahead). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.last);
    this.last = t;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.rate);
  }
}
