import fs from "node:fs/promises";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { ResolveFn } from "@/lib/oci/address";
import { UpstreamError } from "@/lib/oci/errors";
import { idleConnections } from "@/lib/oci/head-exchange";
import { send, type TransportRequest } from "@/lib/oci/transport";
import { buildOciImage, generateSigningCert, pushImage, requireBinaries, startDistribution, type Distribution } from "@/test/support/registry";

/**
 * Manifest HEADs go out on sockets of their own (lib/oci/head-exchange.ts), not node:http's
 * client: against a real Distribution, and against servers that answer wrong on purpose — every
 * answer a person could be misled by is an error in words, and a connection is reused only when
 * it can be trusted with the next request.
 */

const head = (url: string, extra: Partial<TransportRequest> = {}) =>
  send({ url: new URL(url), method: "HEAD", headers: { accept: "application/vnd.oci.image.manifest.v1+json" }, timeoutMs: 5_000, idleTimeoutMs: 5_000, policy: { allowPrivate: true }, ...extra });

const failure = async (p: Promise<unknown>): Promise<UpstreamError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, "an UpstreamError").toBeInstanceOf(UpstreamError);
  return e as UpstreamError;
};

/** A TCP server that answers each request head with `answer(requestHead, n)` (n: the request's number on its connection); undefined: no answer. */
async function rawServer(answer: (request: string, n: number, socket: net.Socket) => string | undefined) {
  const requests: string[] = [];
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let pending = "";
    let n = 0;
    socket.setEncoding("latin1");
    socket.on("error", () => {});
    socket.on("data", (chunk: string) => {
      pending += chunk;
      let end;
      while ((end = pending.indexOf("\r\n\r\n")) !== -1) {
        const request = pending.slice(0, end);
        pending = pending.slice(end + 4);
        requests.push(request);
        const text = answer(request, ++n, socket);
        if (text !== undefined && !socket.destroyed) socket.write(text, "latin1");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const OK = "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.oci.image.manifest.v1+json\r\ncontent-length: 528\r\ndocker-content-digest: sha256:" + "a".repeat(64) + "\r\n\r\n";

describe("HEAD exchange against servers that answer wrong", () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  const serve = async (answer: Parameters<typeof rawServer>[0]) => {
    const s = await rawServer(answer);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it("reads a well-formed answer and reuses the connection for the next twenty", async () => {
    const s = await serve(() => OK);
    for (let i = 0; i < 21; i++) {
      const res = await head(`${s.url}/v2/app/manifests/1.0`);
      expect(res.status).toBe(200);
      expect(res.headers["docker-content-digest"]).toBe("sha256:" + "a".repeat(64));
      expect(res.headers["content-length"]).toBe("528");
    }
    expect(s.connections()).toBe(1);
    expect(s.requests[0]).toMatch(/^HEAD \/v2\/app\/manifests\/1\.0 HTTP\/1\.1\r\n/);
    expect(s.requests[0]).toContain(`\r\nhost: 127.0.0.1:${s.port}`);
    expect(s.requests[0]).toContain("\r\naccept: application/vnd.oci.image.manifest.v1+json");
  });

  it("combines repeated headers as node:http does", async () => {
    const s = await serve(() => "HTTP/1.1 200 OK\r\nContent-Type: a/b\r\ncontent-type: c/d\r\nX-Tag: 1\r\nx-tag: 2\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nLink:   <x>; rel=next  \r\n\r\n");
    const res = await head(`${s.url}/v2/app/manifests/1.0`);
    expect(res.headers["content-type"]).toBe("a/b");
    expect(res.headers["x-tag"]).toBe("1, 2");
    expect(res.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(res.headers.link).toBe("<x>; rel=next");
  });

  it("skips interim answers (100 Continue, 103 Early Hints) for the final one", async () => {
    const s = await serve(() => "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n" + OK);
    expect((await head(`${s.url}/v2/app/manifests/1.0`)).status).toBe(200);
  });

  it("does not reuse a connection whose HEAD answer came with a body, or that said Connection: close", async () => {
    const withBody = await serve(() => OK + "x".repeat(528));
    expect((await head(`${withBody.url}/v2/app/manifests/1.0`)).status).toBe(200);
    expect((await head(`${withBody.url}/v2/app/manifests/1.0`)).status).toBe(200);
    expect(withBody.connections()).toBe(2);

    const closing = await serve(() => "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
    await head(`${closing.url}/v2/app/manifests/1.0`);
    await head(`${closing.url}/v2/app/manifests/1.0`);
    expect(closing.connections()).toBe(2);

    const old = await serve(() => "HTTP/1.0 200 OK\r\n\r\n");
    await head(`${old.url}/v2/app/manifests/1.0`);
    await head(`${old.url}/v2/app/manifests/1.0`);
    expect(old.connections()).toBe(2);
  });

  it("refuses malformed heads in words, and never reuses their connection", async () => {
    const cases: Array<[string, RegExp]> = [
      ["HTTP/1.1 2000 OK\r\n\r\n", /sent a malformed status line/],
      ["SSH-2.0-OpenSSH\r\n\r\n", /sent a malformed status line/],
      ["HTTP/1.1 200 OK\r\nx-a: 1\r\n folded\r\n\r\n", /sent a malformed header line/],
      ["HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", /sent a malformed header line/],
      ["HTTP/1.1 200 OK\r\nbad name: 1\r\n\r\n", /sent a malformed header line/],
      ["HTTP/1.1 200 OK\r\nx-a: 1\nx-b: 2\r\n\r\n", /sent an invalid character in its x-a header/],
      ["HTTP/1.1 101 Switching Protocols\r\n\r\n", /protocol switch/],
      [`HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(70_000)}\r\n\r\n`, /head is larger than 64 KiB/],
    ];
    for (const [answer, message] of cases) {
      const s = await serve(() => answer);
      const e = await failure(head(`${s.url}/v2/app/manifests/1.0`));
      expect(e.reason, answer.slice(0, 60)).toBe("protocol");
      expect(e.message).toMatch(message);
      // The next request does not meet what is left of that answer on the same connection.
      s.requests.length = 0;
      await failure(head(`${s.url}/v2/app/manifests/1.0`));
      expect(s.connections(), answer.slice(0, 60)).toBe(2);
    }
  });

  it("sends nothing when a header would inject a line", async () => {
    const s = await serve(() => OK);
    const e = await failure(head(`${s.url}/v2/app/manifests/1.0`, { headers: { authorization: "Bearer x\r\nx-injected: 1" } }));
    expect(e.message).toBe(`The request to 127.0.0.1:${s.port} was not sent: its authorization header holds an invalid character.`);
    expect(s.connections()).toBe(0);
  });

  it("sends a URL's userinfo as Basic credentials, unless an Authorization header is given", async () => {
    const s = await serve(() => OK);
    await head(`http://ve%40ndor:p%3Ass@127.0.0.1:${s.port}/v2/app/manifests/1.0`);
    expect(s.requests[0]).toContain(`\r\nauthorization: Basic ${Buffer.from("ve@ndor:p:ss").toString("base64")}`);
    await head(`http://vendor:pass@127.0.0.1:${s.port}/v2/app/manifests/1.0`, { headers: { authorization: "Bearer t" } });
    expect(s.requests[1]).toContain("\r\nauthorization: Bearer t");
    expect(s.requests[1]).not.toContain("Basic");
  });

  it("sends a request again on a new connection when the server closed a kept-alive one as it arrived", async () => {
    // The second request on any connection is dropped unanswered: what a server closing an idle
    // connection does to a request that crosses its close.
    const s = await serve((_request, n, socket) => (n === 2 ? void socket.destroy() : OK));
    expect((await head(`${s.url}/v2/app/manifests/1.0`)).status).toBe(200);
    expect((await head(`${s.url}/v2/app/manifests/1.0`)).status).toBe(200);
    expect(s.connections()).toBe(2);
  });

  it("after a server restart closed every kept-alive connection, the next request still gets through, on a new one", async () => {
    const s = await serve((_request, n, socket) => (n === 2 ? void socket.destroy() : OK));
    // Two requests at once: two connections, both kept alive, both to be dropped on their next request.
    await Promise.all([head(`${s.url}/v2/app/manifests/1.0`), head(`${s.url}/v2/app/manifests/1.0`)]);
    expect(s.connections()).toBe(2);
    expect((await head(`${s.url}/v2/app/manifests/1.0`)).status).toBe(200);
    expect(s.connections()).toBe(3);
  });

  it("connections the server closes while idle leave the pool, and their origin with them", async () => {
    const s = await serve(() => OK);
    await Promise.all([1, 2, 3].map(() => head(`${s.url}/v2/app/manifests/1.0`)));
    expect(s.connections()).toBe(3);
    expect(idleConnections().get(s.url)).toBe(3);
    await s.close();
    await vi.waitFor(() => expect(idleConnections().has(s.url)).toBe(false));
  });

  it("a new connection closed without an answer is an error in words, not sent twice", async () => {
    const s = await serve((_request, _n, socket) => void socket.destroy());
    const e = await failure(head(`${s.url}/v2/app/manifests/1.0`));
    expect(e.message).toBe(`127.0.0.1:${s.port} closed the connection unexpectedly.`);
    expect(s.requests).toHaveLength(1);
  });

  it("gives up after the timeout, and on the caller's abort", async () => {
    const s = await serve(() => undefined);
    const e = await failure(head(`${s.url}/v2/app/manifests/1.0`, { timeoutMs: 300 }));
    expect(e.message).toBe(`Timed out: 127.0.0.1:${s.port} did not answer within 0.3 s.`);
    const controller = new AbortController();
    const pending = head(`${s.url}/v2/app/manifests/1.0`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).reason).toBe("aborted");
  });

  it("nothing listening: connection refused, in words", async () => {
    const s = await serve(() => OK);
    const url = `${s.url}/v2/app/manifests/1.0`;
    await s.close();
    servers.pop();
    expect((await failure(head(url))).reason).toBe("refused");
  });

  it("a name that resolves to a private address is refused unless the policy allows it", async () => {
    const s = await serve(() => OK);
    const resolve: ResolveFn = async () => [{ address: "127.0.0.1", family: 4 }];
    const e = await failure(head(`http://registry.example.test:${s.port}/v2/app/manifests/1.0`, { policy: { allowPrivate: false, resolve } }));
    expect(e.reason).toBe("blocked");
    expect(s.connections()).toBe(0);
    expect((await head(`http://registry.example.test:${s.port}/v2/app/manifests/1.0`, { policy: { allowPrivate: true, resolve } })).status).toBe(200);
    expect(s.requests[0]).toContain(`\r\nhost: registry.example.test:${s.port}`);
  });
});

describe.skipIf(!requireBinaries("openssl"))("HEAD exchange over TLS", () => {
  let server: https.Server;
  let certPem: string;
  let port: number;
  const seen: Array<{ servername: string | false | null; connection: number }> = [];
  let connections = 0;
  const resolve: ResolveFn = async () => [{ address: "127.0.0.1", family: 4 }];

  beforeAll(async () => {
    const cert = await generateSigningCert("registry.example.test");
    certPem = cert.certPem;
    server = https.createServer({ key: cert.keyPem, cert: cert.certPem, keepAliveTimeout: 10_000 }, (req, res) => {
      seen.push({ servername: (req.socket as import("node:tls").TLSSocket).servername, connection: connections });
      res.writeHead(200, { "docker-content-digest": "sha256:" + "b".repeat(64), "content-length": "10" }).end();
    });
    server.on("secureConnection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it("verifies the certificate against the policy's CAs, sends SNI and reuses the TLS connection", async () => {
    const policy = { allowPrivate: true, resolve, ca: certPem };
    for (let i = 0; i < 5; i++) {
      const res = await head(`https://registry.example.test:${port}/v2/app/manifests/1.0`, { policy });
      expect(res.status).toBe(200);
      expect(res.headers["docker-content-digest"]).toBe("sha256:" + "b".repeat(64));
    }
    expect(seen.map((s) => s.servername)).toEqual(Array(5).fill("registry.example.test"));
    expect(connections).toBe(1);
  });

  it("an untrusted certificate is a TLS error in words", async () => {
    const e = await failure(head(`https://registry.example.test:${port}/v2/app/manifests/1.0`, { policy: { allowPrivate: true, resolve } }));
    expect(e.message).toBe(`TLS error: registry.example.test:${port} is not trusted — its certificate is self-signed.`);
  });

  it("a trusted certificate for another name is a host-name error", async () => {
    const e = await failure(head(`https://127.0.0.1:${port}/v2/app/manifests/1.0`, { policy: { allowPrivate: true, ca: certPem } }));
    expect(e.message).toBe(`TLS error: 127.0.0.1:${port} is not trusted — its certificate is for a different host name.`);
  });
});

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("HEAD exchange against Distribution", () => {
  let reg: Distribution;
  let work: string;
  let digest: string;

  beforeAll(async () => {
    reg = await startDistribution({ auth: "htpasswd", users: { vendor: "correct horse" } });
    work = await fs.mkdtemp(path.join(os.tmpdir(), "oci-head-"));
    const image = await buildOciImage(path.join(work, "image"), { layers: [{ sizeBytes: 4096 }], tag: "1.0" });
    await pushImage(image.dir, `${reg.host}/team/app:1.0`, { creds: { username: "vendor", password: "correct horse" } });
    digest = image.digest;
  });
  afterAll(async () => {
    await reg?.stop();
    await fs.rm(work, { recursive: true, force: true });
  });

  it("a manifest HEAD answers its digest and size; without credentials, 401 with the challenge", async () => {
    const authorization = `Basic ${Buffer.from("vendor:correct horse").toString("base64")}`;
    const accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
    const res = await head(`${reg.url}/v2/team/app/manifests/1.0`, { headers: { accept, authorization } });
    expect(res.status).toBe(200);
    expect(res.headers["docker-content-digest"]).toBe(digest);
    expect(Number(res.headers["content-length"])).toBeGreaterThan(0);
    const denied = await head(`${reg.url}/v2/team/app/manifests/1.0`, { headers: { accept } });
    expect(denied.status).toBe(401);
    expect(denied.headers["www-authenticate"]).toMatch(/^Basic realm=/);
    const missing = await head(`${reg.url}/v2/team/app/manifests/2.0`, { headers: { accept, authorization } });
    expect(missing.status).toBe(404);
  });
});
