import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthCache } from "@/lib/oci/auth-cache";
import { testRegistryConnection } from "@/lib/oci/diagnose";
import { normalizeEndpoint } from "@/lib/oci/endpoint";
import { RegistryClient } from "@/lib/oci/registry-client";
import { readLimited } from "@/lib/oci/transport";
import { buildOciImage, pushImage, requireBinaries, startDistribution, startTokenServer, type BuiltImage, type Distribution, type TokenServer } from "@/test/support/registry";

/**
 * The Bearer flow against a real Distribution with `auth: token`, fed by the harness's token
 * service (ES256, libtrust kid): what Docker Hub, GHCR, Quay and Harbor make clients do.
 */

const vendor = { username: "vendor", password: "v-pass" };
const outsider = { username: "outsider", password: "o-pass" };

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "openssl"))("Bearer token upstream (Distribution auth: token)", () => {
  let ts: TokenServer;
  let reg: Distribution;
  let work: string;
  let img: BuiltImage;

  beforeAll(async () => {
    ts = await startTokenServer({
      service: "registry.test",
      users: { vendor: vendor.password, outsider: outsider.password },
      // The outsider may authenticate but may not pull team/app.
      access: (user, name, requested) => (user === "vendor" || (user === "outsider" && name !== "team/app") ? requested : []),
    });
    reg = await startDistribution({ auth: { token: { realm: ts.realm, service: ts.service, issuer: ts.issuer, rootCertBundle: ts.certPem } } });
    work = await fs.mkdtemp(path.join(os.tmpdir(), "oci-token-"));
    img = await buildOciImage(work, { layers: [{ sizeBytes: 100_000 }], platforms: ["linux/amd64", "linux/arm64"], tag: "1.0" });
    await pushImage(work, `${reg.host}/team/app:1.0`, { creds: vendor, all: true });
  });
  afterAll(async () => {
    await reg?.stop();
    await ts?.close();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  const endpoint = () => normalizeEndpoint(reg.url, { dockerHubRegistry: "registry-1.docker.io", allowPrivate: true });

  it("the connection test names the realm and gets a token for the image's scope", async () => {
    const before = ts.requests.length;
    const res = await testRegistryConnection({ endpoint: reg.url, credentials: { kind: "basic", ...vendor }, image: "team/app:1.0", allowPrivate: true, dockerHubRegistry: "x" });
    expect(res.steps.filter((s) => !s.ok)).toEqual([]);
    expect(res.steps.map((s) => s.name)).toEqual(["Endpoint", "Resolve host", "Connect", "GET /v2/", `Authenticate (Bearer token from ${new URL(ts.realm).hostname})`, "Manifest team/app:1.0"]);
    expect(res.steps[4]!.detail).toBe(`Credentials accepted for vendor: the token service at ${new URL(ts.realm).hostname} issued a token for repository:team/app:pull and the registry accepted it.`);
    expect(res.manifest).toMatchObject({ kind: "index", digest: img.digest });
    expect(ts.requests.slice(before)).toContainEqual({ user: "vendor", scopes: ["repository:team/app:pull"], status: 200 });
  });

  it("the client caches the token per scope: many requests, one token", async () => {
    const c = new RegistryClient({ endpoint: endpoint(), credentials: { kind: "basic", ...vendor }, policy: { allowPrivate: true }, cache: new AuthCache() });
    const before = ts.requests.length;
    for (let i = 0; i < 3; i++) {
      const res = await c.getManifest("team/app", "1.0");
      expect(res.status).toBe(200);
      expect(res.digest).toBe(img.digest);
      await readLimited(res.body, 1e6);
    }
    const blob = await c.getBlob("team/app", img.layers[0]!.digest);
    expect(blob.status).toBe(200);
    blob.body.resume();
    expect(ts.requests.slice(before)).toEqual([{ user: "vendor", scopes: ["repository:team/app:pull"], status: 200 }]);
  });

  it("a wrong password is rejected by the token service, in words", async () => {
    const res = await testRegistryConnection({ endpoint: reg.url, credentials: { kind: "basic", username: "vendor", password: "nope" }, allowPrivate: true, dockerHubRegistry: "x" });
    expect(res.steps.at(-1)).toMatchObject({ name: `Authenticate (Bearer token from ${new URL(ts.realm).hostname})`, ok: false, status: 401 });
    expect(res.steps.at(-1)!.detail).toBe(`Credentials rejected by the token service ${ts.realm} (HTTP 401: authentication required).`);
  });

  it("valid credentials without access to the repository: no access", async () => {
    const res = await testRegistryConnection({ endpoint: reg.url, credentials: { kind: "basic", ...outsider }, image: "team/app:1.0", allowPrivate: true, dockerHubRegistry: "x" });
    expect(res.steps.at(-1)).toMatchObject({ name: "Manifest team/app:1.0", ok: false, status: 401 });
    expect(res.steps.at(-1)!.detail).toMatch(/^No access to that repository: the credentials are valid but don't allow pulling team\/app \(401 insufficient_scope\)/);
  });

  it("anonymous clients get an anonymous token, which this registry's policy gives no access", async () => {
    const c = new RegistryClient({ endpoint: endpoint(), policy: { allowPrivate: true }, cache: new AuthCache() });
    const before = ts.requests.length;
    const res = await c.getManifest("team/app", "1.0");
    expect(res.status).toBe(401);
    res.body.resume();
    expect(ts.requests.slice(before)).toEqual([{ scopes: ["repository:team/app:pull"], status: 200 }]);
  });
});
