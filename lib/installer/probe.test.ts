import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseImageReference } from "@/lib/oci/reference";
import { isLoopbackHost, probeImage, registryBaseUrl } from "./probe";

/** A registry on 127.0.0.1 that plays Docker Hub's part: anonymous tokens for everything, pulls only of public repositories. */
function startRegistry(mode: "bearer" | "bearer-no-anonymous" | "basic" | "open") {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url!.startsWith("/token")) {
      if (mode === "bearer-no-anonymous") {
        res.writeHead(401, { "content-type": "application/json" });
        return void res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
      }
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ token: "anon-token", expires_in: 300 }));
    }
    const m = req.url!.match(/^\/v2\/(.+)\/manifests\/(.+)$/);
    if (!m) return void res.writeHead(404).end();
    const repo = m[1]!;
    if (repo.startsWith("missing/")) return void res.writeHead(404, { "content-type": "application/json" }).end();
    const publicRepo = repo.startsWith("library/");
    if (mode === "open") return void res.writeHead(200, { "content-type": "application/vnd.oci.image.index.v1+json", "docker-content-digest": "sha256:" + "1".repeat(64) }).end();
    if (mode === "basic") return void res.writeHead(401, { "www-authenticate": 'Basic realm="registry"' }).end();
    if (req.headers.authorization === "Bearer anon-token" && publicRepo) {
      return void res.writeHead(200, { "content-type": "application/vnd.oci.image.index.v1+json", "docker-content-digest": "sha256:" + "2".repeat(64) }).end();
    }
    res.writeHead(401, { "www-authenticate": `Bearer realm="${base}/token",service="registry.test",scope="repository:${repo}:pull"` }).end();
  });
  return new Promise<{ host: string; requests: string[]; close: () => Promise<void> }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ host: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) }),
    ),
  );
}

describe("probeImage", () => {
  let bearer: Awaited<ReturnType<typeof startRegistry>>;
  let noAnon: Awaited<ReturnType<typeof startRegistry>>;
  let basic: Awaited<ReturnType<typeof startRegistry>>;
  let open: Awaited<ReturnType<typeof startRegistry>>;
  beforeAll(async () => {
    [bearer, noAnon, basic, open] = await Promise.all([startRegistry("bearer"), startRegistry("bearer-no-anonymous"), startRegistry("basic"), startRegistry("open")]);
  });
  afterAll(() => Promise.all([bearer, noAnon, basic, open].map((r) => r?.close())));

  const ref = (image: string, hub = "registry-1.docker.io") => parseImageReference(image, { dockerHubRegistry: hub });
  const opts = { dockerHubRegistry: "registry-1.docker.io", timeoutMs: 3000 };

  it("public through the token dance: an anonymous token is enough to pull", async () => {
    const r = await probeImage(ref("nginx:1.25", `http://${bearer.host}`), { ...opts, dockerHubRegistry: `http://${bearer.host}` });
    expect(r).toMatchObject({ visibility: "public", reason: "public: anonymous pull allowed (anonymous token)" });
    expect(r.exchange.map((s) => [s.request.split("?")[0], s.status])).toEqual([
      [`HEAD http://${bearer.host}/v2/library/nginx/manifests/1.25`, 401],
      [`GET http://${bearer.host}/token`, 200],
      [`HEAD http://${bearer.host}/v2/library/nginx/manifests/1.25`, 200],
    ]);
    expect(r.exchange[1]!.request).toContain("scope=repository%3Alibrary%2Fnginx%3Apull");
    expect(r.exchange[0]!.received).toContain(`www-authenticate: Bearer realm="http://${bearer.host}/token",service="registry.test",scope="repository:library/nginx:pull"`);
    // No credential is ever shown.
    expect(JSON.stringify(r.exchange)).not.toContain("anon-token");
    expect(bearer.requests.filter((q) => q.startsWith("GET /token")).every((q) => q.endsWith(" -"))).toBe(true);
  });

  it("private: the anonymous token is refused (401 from the host)", async () => {
    const r = await probeImage(ref(`${bearer.host}/acme/api:2.0`), opts);
    expect(r).toMatchObject({ visibility: "private", reason: `401 from ${bearer.host} with an anonymous token` });
    expect(r.exchange).toHaveLength(3);
  });

  it("private: the token service gives no anonymous token", async () => {
    const r = await probeImage(ref(`${noAnon.host}/library/nginx:1`), opts);
    expect(r).toMatchObject({ visibility: "private", reason: `401 from ${noAnon.host} (no anonymous token for library/nginx)` });
  });

  it("private: Basic auth, 404, unreachable; public: an open registry", async () => {
    expect((await probeImage(ref(`${basic.host}/library/nginx:1`), opts)).reason).toBe(`401 from ${basic.host} (Basic auth required)`);
    expect(await probeImage(ref(`${open.host}/missing/x:1`), opts)).toMatchObject({ visibility: "private", reason: `404 from ${open.host}: not visible anonymously, treated as private` });
    const up = await probeImage(ref(`${open.host}/any/thing@sha256:${"3".repeat(64)}`), opts);
    expect(up).toMatchObject({ visibility: "public", reason: "public: anonymous pull allowed" });
    expect(up.exchange[0]!.request).toBe(`HEAD http://${open.host}/v2/any/thing/manifests/sha256:${"3".repeat(64)}`);
    const closed = await probeImage(ref("127.0.0.1:1/acme/x:1"), opts);
    expect(closed.visibility).toBe("private");
    expect(closed.reason).toMatch(/^unreachable: treated as private \(Connection refused/);
  });
});

describe("registryBaseUrl", () => {
  const o = { dockerHubRegistry: "registry-1.docker.io" };
  it("loopback and --insecure-registry hosts over plain HTTP, everything else over HTTPS", () => {
    expect(isLoopbackHost("localhost:5000")).toBe(true);
    expect(isLoopbackHost("127.0.0.2")).toBe(true);
    expect(isLoopbackHost("[::1]:5000")).toBe(true);
    expect(isLoopbackHost("10.0.0.1:5000")).toBe(false);
    expect(registryBaseUrl("127.0.0.1:5000", o)).toBe("http://127.0.0.1:5000");
    expect(registryBaseUrl("quay.io", o)).toBe("https://quay.io");
    expect(registryBaseUrl("harbor.lan:8080", { ...o, insecureRegistries: ["harbor.lan:8080"] })).toBe("http://harbor.lan:8080");
    expect(registryBaseUrl("harbor.lan:8080", { ...o, insecureRegistries: ["harbor.lan"] })).toBe("http://harbor.lan:8080");
    expect(registryBaseUrl("registry-1.docker.io", o)).toBe("https://registry-1.docker.io");
    expect(registryBaseUrl("127.0.0.1:7000", { dockerHubRegistry: "http://127.0.0.1:7000" })).toBe("http://127.0.0.1:7000");
  });
});
