import pg from "pg";

/**
 * One dedicated connection that LISTENs on a PostgreSQL channel, reconnecting (with jittered
 * backoff) whenever it is lost. Works on PostgreSQL and on the embedded database's socket
 * (pg-socket-server.ts routes notifications to the connections that listen). `onState` says when
 * the channel starts and stops being listened to: notifications sent while it was not are lost.
 */
export interface PgListenerOptions {
  /** The database URL, asked again at every connection. */
  url: () => Promise<string>;
  /** A lowercase SQL identifier. */
  channel: string;
  onNotification(payload: string): void;
  onState?(listening: boolean): void;
  /** Reconnection delays: doubling from `minMs` to `maxMs`, each a random value up to that. Default 250 ms to 10 s. */
  retry?: { minMs: number; maxMs: number };
}

export class PgListener {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private failures = 0;
  private connecting: Promise<void> | undefined;
  listening = false;

  constructor(private readonly opts: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(opts.channel)) throw new Error(`not a channel name: ${opts.channel}`);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connecting = this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    this.setListening(false);
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: await this.opts.url().catch(() => ""), keepAlive: true });
    this.client = client;
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => {});
      this.setListening(false);
      this.retryLater();
    };
    client.on("error", onLost);
    client.on("end", onLost);
    client.on("notification", (n) => {
      if (n.channel === this.opts.channel && n.payload !== undefined) this.opts.onNotification(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.opts.channel}`);
    } catch {
      onLost();
      return;
    }
    if (this.stopped || lost) return;
    this.failures = 0;
    this.setListening(true);
  }

  private retryLater(): void {
    if (this.stopped) return;
    const { minMs, maxMs } = this.opts.retry ?? { minMs: 250, maxMs: 10_000 };
    const ceiling = Math.min(maxMs, minMs * 2 ** this.failures++);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.stopped) this.connecting = this.connect();
    }, minMs / 2 + Math.random() * ceiling);
    this.timer.unref();
  }

  private setListening(listening: boolean): void {
    if (this.listening === listening) return;
    this.listening = listening;
    this.opts.onState?.(listening);
  }
}
