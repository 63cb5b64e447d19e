import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { applyConnectionLimits, type ConnectionRefusal } from "./connection-limits";

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(limits: Partial<Parameters<typeof applyConnectionLimits>[1]>, refused: ConnectionRefusal[] = []) {
  const server = http.createServer((_req, res) => res.end("ok"));
  servers.push(server);
  const tracker = applyConnectionLimits(server, { maxConnections: 100, maxPerAddress: 0, headersTimeoutMs: 300, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 5_000, ...limits }, (r) => refused.push(r));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, tracker };
}

/** A raw socket; resolves what it received once the server closes it. */
function socket(port: number, localAddress = "127.0.0.1", send = "") {
  const s = net.connect({ port, host: "127.0.0.1", localAddress });
  let received = "";
  s.on("data", (d: Buffer) => (received += d.toString()));
  s.on("error", () => {});
  if (send) s.on("connect", () => s.write(send));
  return { s, closed: new Promise<string>((resolve) => s.on("close", () => resolve(received))) };
}

describe("applyConnectionLimits", () => {
  it("cuts a client that trickles its headers with a 408, but not an idle kept-alive connection between requests", async () => {
    const { port } = await serve({ headersTimeoutMs: 300 });
    const slow = socket(port, "127.0.0.1", "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    const trickle = setInterval(() => slow.s.write("a"), 50);
    const kept = socket(port, "127.0.0.1", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await slow.closed).toMatch(/^HTTP\/1\.1 408 /);
    clearInterval(trickle);
    // The kept-alive socket has been idle longer than the headers timeout and still serves.
    await new Promise((r) => setTimeout(r, 400));
    expect(kept.s.destroyed).toBe(false);
    kept.s.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect((await kept.closed).match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
  });

  it("holds one address to its share of the sockets, by the socket's peer", async () => {
    const refused: ConnectionRefusal[] = [];
    const { port, tracker } = await serve({ maxPerAddress: 2 }, refused);
    const held = [socket(port), socket(port)];
    for (let i = 0; i < 50 && tracker.open < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const third = socket(port);
    expect(await third.closed).toBe("");
    expect(refused).toEqual(["per_address"]);
    const other = socket(port, "127.0.0.2", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(await other.closed).toMatch(/^HTTP\/1\.1 200 /);
    for (const h of held) h.s.destroy();
  });

  it("drains: idle kept-alive connections closed at once, a request on a kept-alive one answered with Connection: close, one in flight finishes", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const server = http.createServer((req, res) => (req.url === "/slow" ? void held.then(() => res.end("slow done")) : res.end("ok")));
    servers.push(server);
    const tracker = applyConnectionLimits(server, { maxConnections: 100, maxPerAddress: 0, headersTimeoutMs: 1_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;

    const idle = socket(port, "127.0.0.1", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const busy = socket(port, "127.0.0.1", "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    const kept = socket(port, "127.0.0.1", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    for (let i = 0; i < 100 && tracker.open < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));

    tracker.beginDrain();
    expect(tracker.draining).toBe(true);
    expect(await idle.closed).toMatch(/^HTTP\/1\.1 200 /);
    // `kept` was closed as idle too; a new connection asking to be kept alive is answered and closed.
    await kept.closed;
    const late = socket(port, "127.0.0.1", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const lateAnswer = await late.closed;
    expect(lateAnswer).toMatch(/^HTTP\/1\.1 200 /);
    expect(lateAnswer.toLowerCase()).toContain("connection: close");

    const closing = tracker.close(10_000);
    const refused = socket(port, "127.0.0.1", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await refused.closed).toBe("");
    release();
    const slow = await busy.closed;
    expect(slow).toContain("slow done");
    expect(slow.toLowerCase()).toContain("connection: close");
    expect(await closing).toBe(true);
  });

  it("close() cuts what is still in flight after its deadline, and says so", async () => {
    const server = http.createServer(() => {});
    servers.push(server);
    const tracker = applyConnectionLimits(server, { maxConnections: 100, maxPerAddress: 0, headersTimeoutMs: 1_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const hung = socket((server.address() as AddressInfo).port, "127.0.0.1", "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    for (let i = 0; i < 100 && tracker.open < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(await tracker.close(100)).toBe(false);
    expect(await hung.closed).toBe("");
  });
});
