import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isStale, pidAlive, readLock, tryAcquireLock } from "./lock-file";

const deadPid = () => Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);

describe("lock file", () => {
  let dir: string;
  let lockPath: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-lock-"));
    lockPath = path.join(dir, "pglite.lock");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is taken once; a second attempt sees the holder; publish and release", () => {
    const first = tryAcquireLock(lockPath);
    if (!first.acquired) throw new Error("expected to acquire");
    expect(readLock(lockPath)?.info).toEqual({ pid: process.pid, port: null, password: null });
    expect(tryAcquireLock(lockPath)).toEqual({ acquired: false, holder: { pid: process.pid, port: null, password: null } });
    first.lock.publish(5432, "pw");
    expect(readLock(lockPath)?.info).toEqual({ pid: process.pid, port: 5432, password: "pw" });
    expect(fs.statSync(lockPath).mode & 0o777).toBe(0o600); // it holds the socket's password
    expect(fs.readdirSync(dir)).toEqual(["pglite.lock"]); // no temp file left behind
    first.lock.release();
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it("takes over a lock whose process is dead", () => {
    const pid = deadPid();
    expect(pidAlive(pid)).toBe(false);
    fs.writeFileSync(lockPath, JSON.stringify({ pid, port: 1234 }));
    const attempt = tryAcquireLock(lockPath);
    expect(attempt.acquired).toBe(true);
    if (attempt.acquired) attempt.lock.release();
  });

  it("treats this process's pid as stale unless this process took the lock (pid reuse)", () => {
    fs.writeFileSync(lockPath, JSON.stringify({ pid: process.pid, port: 1 }));
    expect(isStale(lockPath, { pid: process.pid, port: 1, password: null })).toBe(true);
    const attempt = tryAcquireLock(lockPath);
    if (!attempt.acquired) throw new Error("expected to take over");
    expect(isStale(lockPath, { pid: process.pid, port: null, password: null })).toBe(false);
    attempt.lock.release();
  });

  it("never takes a live process's lock", () => {
    fs.writeFileSync(lockPath, JSON.stringify({ pid: process.ppid, port: 7 }));
    expect(tryAcquireLock(lockPath)).toEqual({ acquired: false, holder: { pid: process.ppid, port: 7, password: null } });
    expect(fs.readFileSync(lockPath, "utf8")).toBe(JSON.stringify({ pid: process.ppid, port: 7 }));
  });

  it("release leaves a lock alone that is no longer ours", () => {
    const attempt = tryAcquireLock(lockPath);
    if (!attempt.acquired) throw new Error("expected to acquire");
    fs.writeFileSync(lockPath, JSON.stringify({ pid: process.ppid, port: 7 })); // taken over meanwhile
    attempt.lock.release();
    expect(fs.existsSync(lockPath)).toBe(true);
  });

  it("reports a half-written lock as an unknown holder", () => {
    fs.writeFileSync(lockPath, "");
    expect(tryAcquireLock(lockPath)).toEqual({ acquired: false, holder: null });
  });
});
