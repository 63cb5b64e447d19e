import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatabaseLockedError, openEmbeddedDatabase, type EmbeddedDatabase } from "@/lib/db/embedded";

const root = path.resolve(import.meta.dirname, "../..");
const childScript = path.join(root, "test/support/embedded-child.ts");

interface ChildReport {
  pid: number;
  owner: boolean;
  url: string;
  pgliteOpened: number;
  notes: string[];
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** Starts embedded-child.ts; resolves with its JSON report (and the process). */
function startChild(mode: "hold" | "visit", dataDir: string, name?: string): Promise<{ child: ChildProcess; report: ChildReport }> {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, mode, dataDir, ...(name ? [name] : [])], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, report: JSON.parse(line) as ChildReport });
    });
    child.once("exit", (code, signal) => reject(new Error(`child exited (${code ?? signal}) before reporting: ${err}`)));
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.once("close", (status) => resolve({ status, stdout, stderr })));
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** The pid of a process that has just ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

/** A process that stays alive until killed. */
function livePid(): number {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  children.push(child);
  return child.pid!;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function notes(url: string): Promise<string[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>("SELECT name FROM note ORDER BY id");
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

const readLock = (dir: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, "pglite.lock"), "utf8")) as { pid: number; port: number | null; password: string | null };

describe("embedded database lock", () => {
  let dir: string;
  let opened: EmbeddedDatabase[];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-embedded-"));
    opened = [];
  });
  afterEach(async () => {
    for (const e of opened) await e.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const open = async (options?: { waitMs?: number }) => {
    const e = await openEmbeddedDatabase(dir, options);
    opened.push(e);
    return e;
  };

  it("a second process reaches the database through the holder and never opens the folder", async () => {
    const holder = await open();
    expect(holder.owner).toBe(true);
    const lock = readLock(dir);
    expect(lock).toEqual({ pid: process.pid, port: Number(new URL(holder.url).port), password: decodeURIComponent(new URL(holder.url).password) });
    // The socket's password is in the lock file, which only the data directory's owner can read.
    expect(lock.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(path.join(dir, "pglite.lock")).mode & 0o777).toBe(0o600);
    const guest = new pg.Client(holder.url.replace(/:[^:@/]+@/, ":wrong-password@"));
    await expect(guest.connect()).rejects.toMatchObject({ code: "28P01" });
    const client = new pg.Client(holder.url);
    await client.connect();
    await client.query("CREATE TABLE note (id serial PRIMARY KEY, name text NOT NULL)");
    await client.query("INSERT INTO note (name) VALUES ('from holder')");
    await client.end();

    const { child, report } = await startChild("visit", dir, "from visitor");
    expect(report).toMatchObject({ owner: false, url: holder.url, pgliteOpened: 0 });
    expect(report.notes).toEqual(["from holder", "from visitor"]);
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(await notes(holder.url)).toEqual(["from holder", "from visitor"]);

    // Both writes are on disk in one intact database: reopen the folder after the holder closes.
    await holder.close();
    expect(fs.existsSync(path.join(dir, "pglite.lock"))).toBe(false);
    const again = await open();
    expect(again.owner).toBe(true);
    expect(await notes(again.url)).toEqual(["from holder", "from visitor"]);
  });

  it("`portcullis migrate` run beside the holder migrates through it", async () => {
    const holder = await open();
    // Not spawnSync: this process serves the database, its event loop must keep running.
    const cli = await run(process.execPath, [path.join(root, "cli/portcullis.js"), "migrate"], {
      ...process.env,
      PORTCULLIS_DATA_DIR: dir,
      DATABASE_URL: "",
    });
    expect(cli.stderr).toBe("");
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/^applied \d{14}_\w+$/m);
    expect(readLock(dir).pid).toBe(process.pid); // still ours: the CLI never took the folder
    const client = new pg.Client(holder.url);
    await client.connect();
    const { rows } = await client.query("SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL");
    await client.end();
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it("two processes starting at once on a fresh folder: exactly one opens it", async () => {
    const [a, b] = await Promise.all([startChild("hold", dir, "a"), startChild("hold", dir, "b")]);
    expect([a.report.owner, b.report.owner].sort()).toEqual([false, true]);
    expect(a.report.url).toBe(b.report.url);
    const [owner, visitor] = a.report.owner ? [a, b] : [b, a];
    expect(owner.report.pgliteOpened).toBeGreaterThan(0); // (PGlite's first init calls create internally too)
    expect(visitor.report.pgliteOpened).toBe(0);
    expect((await notes(a.report.url)).sort()).toEqual(["a", "b"]);
    const ownerChild = owner.child;
    const other = visitor.child;
    other.stdin!.end();
    ownerChild.stdin!.end();
    expect(await exited(other)).toEqual({ code: 0, signal: null });
    expect(await exited(ownerChild)).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(path.join(dir, "pglite.lock"))).toBe(false);
  });

  it("the holder removes its lock on SIGTERM", async () => {
    const { child, report } = await startChild("hold", dir);
    expect(report.owner).toBe(true);
    expect(readLock(dir).pid).toBe(report.pid);
    child.kill("SIGTERM");
    expect(await exited(child)).toEqual({ code: null, signal: "SIGTERM" });
    expect(fs.existsSync(path.join(dir, "pglite.lock"))).toBe(false);
  });

  it("a lock left by a killed holder is taken over, with the holder's data intact", async () => {
    const { child, report } = await startChild("hold", dir, "before the crash");
    child.kill("SIGKILL");
    await exited(child);
    expect(readLock(dir).pid).toBe(report.pid); // stale: nobody removed it

    const next = await open();
    expect(next.owner).toBe(true);
    expect(readLock(dir).pid).toBe(process.pid);
    expect(await notes(next.url)).toEqual(["before the crash"]);
  });

  it("a lock whose pid is dead is stale and taken over", async () => {
    fs.writeFileSync(path.join(dir, "pglite.lock"), JSON.stringify({ pid: deadPid(), port: 1 }));
    const e = await open({ waitMs: 200 });
    expect(e.owner).toBe(true);
    expect(readLock(dir)).toEqual({ pid: process.pid, port: Number(new URL(e.url).port), password: decodeURIComponent(new URL(e.url).password) });
  });

  it("a live pid with a published port nobody listens on (pid reused after a crash) is taken over", async () => {
    fs.writeFileSync(path.join(dir, "pglite.lock"), JSON.stringify({ pid: livePid(), port: await closedPort() }));
    const e = await open({ waitMs: 200 });
    expect(e.owner).toBe(true);
    expect(readLock(dir).pid).toBe(process.pid);
  });

  it("a live holder that has not published a port yet: DatabaseLockedError naming the pid and folder", async () => {
    const pid = livePid();
    fs.writeFileSync(path.join(dir, "pglite.lock"), JSON.stringify({ pid, port: null }));
    const started = Date.now();
    const error = await openEmbeddedDatabase(dir, { waitMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseLockedError);
    expect((error as Error).name).toBe("DatabaseLockedError");
    expect((error as Error).message).toContain(`process ${pid}`);
    expect((error as Error).message).toContain(path.join(dir, "pglite"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(readLock(dir)).toEqual({ pid, port: null }); // untouched
    expect(fs.existsSync(path.join(dir, "pglite"))).toBe(false); // never opened
  });
});
