import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startEcrFake } from "@/test/fakes/ecr";
import { startFakeRegistry, type FakeAuth, type FakeRegistry } from "@/test/fakes/registry";
import { AuthCache } from "./auth-cache";
import type { RegistryCredentials } from "./credentials";
import { normalizeEndpoint } from "./endpoint";
import { UpstreamError } from "./errors";
import { MEDIA_TYPES } from "./manifest";
import { RegistryClient } from "./registry-client";
import { readLimited } from "./transport";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const sha = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;
const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: {}, layers: [] }));

async function registry(auth: FakeAuth): Promise<FakeRegistry> {
  const r = await startFakeRegistry(auth);
  r.manifests.set("team/app:1.0", { body: MANIFEST, mediaType: MEDIA_TYPES.ociManifest });
  cleanups.push(() => r.close());
  return r;
}

function client(r: { url: string }, credentials?: RegistryCredentials, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) {
  return new RegistryClient({
    endpoint: normalizeEndpoint(r.url, { dockerHubRegistry: "x.invalid", allowPrivate: true }),
    credentials,
    policy: { allowPrivate: true },
    cache: new AuthCache(),
    ...extra,
  });
}

const text = async (res: { body: NodeJS.ReadableStream }) => (await readLimited(res.body as never, 1e6)).toString();

describe("Basic upstream", () => {
  it("answers the challenge, then sends Basic straight away", async () => {
    const r = await registry({ kind: "basic", username: "u", password: "p" });
    const c = client(r, { kind: "basic", username: "u", password: "p" });
    const res = await c.getManifest("team/app", "1.0");
    expect(res.status).toBe(200);
    expect(res.digest).toBe(sha(MANIFEST));
    expect(res.contentType).toBe(MEDIA_TYPES.ociManifest);
    expect(await text(res)).toBe(MANIFEST.toString());
    expect(r.requests.map((q) => q.headers.authorization)).toEqual([undefined, `Basic ${Buffer.from("u:p").toString("base64")}`]);
    // The Accept header names OCI and Docker types, indexes included.
    expect(String(r.requests[0]!.headers.accept)).toContain(MEDIA_TYPES.ociIndex);
    expect(String(r.requests[0]!.headers.accept)).toContain(MEDIA_TYPES.dockerManifest);

    await (await c.getManifest("team/app", "1.0", { method: "HEAD" })).body.resume();
    expect(r.requests).toHaveLength(3);
    expect(r.requests[2]!.headers.authorization).toMatch(/^Basic /);
  });

  it("a wrong password comes back as the registry's 401, after one retry, not a loop", async () => {
    const r = await registry({ kind: "basic", username: "u", password: "p" });
    const res = await client(r, { kind: "basic", username: "u", password: "wrong" }).getManifest("team/app", "1.0");
    expect(res.status).toBe(401);
    expect(await text(res)).toContain("UNAUTHORIZED");
    expect(r.requests).toHaveLength(2);
  });

  it("ping: probe then authenticate", async () => {
    const r = await registry({ kind: "basic", username: "u", password: "p" });
    expect(await client(r, { kind: "basic", username: "u", password: "p" }).ping()).toMatchObject({ status: 200, scheme: "basic" });
    expect(await client(r, { kind: "basic", username: "u", password: "x" }).ping()).toMatchObject({ status: 401, scheme: "basic" });
    expect(await client(r).ping()).toMatchObject({ status: 401, scheme: "basic", missingCredentials: true });
  });

  it("GCR keys go as _json_key", async () => {
    const key = JSON.stringify({ type: "service_account", client_email: "a@b", private_key: "-----BEGIN PRIVATE KEY-----" });
    const r = await registry({ kind: "basic", username: "_json_key", password: key });
    expect((await client(r, { kind: "gcr", jsonKey: key }).getManifest("team/app", "1.0")).status).toBe(200);
  });

  it("lists tags", async () => {
    const r = await registry({ kind: "basic", username: "u", password: "p" });
    r.manifests.set("team/app:2.0", { body: MANIFEST, mediaType: MEDIA_TYPES.ociManifest });
    expect(await client(r, { kind: "basic", username: "u", password: "p" }).listTags("team/app")).toEqual({ status: 200, tags: ["1.0", "2.0"], errors: [] });
  });
});

