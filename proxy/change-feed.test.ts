import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ChangeEvent } from "@/lib/internal/contract";
import { ChangeFeed, SseParser, retryDelay } from "./change-feed";
import { PortalClient } from "./portal-client";

const licenseChange = { kind: "license", id: "10000000-0000-4000-8000-000000000001" } as const;

describe("SseParser", () => {
  it("reads events cut anywhere, with comments, CRLF, multi-line data and events without a name", () => {
    const text = `: heartbeat\r\n\r\nevent: ready\ndata: {}\n\nevent: change\ndata: ${JSON.stringify(licenseChange)}\n\ndata: a\ndata: b\n\nevent: empty\n\n`;
    const whole = new SseParser().push(text);
    expect(whole).toEqual([
      { event: "ready", data: "{}" },
      { event: "change", data: JSON.stringify(licenseChange) },
      { event: "message", data: "a\nb" },
    ]);
    for (const size of [1, 2, 3, 7]) {
      const parser = new SseParser();
      const out = [];
      for (let i = 0; i < text.length; i += size) out.push(...parser.push(text.slice(i, i + size)));
      expect(out).toEqual(whole);
    }
  });
});

describe("retryDelay", () => {
  it("doubles from min up to max, between half and all of it", () => {
    const retry = { minMs: 500, maxMs: 30_000 };
    expect([0, 1, 2, 3].map((n) => retryDelay(n, retry, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((n) => retryDelay(n, retry, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelay(20, retry, () => 0)).toBe(15_000);
    expect(retryDelay(1000, retry, () => 1)).toBe(30_000);
    const spread = new Set(Array.from({ length: 50 }, () => retryDelay(4, retry)));
    expect(spread.size).toBeGreaterThan(1);
  });
});

/** A portal's change stream the test writes to, one response per connection. */
async function streamServer(status = 200) {
  const open: http.ServerResponse[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    connections++;
    if (req.headers.authorization !== "Bearer token-token-token-token") return void res.writeHead(401).end();
    res.writeHead(status, { "content-type": status === 200 ? "text/event-stream" : "application/json" });
    if (status !== 200) return void res.end("{}");
    open.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open,
    connections: () => connections,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 250 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe("ChangeFeed", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  function feedOn(url: string) {
    const seen: Array<ChangeEvent | "drop-all"> = [];
    const states: boolean[] = [];
    const portal = new PortalClient(url, "token-token-token-token", 2_000);
    const feed = new ChangeFeed({
      open: (signal) => portal.openChangeStream(signal),
      dropAll: () => seen.push("drop-all"),
      onChange: (c) => seen.push(c),
      onState: (s) => states.push(s),
      retry: { minMs: 10, maxMs: 40 },
    });
    cleanups.push(() => feed.close());
    feed.start();
    return { feed, seen, states };
  }

  it("drops everything on ready, passes changes on, ignores changes before ready, and drops everything for one it can't read", async () => {
    const server = await streamServer();
    cleanups.push(server.close);
    const { feed, seen, states } = feedOn(server.url);
    await until(() => server.open.length === 1);
    const res = server.open[0]!;
    res.write(`event: change\ndata: ${JSON.stringify(licenseChange)}\n\n`);
    res.write("event: ready\ndata: {}\n\n");
    await until(() => feed.connected);
    res.write(`: heartbeat\n\nevent: change\ndata: ${JSON.stringify(licenseChange)}\n\n`);
    res.write(`event: change\ndata: {"kind":"planet","id":"x"}\n\n`);
    await until(() => seen.length === 3);
    expect(seen).toEqual(["drop-all", licenseChange, "drop-all"]);
    expect(states).toEqual([true]);
  });

  it("reconnects after the stream ends, and drops everything again on the new ready", async () => {
    const server = await streamServer();
    cleanups.push(server.close);
    const { feed, seen, states } = feedOn(server.url);
    await until(() => server.open.length === 1);
    server.open[0]!.write("event: ready\ndata: {}\n\n");
    await until(() => feed.connected);
    server.open[0]!.end();
    await until(() => server.open.length === 2);
    expect(feed.connected).toBe(false);
    server.open[1]!.write("event: ready\ndata: {}\n\n");
    await until(() => feed.connected);
    expect(seen).toEqual(["drop-all", "drop-all"]);
    expect(states).toEqual([true, false, true]);
  });

  it("a portal that answers something else than a stream is tried again, never taken as connected", async () => {
    const server = await streamServer(503);
    cleanups.push(server.close);
    const { feed, seen } = feedOn(server.url);
    await until(() => server.connections() >= 3);
    expect(server.connections()).toBeGreaterThanOrEqual(3);
    expect(feed.connected).toBe(false);
    expect(seen).toEqual([]);
  });
});
