import crypto from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProxyServer } from "@/proxy/server";
import { startEcrFake, type EcrFake } from "@/test/fakes/ecr";
import { addRegistry, createLicense, createTenant, type Tenant } from "@/test/support/factories";
import { licenseAuth, ociErrors, rawRequest } from "@/test/support/proxy";
import { proxyFixture } from "@/test/support/proxy-fixture";
import { serviceAccountKey } from "@/test/support/service-account-key";
import {
  buildOciImage,
  pullImage,
  pushImage,
  requireBinaries,
  skopeoInspect,
  startDistribution,
  startTokenServer,
  type BuiltImage,
  type Distribution,
  type TokenServer,
} from "@/test/support/registry";

/**
 * The registry proxy end to end: skopeo, with nothing but `LICENSE_ID:<license id>`, pulls
 * through the proxy from real CNCF Distribution upstreams — HTTP Basic (which Distribution's own
 * proxy can't do), the Docker token flow, ECR (GetAuthorizationToken against a fake of the AWS
 * API, then Basic) — with the portal's internal API served by its real route handlers on a test
 * database. Licenses are refused by status (401/403 DENIED), revocation is measured, and the pull
 * log reaches the database.
 */

const ECR_KEY = { id: "AKIAIOSFODNN7EXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", password: "ecr-registry-password-0123456789" };
const vendor = { username: "vendor", password: "vendor-upstream-pass" };
const metricsToken = crypto.randomBytes(24).toString("base64url");
const tokenUser = { username: "tokenuser", password: "token-upstream-pass" };
/** Sent as Basic `_json_key:<the JSON>` to the token realm gcr.io and Artifact Registry answer with. */
const GCR_KEY = serviceAccountKey("proj");

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd", "openssl"))("registry proxy: pulls with a license", () => {
  const fx = proxyFixture();
  let proxy: ProxyServer;
  let proxyHost: string;
  let proxyUrl: string;
  let basic: Distribution;
  let tokenReg: Distribution;
  let tokenServer: TokenServer;
  let ecrReg: Distribution;
  let ecr: EcrFake;
  let work: string;
  let app: Tenant;
  let otherApp: Tenant;
  let license: { id: string; licenseId: string };
  let img: BuiltImage;
  let nginx: BuiltImage;
  let tokImg: BuiltImage;
  let ecrImg: BuiltImage;
  const creds = () => ({ username: "LICENSE_ID", password: license.licenseId });

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "proxy-pull-"));
    [basic, tokenServer, ecr] = await Promise.all([
      startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } }),
      startTokenServer({ service: "registry.proxy-test", users: { [tokenUser.username]: tokenUser.password, _json_key: GCR_KEY } }),
      startEcrFake({ keys: { [ECR_KEY.id]: { secretAccessKey: ECR_KEY.secret, password: ECR_KEY.password } }, region: "eu-west-1" }),
    ]);
    [tokenReg, ecrReg] = await Promise.all([
      startDistribution({ auth: { token: { realm: tokenServer.realm, service: tokenServer.service, issuer: tokenServer.issuer, rootCertBundle: tokenServer.certPem } } }),
      startDistribution({ auth: "htpasswd", users: { AWS: ECR_KEY.password } }),
    ]);

    // The Basic upstream also plays Docker Hub: host-less names go to it.
    fx.setEnv({ DOCKER_HUB_REGISTRY: basic.url, AWS_ENDPOINT_URL_ECR: ecr.endpoint, AWS_REGION: "eu-west-1" });

    img = await buildOciImage(path.join(work, "api"), { layers: [{ sizeBytes: 300_000 }, { files: { "etc/app.conf": "x=1\n" } }], platforms: ["linux/amd64", "linux/arm64"], tag: "1.0" });
    nginx = await buildOciImage(path.join(work, "nginx"), { layers: [{ sizeBytes: 20_000 }], tag: "1.25" });
    tokImg = await buildOciImage(path.join(work, "tok"), { layers: [{ sizeBytes: 40_000 }], platforms: ["linux/amd64", "linux/arm64"], tag: "2.0" });
    ecrImg = await buildOciImage(path.join(work, "ecr"), { layers: [{ sizeBytes: 30_000 }], tag: "3.0" });
    await Promise.all([
      pushImage(img.dir, `${basic.host}/acme/api:1.0`, { creds: vendor, all: true }),
      pushImage(nginx.dir, `${basic.host}/library/nginx:1.25`, { creds: vendor }),
      pushImage(tokImg.dir, `${tokenReg.host}/team/tok:2.0`, { creds: tokenUser, all: true }),
      pushImage(ecrImg.dir, `${ecrReg.host}/acme/ecr:3.0`, { creds: { username: "AWS", password: ECR_KEY.password } }),
    ]);

    app = await createTenant(fx.db, { slug: "acme-app" });
    otherApp = await createTenant(fx.db, { slug: "other-app" });
    license = await createLicense(fx.db, app);
    await addRegistry(fx.db, app.teamId, { name: "basicreg", endpoint: basic.url, ...{ username: vendor.username, secret: vendor.password } });
    await addRegistry(fx.db, app.teamId, { name: "tokenreg", endpoint: tokenReg.url, username: tokenUser.username, secret: tokenUser.password });
    await addRegistry(fx.db, app.teamId, { provider: "ecr", name: "ecrreg", endpoint: ecrReg.url, username: ECR_KEY.id, secret: ECR_KEY.secret });
    // Another team's registry: never reachable with this team's license.
    await addRegistry(fx.db, otherApp.teamId, { name: "theirs", endpoint: "https://registry.other-team.example", username: "x", secret: "y" });
    // GCR in the other team (a team has one registry per endpoint): the token-auth Distribution,
    // whose token service knows _json_key with the full-size key.
    await addRegistry(fx.db, otherApp.teamId, { provider: "gcr", name: "gcrreg", endpoint: tokenReg.url, username: "puller@proj.iam.gserviceaccount.com", secret: GCR_KEY });

    ({ proxy, url: proxyUrl, host: proxyHost } = await fx.startProxy({ dockerHubRegistry: basic.url, pullLog: { flushIntervalMs: 200 }, metricsAccess: { token: metricsToken } }));
    return async () => {
      await Promise.all([basic?.stop(), tokenReg?.stop(), ecrReg?.stop(), tokenServer?.close(), ecr?.close()]);
      if (work) await fs.rm(work, { recursive: true, force: true });
    };
  });

  const ref = (image: string) => `${proxyHost}/proxy/acme-app/${image}`;

  it("GET /v2/: a Basic challenge without credentials, 200 with a valid license, 401 otherwise", async () => {
    const anon = await rawRequest(`${proxyUrl}/v2/`);
    expect(anon.status).toBe(401);
    expect(anon.headers["www-authenticate"]).toBe('Basic realm="Portcullis"');
    expect(anon.headers["docker-distribution-api-version"]).toBe("registry/2.0");
    expect(ociErrors(anon)[0]!.code).toBe("UNAUTHORIZED");

    expect((await rawRequest(`${proxyUrl}/v2/`, { headers: { authorization: licenseAuth(license.licenseId) } })).status).toBe(200);
    const wrong = await rawRequest(`${proxyUrl}/v2/`, { headers: { authorization: licenseAuth("A".repeat(27)) } });
    expect(wrong.status).toBe(401);
    expect(ociErrors(wrong)[0]).toMatchObject({ code: "UNAUTHORIZED", message: "The license ID is not valid." });
    const otherUser = await rawRequest(`${proxyUrl}/v2/`, { headers: { authorization: `Basic ${Buffer.from(`admin:${license.licenseId}`).toString("base64")}` } });
    expect(otherUser.status).toBe(401);
  });

  it("skopeo inspects a multi-platform index by tag through a Docker Hub-style name (Basic upstream)", async () => {
    const raw = await skopeoInspect(ref("acme/api:1.0"), { creds: creds(), raw: true });
    expect(raw.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect((raw.manifests as unknown[]).length).toBe(2);
    // Not raw: skopeo picks the platform and reads its config blob through the proxy too.
    const inspected = await skopeoInspect(ref("acme/api:1.0"), { creds: creds() });
    expect(inspected.Digest).toBe(img.digest);
    expect(inspected.Architecture).toBe("amd64");
  });

  it("skopeo copy --all by tag through a registry name: every platform, digests intact", async () => {
    const dest = path.join(work, "pulled-all");
    await pullImage(`${ref("basicreg/acme/api")}:1.0`, dest, { creds: creds(), all: true });
    const index = JSON.parse(await fs.readFile(path.join(dest, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(img.digest);
    for (const layer of img.layers) await expect(fs.stat(path.join(dest, "blobs", "sha256", layer.digest.slice(7)))).resolves.toBeTruthy();
  });

  it("pulls by digest from a token-auth upstream (Bearer realm with the repository scope)", async () => {
    const before = tokenServer.requests.length;
    const arm = tokImg.manifests[1]!;
    const dest = path.join(work, "pulled-digest");
    await pullImage(`${ref("tokenreg/team/tok")}@${arm.digest}`, dest, { creds: creds() });
    const index = JSON.parse(await fs.readFile(path.join(dest, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(arm.digest);
    const asked = tokenServer.requests.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.user === tokenUser.username && r.status === 200)).toBe(true);
    expect(asked.flatMap((r) => r.scopes)).toContain("repository:team/tok:pull");
  });

  it("pulls from ECR: GetAuthorizationToken with the stored key, once, then Basic AWS", async () => {
    const before = ecr.calls.length;
    const dest = path.join(work, "pulled-ecr");
    await pullImage(`${ref("ecrreg/acme/ecr")}:3.0`, dest, { creds: creds() });
    const index = JSON.parse(await fs.readFile(path.join(dest, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(ecrImg.digest);
    expect(ecr.calls.slice(before)).toEqual([{ target: "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", accessKeyId: ECR_KEY.id, status: 200 }]);
  });

  it("pulls from GCR / Artifact Registry style upstreams: the token realm gets Basic _json_key with the full stored JSON key", async () => {
    expect(GCR_KEY.length).toBeGreaterThan(2000);
    const other = await createLicense(fx.db, otherApp);
    const before = tokenServer.requests.length;
    const amd64 = tokImg.manifests[0]!;
    const dest = path.join(work, "pulled-gcr");
    await pullImage(`${proxyHost}/proxy/other-app/gcrreg/team/tok@${amd64.digest}`, dest, { creds: { username: "LICENSE_ID", password: other.licenseId } });
    const index = JSON.parse(await fs.readFile(path.join(dest, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(amd64.digest);
    const asked = tokenServer.requests.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.user === "_json_key" && r.status === 200)).toBe(true);
    expect(asked.flatMap((r) => r.scopes)).toContain("repository:team/tok:pull");
    // And this app's license does not reach the other team's registries, by name or by host.
    const mine = await rawRequest(`${proxyUrl}/v2/proxy/other-app/gcrreg/team/tok/manifests/2.0`, { headers: { authorization: licenseAuth(license.licenseId) } });
    expect(mine.status).toBe(403);
  });

  it("a single host-less name is Docker Hub's library/ (DOCKER_HUB_REGISTRY pointed at a test host)", async () => {
    const raw = await skopeoInspect(ref("nginx:1.25"), { creds: creds(), raw: true });
    expect(crypto.createHash("sha256").update(JSON.stringify(raw)).digest("hex")).toHaveLength(64);
    const head = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/nginx/manifests/1.25`, {
      method: "HEAD",
      headers: { authorization: licenseAuth(license.licenseId), accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    expect(head.status).toBe(200);
    expect(head.headers["docker-content-digest"]).toBe(nginx.digest);
  });

  it("a dockerconfigjson (--authfile) with the license works like --creds", async () => {
    const authfile = path.join(work, "auth.json");
    const auth = Buffer.from(`LICENSE_ID:${license.licenseId}`).toString("base64");
    await fs.writeFile(authfile, JSON.stringify({ auths: { [proxyHost]: { auth } } }));
    const raw = await skopeoInspect(ref("acme/api:1.0"), { authfile, raw: true });
    expect(raw.mediaType).toBe("application/vnd.oci.image.index.v1+json");
  });

  it("HEAD/GET manifests: the client's Accept goes upstream; Content-Type, Content-Length and Docker-Content-Digest come back", async () => {
    const url = `${proxyUrl}/v2/proxy/acme-app/acme/api/manifests/1.0`;
    const authorization = licenseAuth(license.licenseId);
    const head = await rawRequest(url, { method: "HEAD", headers: { authorization, accept: "application/vnd.oci.image.index.v1+json" } });
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toBe("application/vnd.oci.image.index.v1+json");
    expect(head.headers["docker-content-digest"]).toBe(img.digest);
    expect(Number(head.headers["content-length"])).toBe(img.size);
    const get = await rawRequest(url, { headers: { authorization, accept: "application/vnd.oci.image.index.v1+json" } });
    expect(get.body.length).toBe(img.size);
    expect(`sha256:${crypto.createHash("sha256").update(get.body).digest("hex")}`).toBe(img.digest);
    // Distribution answers an index asked for with Docker's types only by 404: proof the Accept travelled.
    const dockerOnly = await rawRequest(url, { headers: { authorization, accept: "application/vnd.docker.distribution.manifest.v2+json" } });
    expect(dockerOnly.status).toBe(404);
    expect(ociErrors(dockerOnly)[0]!.code).toBe("MANIFEST_UNKNOWN");
    // By digest, %3A-encoded as some stacks send it.
    const byDigest = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/acme/api/manifests/${img.manifests[1]!.digest.replace(":", "%3A")}`, {
      headers: { authorization, accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    expect(byDigest.status).toBe(200);
    expect(byDigest.headers["docker-content-digest"]).toBe(img.manifests[1]!.digest);
  });

  it("a keep-alive client's requests on one connection leave no abort listener behind it", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const authorization = licenseAuth(license.licenseId);
    const layer = img.layers[0]!;
    const paths = [`/v2/proxy/acme-app/acme/api/manifests/1.0`, `/v2/proxy/acme-app/acme/api/blobs/${layer.digest}`];
    const reused: boolean[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        // A manifest by tag and a blob's range are sent as they come (the sends that listen for the client leaving).
        const { status, body, wasReused } = await new Promise<{ status: number; body: Buffer; wasReused: boolean }>((resolve, reject) => {
          const req = http.get(`${proxyUrl}${paths[i % 2]}`, { agent, headers: { authorization, accept: "application/vnd.oci.image.index.v1+json", range: "bytes=0-99" } }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), wasReused: req.reusedSocket }));
          });
          req.on("error", reject);
        });
        expect(status).toBe(i % 2 === 0 ? 200 : 206);
        expect(body.length).toBe(i % 2 === 0 ? img.size : 100);
        reused.push(wasReused);
      }
      await new Promise((r) => setImmediate(r));
    } finally {
      agent.destroy();
      process.off("warning", onWarning);
    }
    expect(reused.slice(1).every(Boolean)).toBe(true);
    expect(warnings.map((w) => w.message)).toEqual([]);
  });

  it("blobs: HEAD gives size and digest, Range gives 206 with exactly those bytes", async () => {
    const layer = img.layers[0]!;
    const url = `${proxyUrl}/v2/proxy/acme-app/acme/api/blobs/${layer.digest}`;
    const authorization = licenseAuth(license.licenseId);
    const head = await rawRequest(url, { method: "HEAD", headers: { authorization } });
    expect(head.status).toBe(200);
    expect(Number(head.headers["content-length"])).toBe(layer.size);
    expect(head.headers["docker-content-digest"]).toBe(layer.digest);

    const part = await rawRequest(url, { headers: { authorization, range: "bytes=100-163" } });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 100-163/${layer.size}`);
    const file = await fs.readFile(path.join(img.dir, "blobs", "sha256", layer.digest.slice(7)));
    expect(part.body.equals(file.subarray(100, 164))).toBe(true);

    // A range past the blob's end: 416 with an OCI error, the connection answered, not reset.
    const past = await rawRequest(url, { headers: { authorization, range: "bytes=99999999-" } });
    expect(past.status).toBe(416);
    expect(ociErrors(past)[0]!.message).toBe("The requested range is outside the blob.");

    const unknown = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/acme/api/blobs/sha256:${"0".repeat(64)}`, { headers: { authorization } });
    expect(unknown.status).toBe(404);
    expect(ociErrors(unknown)[0]!.code).toBe("BLOB_UNKNOWN");
  });

  it("tags/list answers under the proxy name, with n/last paging", async () => {
    const authorization = licenseAuth(license.licenseId);
    const res = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/acme/api/tags/list`, { headers: { authorization } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ name: "proxy/acme-app/acme/api", tags: ["1.0"] });
    const paged = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/acme/api/tags/list?n=1`, { headers: { authorization } });
    expect(JSON.parse(paged.body.toString()).tags).toEqual(["1.0"]);
  });

  it("403 DENIED for another app's slug, and for a registry the app's team doesn't have", async () => {
    const authorization = licenseAuth(license.licenseId);
    const other = await rawRequest(`${proxyUrl}/v2/proxy/other-app/acme/api/manifests/1.0`, { headers: { authorization } });
    expect(other.status).toBe(403);
    expect(ociErrors(other)[0]).toEqual({ code: "DENIED", message: "The license does not cover this application." });
    await expect(skopeoInspect(`${proxyHost}/proxy/other-app/acme/api:1.0`, { creds: creds(), raw: true })).rejects.toThrow(/denied/i);

    for (const image of ["registry.other-team.example/x/y", "quay.io/org/app"]) {
      const res = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/${image}/manifests/1.0`, { headers: { authorization } });
      expect(res.status, image).toBe(403);
      expect(ociErrors(res)[0]).toEqual({ code: "DENIED", message: "This application's images are not available from that registry." });
    }
  });

  it("another team's registry name in the path is a Docker Hub namespace for this license, not that team's registry", async () => {
    // The other team's "gcrreg" serves team/tok:2.0 to its own license...
    const other = await createLicense(fx.db, otherApp);
    const path = "gcrreg/team/tok/manifests/2.0";
    const theirs = await rawRequest(`${proxyUrl}/v2/proxy/other-app/${path}`, { method: "HEAD", headers: { authorization: licenseAuth(other.licenseId), accept: "application/vnd.oci.image.index.v1+json" } });
    expect(theirs.status).toBe(200);
    // ...while this license's same path means gcrreg/team/tok on Docker Hub, which has no such image.
    const ours = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/${path}`, { headers: { authorization: licenseAuth(license.licenseId), accept: "application/vnd.oci.image.index.v1+json" } });
    expect(ours.status).toBe(404);
    expect(ours.headers["docker-content-digest"]).toBeUndefined();
    expect(ociErrors(ours)[0]?.code).toMatch(/^(MANIFEST|NAME)_UNKNOWN$/);
  });

  it("no credentials: 401 with the challenge on every endpoint, and skopeo says so", async () => {
    for (const p of ["acme/api/manifests/1.0", `acme/api/blobs/${img.layers[0]!.digest}`, "acme/api/tags/list"]) {
      const res = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/${p}`);
      expect(res.status, p).toBe(401);
      expect(res.headers["www-authenticate"]).toBe('Basic realm="Portcullis"');
    }
    await expect(skopeoInspect(ref("acme/api:1.0"), { raw: true })).rejects.toThrow(/unauthorized|authentication required/i);
  });

  it("bad input gets a 4xx OCI error, never a 500", async () => {
    const authorization = licenseAuth(license.licenseId);
    const cases: Array<[string, number, string, string?]> = [
      ["/v2/proxy/acme-app/../../etc/manifests/latest", 400, "NAME_INVALID"],
      ["/v2/proxy/acme-app/acme/%2e%2e/api/manifests/latest", 400, "NAME_INVALID"],
      ["/v2/proxy/acme-app/Acme/API/manifests/latest", 400, "NAME_INVALID"],
      ["/v2/proxy/acme-app/acme/api/manifests/-bad-", 400, "TAG_INVALID"],
      ["/v2/proxy/acme-app/acme/api/manifests/sha256:abc", 400, "DIGEST_INVALID"],
      ["/v2/proxy/acme-app/acme/api/blobs/md5:" + "a".repeat(32), 400, "DIGEST_INVALID"],
      ["/v2/proxy/acme-app/acme/api/blobs/uploads/", 404, "UNSUPPORTED"],
      ["/v2/proxy/ACME/acme/api/manifests/1.0", 400, "NAME_INVALID"],
      ["/v2/_catalog", 404, "NAME_UNKNOWN"],
      ["/v2/proxy/acme-app/" + "a/".repeat(200) + "manifests/1.0", 400, "NAME_INVALID"],
      ["/v2/proxy/acme-app/acme/api/manifests/1.0", 405, "UNSUPPORTED", "PUT"],
      ["/v2/proxy/acme-app/acme/api/blobs/uploads/", 405, "UNSUPPORTED", "POST"],
      ["/v2/proxy/acme-app/acme/api/tags/list?n=-4", 400, "UNSUPPORTED"],
      ["/nothing-here", 404, "UNSUPPORTED"],
    ];
    for (const [p, status, code, method] of cases) {
      const res = await rawRequest(proxyUrl, { path: p, method: method ?? "GET", headers: { authorization } });
      expect(res.status, `${method ?? "GET"} ${p}`).toBe(status);
      expect(ociErrors(res)[0]!.code, p).toBe(code);
    }
    // Headers beyond 16 KiB: an OCI error from the parser's side, and the proxy lives on.
    const huge = await rawRequest(`${proxyUrl}/v2/`, { headers: { authorization, "x-padding": "a".repeat(20_000) } });
    expect(huge.status).toBe(431);
    expect(ociErrors(huge)[0]!.code).toBe("UNSUPPORTED");
    expect((await rawRequest(`${proxyUrl}/healthz`)).status).toBe(200);
  });

  it("a revoked license is refused within the cache TTL (measured), an expired one at its expiry", async () => {
    const victim = await createLicense(fx.db, app);
    const url = `${proxyUrl}/v2/proxy/acme-app/acme/api/manifests/1.0`;
    const headers = { authorization: licenseAuth(victim.licenseId), accept: "application/vnd.oci.image.index.v1+json" };
    expect((await rawRequest(url, { method: "HEAD", headers })).status).toBe(200);
    await fx.db.license.update({ where: { id: victim.id }, data: { revokedAt: new Date() } });
    const revokedAt = fx.clock.now();
    let status = 200;
    while (status === 200 && fx.clock.now() - revokedAt < 15_000) {
      status = (await rawRequest(url, { method: "HEAD", headers })).status;
      if (status === 200) fx.clock.advance(50);
    }
    const latency = fx.clock.now() - revokedAt;
    console.log(`[proxy] revocation took effect after ${latency} ms (license cache TTL ${proxy.licenses.ttlMs} ms)`);
    expect(status).toBe(401);
    // The bound: the cache TTL plus one portal lookup (a few ms idle; up to ~1 s on a loaded machine).
    expect(latency).toBeLessThanOrEqual(proxy.licenses.ttlMs + 2000);
    const refused = await rawRequest(url, { headers });
    expect(ociErrors(refused)[0]).toEqual({ code: "UNAUTHORIZED", message: "The license has been revoked." });

    // Expiry needs no lookup: a cached answer stops working at expiresAt.
    const soon = await createLicense(fx.db, app, { expiresAt: new Date(fx.clock.now() + 1500) });
    const h2 = { ...headers, authorization: licenseAuth(soon.licenseId) };
    expect((await rawRequest(url, { method: "HEAD", headers: h2 })).status).toBe(200);
    fx.clock.advance(1600);
    const expired = await rawRequest(url, { headers: h2 });
    expect(expired.status).toBe(401);
    expect(ociErrors(expired)[0]!.message).toBe("The license has expired.");
  });

  it("the pull log reaches the portal: license, customer, app, image, reference, action, status, bytes", async () => {
    // Every request's event is recorded once its response has closed: deliver what is buffered,
    // after the batch already on its way (flush hands that one back while it is in flight).
    await proxy.pullLog.flush(true);
    await proxy.pullLog.flush(true);
    const rows = await fx.db.pullEvent.findMany({ where: { licenseId: license.id }, orderBy: { seq: "asc" } });
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((r) => r.teamId === app.teamId && r.customerId === app.customerId && r.appId === app.appId && r.source === "proxy")).toBe(true);
    const blobPull = rows.find((r) => r.action === "pull-blob" && r.reference === img.layers[0]!.digest && r.status === 200);
    expect(blobPull).toBeTruthy();
    expect(Number(blobPull!.bytes)).toBe(img.layers[0]!.size);
    // Under the name the customer pulled, not the upstream's address.
    // (pulled through the registry's name or as a Docker Hub name: the test pulls it both ways)
    expect(["proxy/acme-app/acme/api", "proxy/acme-app/basicreg/acme/api"]).toContain(blobPull!.image);
    expect(rows.find((r) => r.action === "head-manifest" && r.reference === "1.25" && r.image === "proxy/acme-app/nginx")).toBeTruthy();
    expect(rows.find((r) => r.action === "pull-manifest" && r.image === "proxy/acme-app/ecrreg/acme/ecr" && r.reference === "3.0")).toBeTruthy();
    expect(rows.find((r) => r.action === "list-tags")).toBeTruthy();
    // The refused request for another app is logged too, under the license's own team.
    expect(rows.find((r) => r.status === 403 && r.image === "proxy/other-app/acme/api" && r.result === "refused" && r.reason === "wrong_app")).toBeTruthy();
    expect(proxy.pullLog.buffered).toBe(0);
  });

  it("/metrics: requests by route and status, bytes streamed, upstream latency, cache hits", async () => {
    const res = await rawRequest(`${proxyUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    const text = res.body.toString();
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toMatch(/portcullis_proxy_requests_total\{route="blobs",method="GET",status="200"\} \d+/);
    expect(text).toMatch(/portcullis_proxy_requests_total\{route="manifests",method="GET",status="403"\} \d+/);
    expect(proxy.metrics.bytes.get({ route: "blobs" })).toBeGreaterThan(300_000);
    expect(text).toMatch(/portcullis_proxy_upstream_latency_seconds_count\{route="manifests"\} \d+/);
    expect(proxy.metrics.licenseCache.get({ result: "hit" })).toBeGreaterThan(proxy.metrics.licenseCache.get({ result: "miss" }));
    expect(text).not.toContain(license.licenseId);
  });
});
