import crypto from "node:crypto";
import http from "node:http";
import net from "node:net";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreClient } from "./blob-store";

/**
 * Reading whole blobs from a store: the answer's head is parsed by the client itself, as strictly as
 * the upstream clients parse theirs (http-head.ts), and the body read straight off the socket,
 * however the store cuts its answer into writes; answers it can't read that way (chunked, a
 * redirect) are read as before.
 */

const blob = crypto.randomBytes(300_000);
const digest = `sha256:${crypto.createHash("sha256").update(blob).digest("hex")}`;
const token = "store-token";
const seen: Array<{ path: string; authorization?: string }> = [];

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A raw server answering each repository its own way, to cover what Node's HTTP server would not write. */
let server: net.Server;
let base: string;
let redirectTarget: http.Server;

beforeAll(async () => {
  redirectTarget = http.createServer((req, res) => {
    seen.push({ path: req.url!, ...(req.headers.authorization && { authorization: req.headers.authorization }) });
    res.writeHead(200, { "content-length": String(blob.length) }).end(blob);
  });
  await new Promise<void>((resolve) => redirectTarget.listen(0, "127.0.0.1", resolve));
  const redirectUrl = `http://127.0.0.1:${(redirectTarget.address() as net.AddressInfo).port}/data`;

  server = net.createServer((socket) => {
    // The client may hang up on an answer it reads another way (chunked): not this test's concern.
    socket.on("error", () => {});
    let head = "";
    socket.on("data", (c: Buffer) => {
      head += c.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      const [requestLine, ...lines] = head.split("\r\n");
      const path = requestLine!.split(" ")[1]!;
      const authorization = lines.find((l) => l.toLowerCase().startsWith("authorization:"))?.slice("authorization:".length).trim();
      seen.push({ path, ...(authorization && { authorization }) });
      const repo = path.split("/")[2];
      if (repo === "split") {
        // The head in three writes, the body's first bytes in the same write as its end.
        socket.write("HTTP/1.1 200 OK\r\nContent-Ty");
        setTimeout(() => socket.write(`pe: application/octet-stream\r\nContent-Length: ${blob.length}\r\nEtag: "x"\r\n`), 5);
        setTimeout(() => socket.write(Buffer.concat([Buffer.from("\r\n"), blob.subarray(0, 1000)])), 10);
        setTimeout(() => socket.end(blob.subarray(1000)), 15);
      } else if (repo === "chunked") {
        socket.end(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${blob.length.toString(16)}\r\n${blob.toString("latin1")}\r\n0\r\n\r\n`, "latin1");
      } else if (repo === "early") {
        socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${blob.length}\r\n\r\n`), blob]));
      } else if (repo === "folded") {
        socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${blob.length}\r\nX-Note: one\r\n two\r\n\r\n`);
      } else if (repo === "moved") {
        socket.end(`HTTP/1.1 307 Temporary Redirect\r\nLocation: ${redirectUrl}\r\nContent-Length: 0\r\n\r\n`);
      } else socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => redirectTarget.close(resolve));
});

describe("StoreClient.open", () => {
  it("reads a whole blob whatever way the store cuts its answer, with its headers and the store's token", async () => {
    const stored = await new StoreClient({ url: base, repository: "split/app", token }).open(digest, { direct: true });
    expect(stored).toMatchObject({ status: 200, size: blob.length, headers: { "content-type": "application/octet-stream", etag: '"x"' } });
    expect((await collect(stored!.body)).equals(blob)).toBe(true);
    expect(seen.at(-1)).toEqual({ path: `/v2/split/app/blobs/${digest}`, authorization: `Bearer ${token}` });
  });

  it("reads a chunked answer, and follows a redirect without the token", async () => {
    const chunked = await new StoreClient({ url: base, repository: "chunked/app", token }).open(digest, { direct: true });
    expect((await collect(chunked!.body)).equals(blob)).toBe(true);
    const moved = await new StoreClient({ url: base, repository: "moved/app", token }).open(digest, { direct: true });
    expect((await collect(moved!.body)).equals(blob)).toBe(true);
    expect(seen.at(-1)).toEqual({ path: "/data" });
  });

  it("never writes a token that could break out of its header line into a request of its own", async () => {
    const before = seen.length;
    const opened = new StoreClient({ url: base, repository: "split/app", token: "t\r\nX-Injected: 1" }).open(digest, { direct: true });
    await expect(opened).rejects.toThrow();
    expect(seen.length).toBe(before);
  });

  it("skips an interim answer for the final one", async () => {
    const stored = await new StoreClient({ url: base, repository: "early/app", token }).open(digest, { direct: true });
    expect(stored?.status).toBe(200);
    expect((await collect(stored!.body)).equals(blob)).toBe(true);
  });

  it("refuses a malformed head in words, as the upstream clients do", async () => {
    const opened = new StoreClient({ url: base, repository: "folded/app", token }).open(digest, { direct: true });
    await expect(opened).rejects.toThrow(/^the cache store's answer is not well-formed HTTP\/1\.1: 127\.0\.0\.1:\d+ sent a malformed header line\.$/);
  });

  it("answers null for a blob the store doesn't have", async () => {
    expect(await new StoreClient({ url: base, repository: "missing/app", token }).open(digest, { direct: true })).toBeNull();
  });
});
