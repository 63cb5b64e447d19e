import { randomUUID } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "@/lib/db/client";
import { openEmbeddedDatabase } from "@/lib/db/embedded";
import { INTERNAL_API } from "@/lib/internal/contract";
import { createLicense, createTenant } from "@/test/support/factories";
import { START_BUNDLE, ensureProductionBuild } from "@/test/support/production-build";
import { cleanEnv, freePort } from "@/test/support/registry/process";

/**
 * `npm start` as built (dist/start.mjs, which runs dist/portal-server.mjs) on the embedded
 * database: it starts without a warning; a client sending its own X-Forwarded-For is no reason for
 * one, a reverse proxy nobody declared is; and SIGTERM drains it — /readyz answers 503 at once
 * while new connections are still accepted for PORTAL_DRAIN_DELAY_MS, then they are refused while
 * a request in flight still gets its answer and its write, then the launcher closes the database
 * and exits 0.
 */
const root = path.resolve(import.meta.dirname, "../..");
const serviceToken = "portal-server-test-service-token-0123456789";
/** Short, so the test does not wait out production's 5 s; long enough to be seen accepting. */
const DRAIN_DELAY_MS = 1_500;

interface Launcher {
  child: ChildProcess;
  port: number;
  dataDir: string;
  output(): string;
  exited: Promise<number | null>;
}

async function startLauncher(): Promise<Launcher> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-portal-server-"));
  const port = await freePort();
  const child = spawn(process.execPath, [START_BUNDLE], {
    cwd: root,
    env: cleanEnv(dataDir, {
      NODE_ENV: "production",
      PORT: String(port),
      BIND_ADDRESS: "127.0.0.1",
      PORTCULLIS_DATA_DIR: dataDir,
      PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION: "true",
      AUTH_SECRET: "portal-server-test-secret-0123456789abcdef",
      TOKEN_HASH_KEYS: "t1:portal-server-test-hash-key-0123456789",
      LOCAL_KMS_KEYS: "k1:" + Buffer.alloc(32, 3).toString("base64"),
      PROXY_SERVICE_TOKEN: serviceToken,
      PORTAL_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
      NEXT_TELEMETRY_DISABLED: "1",
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  while ((await signInStatus(port)) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the portal did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, port, dataDir, output: () => out, exited };
}

interface Answer {
  status: number;
  connection: string | undefined;
  text: string;
}

/**
 * A GET on a connection of its own, asking to keep it (so the answer's Connection header says
 * whether the server would), closed by us after the answer: the answer, or "refused" when no
 * connection was accepted.
 */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer | "refused"> {
  return new Promise((resolve) => {
    http
      .get({ host: "127.0.0.1", port, path, headers: { connection: "keep-alive", ...headers }, agent: false }, (res) => {
        const socket = res.socket;
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => {
          socket.destroy();
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text });
        });
      })
      .on("error", () => resolve("refused"));
  });
}

/** A kept-alive connection that has answered one request and is idle: `closed` resolves when the server closes it. */
function idleConnection(port: number): Promise<{ closed: Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: "/healthz", agent }, (res) => {
        const socket = res.socket;
        const closed = new Promise<void>((done) => socket.once("close", () => (agent.destroy(), done())));
        res.resume();
        res.on("end", () => resolve({ closed }));
      })
      .on("error", reject);
  });
}

const signInStatus = async (port: number, headers: Record<string, string> = {}) => {
  const answer = await get(port, "/sign-in", headers);
  return answer === "refused" ? answer : answer.status;
};

/** Lines that warn or report an error. */
const warnings = (output: string) => output.split("\n").filter((line) => /warn|⚠|level=(warning|error)|error/i.test(line));

