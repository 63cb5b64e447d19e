import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A front for a real registry that the test can turn bad: it passes requests through (and keeps
 * the upstream's access log: every request that reached it), answers 429 or 503 itself, refuses
 * connections as a stopped upstream would, or cuts answers after their first bytes. Bound to 127.0.0.1.
 */
export type FrontMode = "pass" | "429" | "503" | "down" | "cut";

export interface FaultFront {
  url: string;
  host: string;
  mode: FrontMode;
  /** In mode "cut": a passed answer's body is cut (its connection destroyed) after this many bytes. */
  cutAfterBytes: number;
  /** `METHOD path` of every request passed to the registry, in order. */
  readonly log: string[];
  /** How many passed requests match. */
  count(method: string, pathPart: string): number;
  /** While true, the bodies of passed requests answered 200 are kept in `delivered`. */
  captureBodies: boolean;
  /** `path` and body of each request kept while `captureBodies` was on. */
  readonly delivered: Array<{ path: string; body: Buffer }>;
  close(): Promise<void>;
}

export async function startFaultFront(targetUrl: string): Promise<FaultFront> {
  const target = new URL(targetUrl);
  const log: string[] = [];
  const delivered: FaultFront["delivered"] = [];
  const front: FaultFront = {
    url: "",
    host: "",
    mode: "pass",
    cutAfterBytes: 0,
    log,
    captureBodies: false,
    delivered,
    count: (method, part) => log.filter((l) => l.startsWith(`${method} `) && l.includes(part)).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    if (front.mode === "down") return void req.socket.destroy();
    if (front.mode === "429" || front.mode === "503") {
      const status = Number(front.mode);
      const body = JSON.stringify({ errors: [{ code: status === 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE", message: "try later" }] });
      res.writeHead(status, { "content-type": "application/json", "retry-after": "30", "content-length": String(Buffer.byteLength(body)) });
      return void res.end(body);
    }
    log.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    if (front.captureBodies) req.on("data", (c: Buffer) => chunks.push(c));
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (upRes) => {
      if (front.captureBodies && upRes.statusCode === 200) delivered.push({ path: req.url ?? "", body: Buffer.concat(chunks) });
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (front.mode !== "cut") return void upRes.pipe(res);
      // Passes the first cutAfterBytes of the body, then drops the connection mid-answer.
      let left = front.cutAfterBytes;
      upRes.on("data", (chunk: Buffer) => {
        if (left <= 0) return;
        const part = chunk.subarray(0, left);
        left -= part.length;
        res.write(part, () => {
          if (left <= 0) {
            upRes.destroy();
            res.socket?.destroy();
          }
        });
      });
      upRes.on("end", () => {
        if (left > 0) res.end();
      });
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  front.url = `http://127.0.0.1:${port}`;
  front.host = `127.0.0.1:${port}`;
  return front;
}
