import { databaseUrl } from "@/lib/db/client";
import { PgListener } from "@/lib/db/listen";
import { logger } from "@/lib/log/log";
import { changeEventSchema, type ChangeEvent } from "./contract";
import { CHANGES_CHANNEL } from "./changes";

/**
 * A portal process's end of the change channel (changes.ts): one dedicated connection LISTENs
 * while proxies are connected (and a few seconds after the last one left, so a reconnecting
 * proxy finds it listening), and every notification is handed to every subscriber — the change
 * streams of the proxies connected to this portal. When the connection is lost, every subscriber
 * is told (`lost`: its stream ends, its proxy reconnects and drops its cache), since changes
 * committed meanwhile are not delivered.
 */
export interface ChangeSubscriber {
  change(event: ChangeEvent): void;
  lost(): void;
}

export interface Subscription {
  /** True once the channel is listened to; false when it isn't within `waitMs`. */
  ready(waitMs: number): Promise<boolean>;
  unsubscribe(): void;
}

const LINGER_MS = 5_000;

export class ChangeHub {
  private readonly subscribers = new Set<ChangeSubscriber>();
  private readonly waiting = new Set<() => void>();
  private readonly listener: PgListener;
  private linger: NodeJS.Timeout | undefined;

  constructor(url: () => Promise<string>) {
    this.listener = new PgListener({
      url,
      channel: CHANGES_CHANNEL,
      onNotification: (payload) => this.deliver(payload),
      onState: (listening) => (listening ? this.listened() : this.lost()),
    });
  }

  get listening(): boolean {
    return this.listener.listening;
  }

  subscribe(subscriber: ChangeSubscriber): Subscription {
    this.subscribers.add(subscriber);
    clearTimeout(this.linger);
    this.listener.start();
    return {
      ready: (waitMs) => this.whenListening(waitMs),
      unsubscribe: () => {
        if (this.subscribers.delete(subscriber)) this.released();
      },
    };
  }

  async close(): Promise<void> {
    clearTimeout(this.linger);
    this.subscribers.clear();
    await this.listener.stop();
  }

  private whenListening(waitMs: number): Promise<boolean> {
    if (this.listener.listening) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiting.delete(onListening);
        resolve(ok);
      };
      const onListening = () => done(true);
      const timer = setTimeout(() => done(false), waitMs);
      this.waiting.add(onListening);
    });
  }

  private listened(): void {
    for (const resolve of [...this.waiting]) resolve();
  }

  private lost(): void {
    const gone = [...this.subscribers];
    this.subscribers.clear();
    for (const s of gone) s.lost();
    this.released();
  }

  private released(): void {
    if (this.subscribers.size > 0) return;
    clearTimeout(this.linger);
    this.linger = setTimeout(() => {
      if (this.subscribers.size === 0) void this.listener.stop();
    }, LINGER_MS);
    this.linger.unref();
  }

  private deliver(payload: string): void {
    let parsed;
    try {
      parsed = changeEventSchema.safeParse(JSON.parse(payload));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      logger().warn("change channel: a notification that is not a change was ignored");
      return;
    }
    for (const s of this.subscribers) s.change(parsed.data);
  }
}

let processHub: ChangeHub | undefined;

/**
 * This process's hub, on its database, created on first use. Module state on purpose: a module
 * reload (Next's development server, a test file) gets a hub on the configuration it loads, and
 * the old one stops listening once its streams have ended.
 */
export function processChangeHub(): ChangeHub {
  return (processHub ??= new ChangeHub(() => databaseUrl()));
}
