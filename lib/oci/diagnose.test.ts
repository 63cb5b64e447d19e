import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startEcrFake } from "@/test/fakes/ecr";
import { startFakeRegistry, type FakeAuth } from "@/test/fakes/registry";
import { testRegistryConnection, type ConnectionTestInput } from "./diagnose";
import { MEDIA_TYPES } from "./manifest";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const sha = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;
const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const CONFIG = json({ os: "linux", architecture: "arm64", variant: "v8", rootfs: { type: "layers", diff_ids: [] } });
const IMAGE = json({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha(CONFIG), size: CONFIG.length }, layers: [{ size: 3 * 1024 * 1024 }] });
const INDEX = json({
  schemaVersion: 2,
  mediaType: MEDIA_TYPES.ociIndex,
  manifests: [
    { mediaType: MEDIA_TYPES.ociManifest, digest: sha(IMAGE), size: IMAGE.length, platform: { os: "linux", architecture: "amd64" } },
    { mediaType: MEDIA_TYPES.ociManifest, digest: sha(IMAGE), size: IMAGE.length, platform: { os: "linux", architecture: "arm64" } },
  ],
});

async function registry(auth: FakeAuth) {
  const r = await startFakeRegistry(auth);
  r.manifests.set("team/app:1.0", { body: INDEX, mediaType: MEDIA_TYPES.ociIndex });
  r.manifests.set("team/app:single", { body: IMAGE, mediaType: MEDIA_TYPES.ociManifest });
  r.blobs.set(sha(CONFIG), CONFIG);
  cleanups.push(() => r.close());
  return r;
}

const run = (input: Partial<ConnectionTestInput> & Pick<ConnectionTestInput, "endpoint">) =>
  testRegistryConnection({ dockerHubRegistry: "registry-1.docker.io", allowPrivate: true, timeoutMs: 2000, ...input });
const names = (r: { steps: { name: string }[] }) => r.steps.map((s) => s.name);
const basic = { kind: "basic" as const, username: "u", password: "p" };

