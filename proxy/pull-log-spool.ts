import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/**
 * The pull log's files on disk: the events a stopping proxy could not deliver, delivered later by
 * any proxy that shares the directory (PROXY_PULL_LOG_DIR) — the same one restarted, on this port
 * or another, or a sibling that keeps running.
 *
 * Each file is one JSON document `{"version":2,"batches":[{"id":"<uuid>","events":[…]},…]}`: the
 * batches as the writer made them, each with its id (pull-log.ts: the portal stores a batch id
 * once, so a batch sent before the writer stopped is not counted twice). An older proxy's
 * `{"version":1,"events":[…]}` is read too; its events get batch ids from the proxy that claims
 * it. Mode 600 (events name licenses and client addresses), written atomically (a temporary file flushed to disk, then renamed into
 * place) under a name no other process uses: `pull-events-<port>-<random>.json`. A file of that
 * form (or an older proxy's `pull-events-<port>.json`) belongs to nobody: its writer has exited.
 *
 * Invariants:
 * - A proxy claims a file by renaming it to `claim.<pid>.<token>.<host>.<name>` (rename is atomic:
 *   of two proxies claiming one file, exactly one succeeds) and deletes it only once its events are
 *   delivered, or written into its own file at exit. So a proxy killed while holding a claim leaves
 *   the events on disk, never loses them.
 * - A claim is taken over only when its holder is gone: on this host, its pid is not running (or
 *   is this process's pid under another token: an earlier life of a restarted container); on any
 *   host, it has not renewed the claim (the file's mtime) for `leaseMs`. A live proxy renews its
 *   claims well within that, so two live proxies never deliver the same file.
 * - Should a stalled proxy lose a claim anyway, the portal stores each batch id (and each event
 *   id) once: a second delivery adds nothing.
 */
const VERSION = 2;
const BATCH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Events of a spool file, in the batches their writer made (`id`), or not batched yet (a version 1 file). */
export interface SpooledBatch {
  id?: string;
  events: unknown[];
}
const UNCLAIMED = /^pull-events-[A-Za-z0-9_-]+\.json$/;
const CLAIMED = /^claim\.(\d+)\.([0-9a-f]+)\.([A-Za-z0-9_-]*)\.(pull-events-[A-Za-z0-9_-]+\.json)$/;

/** The spool file name of a proxy listening on `port` (its own files add a random part to it). */
export const spoolFileName = (port: number) => `pull-events-${port}.json`;

/** Tokens of the spool directories open in this process (a pid alone can't tell an earlier life). */
const liveTokens = new Set<string>();

export interface SpoolOptions {
  /** A claim not renewed for this long is taken over (default 60 s). */
  leaseMs?: number;
  now?: () => number;
}

export class SpoolDirectory {
  private readonly token = randomBytes(8).toString("hex");
  private readonly host = Buffer.from(os.hostname()).toString("base64url");
  private readonly held = new Set<string>();
  private readonly leaseMs: number;
  private readonly now: () => number;

  /** `file`: where a proxy would write; its directory is the shared one, its name the prefix of this process's file. */
  constructor(private readonly file: string, opts: SpoolOptions = {}) {
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    liveTokens.add(this.token);
  }

  private get dir(): string {
    return path.dirname(this.file);
  }

  /** The file this process writes at exit. */
  get ownFile(): string {
    return path.join(this.dir, path.basename(this.file).replace(/\.json$/, "") + `-${this.token}.json`);
  }

  /** Files claimed and not yet released. */
  get holding(): number {
    return this.held.size;
  }

  /**
   * Claims the files nobody alive holds, oldest name first, and returns their events. Stops before
   * a file that would take the events past `room` (put back for later), unless it is the first and
   * `takeOversized`. Files that can't be read are set aside as `unreadable.<name>` and reported.
   */
  async claim(room: number, takeOversized: boolean, onUnreadable: (e: unknown) => void): Promise<SpooledBatch[]> {
    let names: string[];
    try {
      names = (await fs.readdir(this.dir)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    const batches: SpooledBatch[] = [];
    let events = 0;
    for (const name of names) {
      const original = await this.takeable(name);
      if (!original) continue;
      const mine = path.join(this.dir, `claim.${process.pid}.${this.token}.${this.host}.${original}`);
      try {
        await fs.rename(path.join(this.dir, name), mine);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") continue; // another proxy was first
        throw e;
      }
      let found: SpooledBatch[];
      try {
        found = await readSpool(mine);
      } catch (e) {
        await fs.rename(mine, path.join(this.dir, `unreadable.${original}`)).catch(() => {});
        onUnreadable(e);
        continue;
      }
      const size = found.reduce((n, b) => n + b.events.length, 0);
      if (events + size > room && !(events === 0 && takeOversized)) {
        await fs.rename(mine, path.join(this.dir, original));
        break;
      }
      this.held.add(mine);
      batches.push(...found);
      events += size;
    }
    return batches;
  }

  /** The original name of `name` if this process may claim it now. */
  private async takeable(name: string): Promise<string | undefined> {
    if (UNCLAIMED.test(name)) return name;
    const m = CLAIMED.exec(name);
    if (!m) return undefined;
    const [, pidText, token, host, original] = m as unknown as [string, string, string, string, string];
    if (liveTokens.has(token)) return undefined;
    const pid = Number(pidText);
    const sameHost = host === this.host;
    if (sameHost && (pid === process.pid || !running(pid))) return original;
    const stat = await fs.stat(path.join(this.dir, name)).catch(() => undefined);
    return stat && this.now() - stat.mtimeMs > this.leaseMs ? original : undefined;
  }

  /** Keeps this process's claims alive; a claim taken over meanwhile is forgotten. */
  async renew(): Promise<void> {
    const at = new Date(this.now());
    for (const file of this.held) {
      await fs.utimes(file, at, at).catch((e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") this.held.delete(file);
      });
    }
  }

  /** The claimed files' events are delivered: deletes them. */
  async release(): Promise<void> {
    for (const file of [...this.held]) {
      await fs.rm(file, { force: true });
      this.held.delete(file);
    }
  }

  /** At exit: `batches` (the claimed files' undelivered ones included) to this process's own file, then the claims go. */
  async write(batches: ReadonlyArray<Required<SpooledBatch>>): Promise<void> {
    if (batches.some((b) => b.events.length > 0)) await writeSpool(this.ownFile, batches);
    await this.release();
  }

  /** This process no longer uses the directory. */
  close(): void {
    liveTokens.delete(this.token);
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function readSpool(file: string): Promise<SpooledBatch[]> {
  const doc = JSON.parse(await fs.readFile(file, "utf8")) as { version?: unknown; events?: unknown; batches?: unknown };
  if (doc.version === 1 && Array.isArray(doc.events)) return [{ events: doc.events }];
  if (doc.version === VERSION && Array.isArray(doc.batches) && doc.batches.every(isBatch)) return doc.batches;
  throw new Error(`${file} is not a pull-log spool (version ${VERSION}, or 1)`);
}

function isBatch(b: unknown): b is SpooledBatch {
  const { id, events } = (b ?? {}) as { id?: unknown; events?: unknown };
  return typeof id === "string" && BATCH_ID.test(id) && Array.isArray(events);
}

/** Writes `batches` to `file` atomically, mode 600. */
async function writeSpool(file: string, batches: readonly SpooledBatch[]): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomUUID()}.tmp`);
  const handle = await fs.open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(JSON.stringify({ version: VERSION, batches }));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  const d = await fs.open(dir, "r");
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