describe("the production portal server (npm start)", () => {
  let launcher: Launcher | undefined;

  beforeAll(async () => {
    ensureProductionBuild();
    launcher = await startLauncher();
  }, 600_000);

  afterAll(() => {
    if (launcher?.child.exitCode === null) launcher.child.kill("SIGKILL");
    if (launcher) fs.rmSync(launcher.dataDir, { recursive: true, force: true });
  });

  it("starts without a warning, and a client naming its own X-Forwarded-For is none either", async () => {
    const { port, output } = launcher!;
    // What e2e and a curious user do: one client, on a private address, sends a header of its own choosing.
    for (let i = 0; i < 5; i++) expect(await signInStatus(port, { "x-forwarded-for": "198.51.100.77" })).toBe(200);
    expect(warnings(output())).toEqual([]);
  });

  it("warns once when a private address forwards for several clients while PORTAL_TRUSTED_HOPS=0", async () => {
    const { port, output } = launcher!;
    for (const client of ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]) expect(await signInStatus(port, { "x-forwarded-for": client })).toBe(200);
    const lines = warnings(output());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/X-Forwarded-For .* PORTAL_TRUSTED_HOPS=0/);
  });

  it("SIGTERM: /readyz answers 503 at once while new connections are still served, then they are refused; the request in flight gets its answer and its write, the database closes, exit 0", async () => {
    const { child, port, dataDir, exited, output } = launcher!;
    expect(await get(port, "/readyz")).toEqual({ status: 200, connection: "keep-alive", text: "ready\n" });
    expect(await get(port, "/healthz")).toMatchObject({ status: 200, text: "ok\n" });
    const idle = await idleConnection(port);
    // A license in the embedded database, reached through the launcher that serves it.
    const embedded = await openEmbeddedDatabase(dataDir);
    expect(embedded.owner).toBe(false);
    const db = createPrismaClient(embedded.url);
    const tenant = await createTenant(db, { slug: "drainportal" });
    const license = await createLicense(db, tenant);
    await db.$disconnect();

    // A pull-log batch whose body arrives slowly: its headers are in (the server said 100 Continue), its body is not.
    const event = { id: randomUUID(), licenseId: license.id, image: "proxy/drainportal/app", reference: "v1", action: "pull-manifest", status: 200, bytes: 1, actor: null, at: new Date().toISOString() };
    const body = Buffer.from(JSON.stringify({ events: [event] }));
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: INTERNAL_API.pullEvents,
      agent: false,
      headers: { authorization: `Bearer ${serviceToken}`, "content-type": "application/json", "content-length": String(body.length), expect: "100-continue" },
    });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
    });
    await new Promise<void>((resolve) => req.once("continue", resolve));
    req.write(body.subarray(0, 10));

    child.kill("SIGTERM");
    // Readiness fails at once (the launcher passes the signal on): each answer comes on a new
    // connection, so the server is still accepting them.
    let readiness: Answer | "refused" = "refused";
    for (let i = 0; i < 400; i++) {
      readiness = await get(port, "/readyz");
      if (readiness !== "refused" && readiness.status !== 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readiness).toEqual({ status: 503, connection: "close", text: "shutting down\n" });
    // The idle kept-alive connection is closed (a client or balancer reconnects, elsewhere).
    await idle.closed;
    // A page on a new connection is still served during the delay, and its connection closed after it.
    expect(await get(port, "/sign-in")).toMatchObject({ status: 200, connection: "close" });
    expect(await get(port, "/healthz")).toMatchObject({ status: 200, connection: "close" });

    // After PORTAL_DRAIN_DELAY_MS, while that request is still open: new connections are refused.
    let refused = false;
    for (let i = 0; i < 400 && !refused; i++) {
      refused = (await signInStatus(port)) === "refused";
      if (!refused) await new Promise((r) => setTimeout(r, 50));
    }
    expect(refused).toBe(true);
    expect(child.exitCode).toBeNull();

    req.end(body.subarray(10));
    const res = await answer;
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ accepted: 1, unknownLicense: 0 });
    expect(await exited, output()).toBe(0);
    expect(warnings(output()).filter((l) => !/X-Forwarded-For/.test(l))).toEqual([]);

    // The database was closed cleanly and holds what the drained request wrote.
    expect(fs.existsSync(path.join(dataDir, "pglite.lock"))).toBe(false);
    const reopened = await openEmbeddedDatabase(dataDir);
    expect(reopened.owner).toBe(true);
    const after = createPrismaClient(reopened.url);
    try {
      expect(await after.pullEvent.count({ where: { id: event.id, licenseId: license.id } })).toBe(1);
    } finally {
      await after.$disconnect();
      await reopened.close();
    }
  }, 180_000);
});