describe("testRegistryConnection", () => {
  it("all steps pass for a Basic registry and an index: platforms and digest", async () => {
    const r = await registry({ kind: "basic", username: "u", password: "p" });
    const res = await run({ endpoint: r.url, credentials: basic, image: "team/app:1.0" });
    expect(res.ok).toBe(true);
    expect(names(res)).toEqual(["Endpoint", "Resolve host", "Connect", "GET /v2/", "Authenticate (Basic)", "Manifest team/app:1.0"]);
    expect(res.steps.every((s) => s.ok)).toBe(true);
    expect(res.steps[3]).toMatchObject({ status: 401, detail: "Registry API v2; it asks for Basic authentication." });
    expect(res.steps[4]).toMatchObject({ status: 200, detail: "Credentials accepted for u." });
    expect(res.steps[5]!.detail).toBe(`Multi-platform index (OCI image index) with 2 platforms: linux/amd64, linux/arm64. Digest ${sha(INDEX)}.`);
    expect(res.manifest).toMatchObject({ kind: "index", digest: sha(INDEX), repository: "team/app", reference: "1.0" });
  });

  it("a single image shows its platform from the config, layers and size", async () => {
    const r = await registry({ kind: "none" });
    const res = await run({ endpoint: r.url, image: `${r.host}/team/app:single` });
    expect(res.ok).toBe(true);
    expect(names(res)).not.toContain("Authenticate (Basic)"); // nothing asked for credentials
    expect(res.steps.at(-1)!.detail).toBe(`Single image (OCI manifest) for linux/arm64/v8: 1 layer, 3.0 MiB. Digest ${sha(IMAGE)}.`);
  });

  it("Bearer: names the realm, and a wrong password is 'credentials rejected'", async () => {
    const r = await registry({ kind: "bearer", username: "u", password: "p" });
    const good = await run({ endpoint: r.url, credentials: basic, image: "team/app:1.0" });
    expect(good.ok).toBe(true);
    expect(names(good)).toContain(`Authenticate (Bearer token from ${new URL(r.url).hostname})`);
    expect(new URL(r.tokenRequests.at(-1)!.path, "http://x").searchParams.get("scope")).toBe("repository:team/app:pull");

    const bad = await run({ endpoint: r.url, credentials: { ...basic, password: "nope" } });
    expect(bad.ok).toBe(false);
    expect(bad.steps.at(-1)).toMatchObject({ ok: false, status: 401 });
    expect(bad.steps.at(-1)!.detail).toMatch(/^Credentials rejected by the token service/);
  });

  it("wrong Basic password, missing credentials, missing tag", async () => {
    const r = await registry({ kind: "basic", username: "u", password: "p" });
    const wrong = await run({ endpoint: r.url, credentials: { ...basic, password: "x" } });
    expect(wrong.steps.at(-1)).toMatchObject({ name: "Authenticate (Basic)", ok: false, status: 401 });
    expect(wrong.steps.at(-1)!.detail).toMatch(/^Credentials rejected \(401\): the registry did not accept the password for u\./);

    const none = await run({ endpoint: r.url });
    expect(none.steps.at(-1)!.detail).toBe("The registry requires credentials, but none are set for it.");

    const missing = await run({ endpoint: r.url, credentials: basic, image: "team/app:nope" });
    expect(missing.ok).toBe(false);
    expect(missing.steps.at(-1)).toMatchObject({ name: "Manifest team/app:nope", ok: false, status: 404 });
    expect(missing.steps.at(-1)!.detail).toMatch(/^Image or tag not found \(404\): team\/app:nope does not exist/);
  });

  it("403, 429, an unknown repository and a non-manifest in words", async () => {
    const r = await registry({ kind: "none" });
    r.intercept = (req, res) => {
      if (req.url?.includes("/denied/")) res.writeHead(403, { "content-type": "application/json" }).end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}');
      else if (req.url?.includes("/busy/")) res.writeHead(429, { "retry-after": "30" }).end();
      else if (req.url?.includes("/html/")) res.writeHead(200, { "content-type": "text/html" }).end("<html>login</html>");
      else if (req.url?.includes("/ghost/")) res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}');
      else return false;
      return true;
    };
    const denied = await run({ endpoint: r.url, image: "team/denied:1" });
    expect(denied.steps.at(-1)!.detail).toMatch(/^No access to that repository \(403\).*requested access to the resource is denied/);
    const busy = await run({ endpoint: r.url, image: "team/busy:1" });
    const html = await run({ endpoint: r.url, image: "team/html:1" });
    expect(html.steps.at(-1)).toMatchObject({ ok: false, detail: "The registry answered team/html:1 with something that is not a JSON manifest (Content-Type text/html)." });
    const ghost = await run({ endpoint: r.url, image: "team/ghost:1" });
    expect(ghost.steps.at(-1)!.detail).toMatch(/^Image not found \(404\): the repository team\/ghost does not exist on this registry\./);
    expect(busy.steps.at(-1)).toMatchObject({ status: 429, detail: "Rate limited (429): the registry is refusing requests for now; retry after 30 s." });
  });

  it("not a registry: /v2/ is 404", async () => {
    const s = http.createServer((_, res) => res.writeHead(404).end("not here"));
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise((r) => s.close(() => r())));
    const res = await run({ endpoint: `http://127.0.0.1:${(s.address() as AddressInfo).port}` });
    expect(res.steps.at(-1)).toMatchObject({ name: "GET /v2/", ok: false, status: 404 });
    expect(res.steps.at(-1)!.detail).toMatch(/^No registry API at this endpoint/);
  });

  it("network failures stop at the step that failed", async () => {
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const port = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    const refused = await run({ endpoint: `http://127.0.0.1:${port}` });
    expect(names(refused)).toEqual(["Endpoint", "Resolve host", "Connect"]);
    expect(refused.steps.at(-1)!.detail).toBe(`Connection refused: nothing is listening on 127.0.0.1:${port}. Is the registry running, and is the port right?`);

    const resolve = async (h: string) => (h === "meta.test" ? [{ address: "169.254.169.254", family: 4 as const }] : Promise.reject(Object.assign(new Error("x"), { code: "ENOTFOUND" })));
    const dns = await run({ endpoint: "registry.nowhere.test", resolve });
    expect(dns.steps.at(-1)).toMatchObject({ name: "Resolve host", ok: false, detail: "DNS name not found: registry.nowhere.test has no address. Check the spelling of the endpoint." });
    const blocked = await run({ endpoint: "meta.test", resolve, allowPrivate: false });
    expect(blocked.steps.at(-1)!.detail).toMatch(/^meta\.test resolves to 169\.254\.169\.254, which is a link-local address/);
  });

  it("a hanging registry times out at the step it hangs in", async () => {
    const s = http.createServer(() => {});
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise((r) => (s.closeAllConnections(), s.close(() => r()))));
    const res = await run({ endpoint: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, timeoutMs: 300 });
    expect(res.steps.at(-1)).toMatchObject({ name: "GET /v2/", ok: false });
    expect(res.steps.at(-1)!.detail).toMatch(/did not answer within 0\.3 s/);
  });

  it("bad input is reported before any traffic", async () => {
    const r = await registry({ kind: "none" });
    expect((await run({ endpoint: "ftp://x" })).steps).toMatchObject([{ name: "Endpoint", ok: false }]);
    const wrongHost = await run({ endpoint: r.url, image: "quay.io/team/app:1" });
    expect(wrongHost.steps.at(-1)).toMatchObject({ name: "Image reference", ok: false });
    expect(wrongHost.steps.at(-1)!.detail).toMatch(/names the registry quay\.io, but this test is for 127\.0\.0\.1/);
    expect((await run({ endpoint: r.url, image: "Team/App" })).steps.at(-1)!.name).toBe("Image reference");
    expect(r.requests).toHaveLength(0);
  });

  it("ECR: GetAuthorizationToken, then Basic; a bad key stops there", async () => {
    const ecr = await startEcrFake({ keys: { AKIAFAKE: { secretAccessKey: "sk", password: "pw" } } });
    cleanups.push(() => ecr.close());
    const r = await registry({ kind: "basic", username: "AWS", password: "pw" });
    const ok = await run({ endpoint: r.url, credentials: { kind: "ecr", accessKeyId: "AKIAFAKE", secretAccessKey: "sk", region: "us-east-1", endpoint: ecr.endpoint }, image: "team/app:1.0" });
    expect(ok.ok).toBe(true);
    expect(names(ok)).toEqual(["Endpoint", "Resolve host", "Connect", "GET /v2/", "Authenticate (ECR GetAuthorizationToken)", "Authenticate (Basic)", "Manifest team/app:1.0"]);
    expect(ok.steps[5]!.detail).toBe("Credentials accepted for AWS (access key AKIAFAKE).");
    const bad = await run({ endpoint: r.url, credentials: { kind: "ecr", accessKeyId: "AKIANOPE", secretAccessKey: "sk", region: "us-east-1", endpoint: ecr.endpoint } });
    expect(bad.steps.at(-1)).toMatchObject({ name: "Authenticate (ECR GetAuthorizationToken)", ok: false, status: 400 });
    expect(bad.steps.at(-1)!.detail).toMatch(/AWS does not recognise the access key ID/);
  });
});
