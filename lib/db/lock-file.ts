import fs from "node:fs";

/**
 * An exclusive lock file (mode 0600) holding `{pid, port, password}`. Created with `wx`, so exactly one process wins;
 * a lock whose pid is dead (or is this process's pid but not taken by this process: pid reuse
 * after a restart) is stale and may be taken over.
 */
export interface LockInfo {
  pid: number;
  /** Where the holder serves the database; null while it is starting or shutting down. */
  port: number | null;
  /** The per-start password of the holder's socket; only the data directory's owner can read it. */
  password: string | null;
}

export type LockAttempt =
  | { acquired: true; lock: HeldLock }
  | { acquired: false; holder: LockInfo | null /* null: unreadable (being written) */ };

/** Lock paths this process holds; on globalThis so a re-evaluated module (Next dev) still knows. */
const g = globalThis as { __portcullisHeldLocks?: Set<string> };
const heldHere = (g.__portcullisHeldLocks ??= new Set<string>());

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readLock(lockPath: string): { raw: string; info: LockInfo | null } | null {
  let raw: string;
  try {
    raw = fs.readFileSync(lockPath, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  try {
    const parsed = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof parsed.pid !== "number" || !Number.isInteger(parsed.pid)) return { raw, info: null };
    const port = typeof parsed.port === "number" ? parsed.port : null;
    const password = typeof parsed.password === "string" ? parsed.password : null;
    return { raw, info: { pid: parsed.pid, port, password } };
  } catch {
    return { raw, info: null };
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export function isStale(lockPath: string, info: LockInfo): boolean {
  if (info.pid === process.pid) return !heldHere.has(lockPath);
  return !pidAlive(info.pid);
}

/** Tries once (plus one stale takeover) to take the lock. */
export function tryAcquireLock(lockPath: string): LockAttempt {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify({ pid: process.pid, port: null, password: null }), { flag: "wx", mode: 0o600 });
      heldHere.add(lockPath);
      return { acquired: true, lock: new HeldLock(lockPath) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const current = readLock(lockPath);
    if (!current) continue; // released meanwhile: try again
    if (!current.info) {
      // Half-written locks exist for microseconds; one that stays unreadable is left by a crash.
      if (ageMs(lockPath) > 30_000) removeIfUnchanged(lockPath, current.raw);
      else return { acquired: false, holder: null };
      continue;
    }
    if (!isStale(lockPath, current.info)) return { acquired: false, holder: current.info };
    removeIfUnchanged(lockPath, current.raw);
  }
  const current = readLock(lockPath);
  return { acquired: false, holder: current?.info ?? null };
}

/**
 * Removes a stale lock unless it changed since it was read. A short-lived `.takeover` guard file
 * keeps two processes from both removing: the second would otherwise delete the first's new lock.
 */
export function removeIfUnchanged(lockPath: string, staleRaw: string): void {
  const guard = `${lockPath}.takeover`;
  try {
    fs.writeFileSync(guard, String(process.pid), { flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > 10_000) fs.unlinkSync(guard); // its owner died
    } catch {
      /* gone already */
    }
    return;
  }
  try {
    if (fs.readFileSync(lockPath, "utf8") === staleRaw) fs.unlinkSync(lockPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

export class HeldLock {
  constructor(readonly path: string) {}

  /**
   * Rewrites the lock's content atomically (readers never see a half-written file), readable by
   * the owner only: it holds the socket's password.
   */
  publish(port: number | null, password: string | null = null): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    fs.rmSync(tmp, { force: true }); // a leftover would keep its mode
    fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, port, password }), { mode: 0o600, flag: "wx" });
    fs.renameSync(tmp, this.path);
  }

  /** Removes the lock if it is still ours. Synchronous, so it can run in an 'exit' handler. */
  release(): void {
    if (!heldHere.delete(this.path)) return;
    const current = readLock(this.path);
    if (current?.info?.pid === process.pid) fs.rmSync(this.path, { force: true });
  }
}