describe("Bearer upstream", () => {
  const creds = { kind: "basic" as const, username: "u", password: "p" };

  it("gets a repository-scoped token with Basic, and reuses it", async () => {
    const r = await registry({ kind: "bearer", username: "u", password: "p" });
    const c = client(r, creds);
    expect((await c.getManifest("team/app", "1.0")).status).toBe(200);
    expect((await c.getManifest("team/app", "1.0")).status).toBe(200);
    expect(r.tokenRequests).toHaveLength(1);
    const q = new URL(r.tokenRequests[0]!.path, "http://x").searchParams;
    expect(q.get("scope")).toBe("repository:team/app:pull");
    expect(q.get("service")).toBe("fake-registry");
    expect(q.get("account")).toBe("u");
    expect(r.tokenRequests[0]!.headers.authorization).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
    expect(r.requests.map((x) => x.headers.authorization?.split(" ")[0])).toEqual([undefined, "Bearer", "Bearer"]);

    // Another repository is another scope: another token.
    await (await c.getManifest("team/other", "1.0")).body.resume();
    expect(r.tokenRequests).toHaveLength(2);
  });

  it("concurrent cold requests share one token fetch", async () => {
    const r = await registry({ kind: "bearer", username: "u", password: "p" });
    const c = client(r, creds);
    await c.ping();
    const all = await Promise.all(Array.from({ length: 8 }, () => c.getManifest("team/app", "1.0")));
    expect(all.map((x) => x.status)).toEqual(Array(8).fill(200));
    expect(r.tokenRequests.filter((t) => t.path.includes("scope="))).toHaveLength(1);
  });

  it("one caller aborting does not fail the token fetch other callers share", async () => {
    const r = await registry({ kind: "bearer", username: "u", password: "p" });
    const c = client(r, creds);
    await c.ping();
    const ac = new AbortController();
    const first = c.getManifest("team/app", "1.0", { signal: ac.signal });
    const second = c.getManifest("team/app", "1.0");
    setImmediate(() => ac.abort());
    await expect(first).rejects.toMatchObject({ reason: "aborted" });
    expect((await second).status).toBe(200);
  });

  it("a token the registry stops accepting is replaced once", async () => {
    const r = await registry({ kind: "bearer", username: "u", password: "p" });
    const c = client(r, creds);
    await (await c.getManifest("team/app", "1.0")).body.resume();
    r.revokeTokens();
    expect((await c.getManifest("team/app", "1.0")).status).toBe(200);
    expect(r.tokenRequests).toHaveLength(2);
  });

  it("expired tokens are not used: refresh before expires_in", async () => {
    const r = await registry({ kind: "bearer", username: "u", password: "p", expiresIn: 1 });
    const c = client(r, creds);
    await (await c.getManifest("team/app", "1.0")).body.resume();
    await new Promise((res) => setTimeout(res, 600)); // past half of a 1 s lifetime
    await (await c.getManifest("team/app", "1.0")).body.resume();
    expect(r.tokenRequests).toHaveLength(2);
  });

  it("credentials rejected by the realm throw a clear error without the password", async () => {
    const r = await registry({ kind: "bearer", username: "u", password: "p" });
    const e = await client(r, { kind: "basic", username: "u", password: "s3cret-pw" }).getManifest("team/app", "1.0").catch((x) => x);
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e).toMatchObject({ reason: "auth", status: 401 });
    expect(e.message).toMatch(/Credentials rejected by the token service http:\/\/127\.0\.0\.1:\d+\/token \(HTTP 401/);
    expect(JSON.stringify({ ...e, m: e.message, s: e.stack })).not.toContain("s3cret-pw");
  });

  it("anonymous: a token without Authorization or account", async () => {
    const r = await registry({ kind: "bearer", username: "u", password: "p" });
    expect((await client(r).getManifest("team/app", "1.0")).status).toBe(200);
    expect(r.tokenRequests[0]!.headers.authorization).toBeUndefined();
    expect(r.tokenRequests[0]!.path).not.toContain("account=");
  });
});

