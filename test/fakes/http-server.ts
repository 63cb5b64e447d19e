import http from "node:http";
import type { AddressInfo } from "node:net";

/** A tiny HTTP server on 127.0.0.1 (never another address) for the KMS fakes. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface FakeServer {
  url: string;
  close(): Promise<void>;
  /** Every request's method and path, for asserting what the client really sent. */
  requests: FakeRequest[];
}

export async function startFakeServer(handle: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const fake: FakeRequest = {
        method: req.method ?? "GET",
        path: new URL(req.url ?? "/", "http://x").pathname,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(fake);
      let out: FakeResponse;
      try {
        out = await handle(fake);
      } catch (e) {
        out = { status: 500, body: { message: (e as Error).message } };
      }
      res.writeHead(out.status, { "content-type": "application/json", ...out.headers });
      res.end(typeof out.body === "string" ? out.body : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
