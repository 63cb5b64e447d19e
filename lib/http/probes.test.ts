import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "@/test/support/proxy";
import { answerProbe, probeOf } from "./probes";

describe("probeOf", () => {
  it("names /healthz and /readyz, with or without a query, and nothing else", () => {
    expect(probeOf({ url: "/healthz" })).toBe("healthz");
    expect(probeOf({ url: "/readyz?verbose=1" })).toBe("readyz");
    for (const url of ["/", "/readyz/", "/readyz/x", "/api/readyz", "/READYZ", "/healthzz", "/constructor", "/__proto__", ""]) expect(probeOf({ url }), url).toBeUndefined();
  });
});

describe("answerProbe", () => {
  let stopping = false;
  let url = "";
  const server = http.createServer((req, res) => {
    const probe = probeOf(req);
    if (probe) return answerProbe(req, res, probe, stopping);
    res.writeHead(404).end("next");
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("/readyz is 200 `ready` until the process stops, then 503; /healthz stays 200; neither is cached", async () => {
    stopping = false;
    const ready = await rawRequest(`${url}/readyz`);
    expect([ready.status, ready.body.toString()]).toEqual([200, "ready\n"]);
    expect(ready.headers["cache-control"]).toBe("no-store");
    stopping = true;
    const notReady = await rawRequest(`${url}/readyz`);
    expect([notReady.status, notReady.body.toString()]).toEqual([503, "shutting down\n"]);
    const alive = await rawRequest(`${url}/healthz`);
    expect([alive.status, alive.body.toString()]).toEqual([200, "ok\n"]);
  });

  it("HEAD answers the status without a body; other methods get 405 naming GET and HEAD", async () => {
    stopping = false;
    const head = await rawRequest(`${url}/readyz`, { method: "HEAD" });
    expect([head.status, head.body.length]).toEqual([200, 0]);
    const post = await rawRequest(`${url}/healthz`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
    expect((await rawRequest(`${url}/readyz/extra`)).body.toString()).toBe("next");
  });
});