describe("blobs, redirects and aborts", () => {
  async function server(handler: http.RequestListener) {
    const s = http.createServer(handler);
    await new Promise<void>((res) => s.listen(0, "127.0.0.1", res));
    cleanups.push(() => new Promise<void>((res) => (s.closeAllConnections(), s.close(() => res()))));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }

  it("follows a blob redirect to another host without the Authorization header; same-origin hops keep it", async () => {
    const blob = crypto.randomBytes(1000);
    const digest = sha(blob);
    const storageSeen: http.IncomingHttpHeaders[] = [];
    const storage = await server((req, res) => {
      storageSeen.push(req.headers);
      res.end(blob);
    });
    const r = await registry({ kind: "basic", username: "u", password: "p" });
    r.intercept = (req, res) => {
      if (!req.url?.includes("/blobs/") || !req.headers.authorization) return false;
      if (req.url.includes("hop")) res.writeHead(307, { location: `${storage}/bucket/${digest}?X-Amz-Signature=abc` });
      else res.writeHead(307, { location: `${req.url}?hop=1` }); // same origin first
      res.end();
      return true;
    };
    const res = await client(r, { kind: "basic", username: "u", password: "p" }).getBlob("team/app", digest, { range: "bytes=0-" });
    expect(res.status).toBe(200);
    expect(sha(await readLimited(res.body, 1e6))).toBe(digest);
    const hops = r.requests.filter((q) => q.path.includes("/blobs/"));
    expect(hops.map((q) => !!q.headers.authorization)).toEqual([false, true, true]);
    expect(storageSeen).toHaveLength(1);
    expect(storageSeen[0]!.authorization).toBeUndefined();
    expect(storageSeen[0]!.range).toBe("bytes=0-");
  });

  it("an abort signal tears down the upstream request mid-body", async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((res) => (closed = res));
    const url = await server((req, res) => {
      res.writeHead(200, { "content-length": String(1 << 30) });
      const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024)), 5);
      res.on("close", () => (clearInterval(timer), closed()));
    });
    const ac = new AbortController();
    const res = await client({ url }).getBlob("a/b", `sha256:${"0".repeat(64)}`, { signal: ac.signal });
    const errored = new Promise((resolve) => res.body.on("error", resolve));
    res.body.once("data", () => ac.abort());
    res.body.resume();
    await expect(errored).resolves.toBeTruthy();
    await upstreamClosed;
  });

  it("a registry that never answers times out", async () => {
    const url = await server(() => {});
    const started = Date.now();
    const e = await client({ url }, undefined, { timeoutMs: 300 }).probe().catch((x) => x);
    expect(e).toMatchObject({ reason: "timeout" });
    expect(e.message).toMatch(/did not answer within 0\.3 s/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("a closed port is 'connection refused'", async () => {
    const s = http.createServer();
    await new Promise<void>((res) => s.listen(0, "127.0.0.1", res));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    await new Promise((res) => s.close(res));
    await expect(client({ url }).probe()).rejects.toMatchObject({ reason: "refused", code: "ECONNREFUSED" });
  });
});

describe("safety", () => {
  it("does not connect to a private address unless allowed", async () => {
    const r = await registry({ kind: "none" });
    const strict = new RegistryClient({ endpoint: { scheme: "http", host: r.host, hostname: "127.0.0.1", port: 0, baseUrl: r.url }, cache: new AuthCache() });
    await expect(strict.getManifest("team/app", "1.0")).rejects.toMatchObject({ reason: "blocked" });
    expect(r.requests).toHaveLength(0);
  });

  it("checks names at connect time too (DNS answers are checked, not trusted)", async () => {
    const r = await registry({ kind: "none" });
    const port = Number(r.host.split(":")[1]);
    const c = new RegistryClient({
      endpoint: { scheme: "http", host: `reg.test:${port}`, hostname: "reg.test", port, baseUrl: `http://reg.test:${port}` },
      policy: { resolve: async () => [{ address: "127.0.0.1", family: 4 }] },
      cache: new AuthCache(),
    });
    await expect(c.probe()).rejects.toMatchObject({ reason: "blocked" });
    expect(r.requests).toHaveLength(0);
  });

  it("never sends credentials over plain HTTP to a host that is not allowed insecure", async () => {
    const cache = new AuthCache();
    cache.set("challenge|http://reg.test", { scheme: "basic", params: {} }, Date.now() + 60_000);
    const c = new RegistryClient({
      endpoint: { scheme: "http", host: "reg.test", hostname: "reg.test", port: 80, baseUrl: "http://reg.test" },
      credentials: { kind: "basic", username: "u", password: "p" },
      policy: { resolve: async () => [{ address: "93.184.216.34", family: 4 }] },
      cache,
    });
    await expect(c.getManifest("a/b", "1")).rejects.toMatchObject({ reason: "insecure" });

    const cache2 = new AuthCache();
    cache2.set("challenge|https://reg.test", { scheme: "bearer", params: { realm: "http://auth.test/token" } }, Date.now() + 60_000);
    const c2 = new RegistryClient({
      endpoint: { scheme: "https", host: "reg.test", hostname: "reg.test", port: 443, baseUrl: "https://reg.test" },
      credentials: { kind: "basic", username: "u", password: "p" },
      cache: cache2,
      allowedRealmHosts: ["auth.test"], // allowed as a host, still not over plain HTTP
    });
    await expect(c2.getManifest("a/b", "1")).rejects.toThrow(/Refusing to send credentials to the token service http:\/\/auth\.test/);
  });

  it("refuses malformed repository names and references before any request", async () => {
    const r = await registry({ kind: "none" });
    const c = client(r);
    await expect(c.getManifest("../etc", "1")).rejects.toMatchObject({ ociCode: "NAME_INVALID" });
    await expect(c.getBlob("a/b", "sha256:../../x")).rejects.toMatchObject({ ociCode: "DIGEST_INVALID" });
    expect(r.requests).toHaveLength(0);
  });
});

describe("ECR", () => {
  it("GetAuthorizationToken once, then Basic AWS:<password>", async () => {
    const ecr = await startEcrFake({ keys: { AKIAFAKE: { secretAccessKey: "s3cr3t", password: "ecr-pass" } } });
    cleanups.push(() => ecr.close());
    const r = await registry({ kind: "basic", username: "AWS", password: "ecr-pass" });
    const cache = new AuthCache();
    const creds = { kind: "ecr" as const, accessKeyId: "AKIAFAKE", secretAccessKey: "s3cr3t", region: "us-east-1", endpoint: ecr.endpoint };
    const c = client(r, creds, { cache });
    expect((await c.getManifest("team/app", "1.0")).status).toBe(200);
    expect((await client(r, creds, { cache }).getManifest("team/app", "1.0")).status).toBe(200);
    expect(ecr.calls).toEqual([{ target: "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", accessKeyId: "AKIAFAKE", status: 200 }]);
  });

  it("explains an unknown key and a wrong secret, never echoing the secret", async () => {
    const ecr = await startEcrFake({ keys: { AKIAFAKE: { secretAccessKey: "s3cr3t", password: "ecr-pass" } } });
    cleanups.push(() => ecr.close());
    const r = await registry({ kind: "basic", username: "AWS", password: "ecr-pass" });
    const attempt = (accessKeyId: string, secretAccessKey: string) =>
      client(r, { kind: "ecr", accessKeyId, secretAccessKey, region: "us-east-1", endpoint: ecr.endpoint }).resolveCredentials().catch((x) => x);
    const unknown = await attempt("AKIAOTHER", "whatever-secret");
    expect(unknown.message).toMatch(/AWS does not recognise the access key ID \(UnrecognizedClientException, HTTP 400\)/);
    const wrong = await attempt("AKIAFAKE", "wrong-secret-value");
    expect(wrong.message).toMatch(/secret access key does not match.*InvalidSignatureException/);
    expect(wrong.message + wrong.stack).not.toContain("wrong-secret-value");
    expect(ecr.calls.map((x) => x.errorType)).toEqual(["UnrecognizedClientException", "InvalidSignatureException"]); // 4xx: not retried
  });
});
