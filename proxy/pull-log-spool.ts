import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

/**
 * The pull log's file on disk: the events a stopping proxy could not deliver, read back by the
 * next process. One JSON document `{"version":1,"events":[…]}`, written atomically (a temporary
 * file in the same directory, flushed to disk, then renamed over the old one) with mode 600:
 * events name licenses and client addresses. An absent file is an empty spool.
 */
const VERSION = 1;

/** The spool of a proxy listening on `port`: one file per port, so proxies sharing a directory keep theirs apart. */
export const spoolFileName = (port: number) => `pull-events-${port}.json`;

export async function readSpool(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const doc = JSON.parse(text) as { version?: unknown; events?: unknown };
  if (doc.version !== VERSION || !Array.isArray(doc.events)) throw new Error(`${file} is not a pull-log spool (version ${VERSION})`);
  return doc.events;
}

/** Replaces the spool with `events`; none removes it. */
export async function writeSpool(file: string, events: readonly unknown[]): Promise<void> {
  if (events.length === 0) return removeSpool(file);
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomUUID()}.tmp`);
  const handle = await fs.open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(JSON.stringify({ version: VERSION, events }));
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

export async function removeSpool(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}
