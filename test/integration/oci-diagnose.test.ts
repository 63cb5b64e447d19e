import fs from "node:fs/promises";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRegistryConnection, type ConnectionTestInput } from "@/lib/oci/diagnose";
import { buildOciImage, generateSigningCert, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * The connection test against a real CNCF Distribution with htpasswd auth:
 * each outcome a vendor can hit, with the sentence they would read.
 */

const creds = { kind: "basic" as const, username: "vendor", password: "correct horse" };
const run = (input: Partial<ConnectionTestInput> & Pick<ConnectionTestInput, "endpoint">) =>
  testRegistryConnection({ dockerHubRegistry: "registry-1.docker.io", allowPrivate: true, timeoutMs: 10_000, ...input });
const names = (r: { steps: { name: string }[] }) => r.steps.map((s) => s.name);

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("connection test against Distribution (htpasswd)", () => {
  let reg: Distribution;
  let work: string;
  let multi: BuiltImage;
  let single: BuiltImage;
  let pushedDigest: string;

  beforeAll(async () => {
    reg = await startDistribution({ auth: "htpasswd", users: { vendor: creds.password } });
    work = await fs.mkdtemp(path.join(os.tmpdir(), "oci-diagnose-"));
    multi = await buildOciImage(path.join(work, "multi"), { layers: [{ sizeBytes: 256 * 1024 }, { files: { "etc/app.conf": "x=1\n" } }], platforms: ["linux/amd64", "linux/arm64"], tag: "1.0" });
    single = await buildOciImage(path.join(work, "single"), { layers: [{ sizeBytes: 3 * 1024 * 1024 }], tag: "solo" });
    pushedDigest = (await pushImage(multi.dir, `${reg.host}/team/app:1.0`, { creds: { username: "vendor", password: creds.password }, all: true })).digest;
    await pushImage(single.dir, `${reg.host}/team/app:solo`, { creds: { username: "vendor", password: creds.password } });
  });
  afterAll(async () => {
    await reg?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it("passes with the right credentials: every step, the index's two platforms and skopeo's digest", async () => {
    const res = await run({ endpoint: reg.url, credentials: creds, image: "team/app:1.0" });
    expect(res.steps.filter((s) => !s.ok)).toEqual([]);
    expect(res.ok).toBe(true);
    expect(names(res)).toEqual(["Endpoint", "Resolve host", "Connect", "GET /v2/", "Authenticate (Basic)", "Manifest team/app:1.0"]);
    expect(res.steps[3]).toMatchObject({ status: 401, detail: "Registry API v2; it asks for Basic authentication." });
    expect(res.steps[4]).toMatchObject({ status: 200, detail: "Credentials accepted for vendor." });
    expect(pushedDigest).toBe(multi.digest);
    expect(res.manifest).toMatchObject({ kind: "index", digest: pushedDigest, platforms: [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64" }] });
    expect(res.steps[5]!.detail).toBe(`Multi-platform index (OCI image index) with 2 platforms: linux/amd64, linux/arm64. Digest ${pushedDigest}.`);
  });

  it("a single image: its platform, layer count and digest; by digest too", async () => {
    const byTag = await run({ endpoint: reg.url, credentials: creds, image: `${reg.host}/team/app:solo` });
    expect(byTag.ok).toBe(true);
    expect(byTag.steps.at(-1)!.detail).toBe(`Single image (OCI manifest) for linux/amd64: 1 layer, ${(single.layers[0]!.size / 1024 / 1024).toFixed(1)} MiB. Digest ${single.digest}.`);
    const byDigest = await run({ endpoint: reg.url, credentials: creds, image: `team/app@${single.digest}` });
    expect(byDigest.steps.at(-1)).toMatchObject({ name: `Manifest team/app@${single.digest}`, ok: true });
  });

  it("wrong password: credentials rejected (401)", async () => {
    const res = await run({ endpoint: reg.url, credentials: { ...creds, password: "wrong" }, image: "team/app:1.0" });
    expect(res.ok).toBe(false);
    expect(res.steps.at(-1)).toMatchObject({ name: "Authenticate (Basic)", ok: false, status: 401 });
    expect(res.steps.at(-1)!.detail).toMatch(/^Credentials rejected \(401\): the registry did not accept the password for vendor\./);
    expect(JSON.stringify(res)).not.toContain("wrong");
  });

  it("missing tag and missing repository: not found (404)", async () => {
    const tag = await run({ endpoint: reg.url, credentials: creds, image: "team/app:9.9" });
    expect(tag.steps.at(-1)).toMatchObject({ name: "Manifest team/app:9.9", ok: false, status: 404 });
    expect(tag.steps.at(-1)!.detail).toMatch(/^Image or tag not found \(404\): team\/app:9\.9 does not exist on this registry\. The registry says: "MANIFEST_UNKNOWN/);
    // Distribution 2.8 answers MANIFEST_UNKNOWN (not NAME_UNKNOWN) for a repository that doesn't exist.
    const repo = await run({ endpoint: reg.url, credentials: creds, image: "team/nothing:1" });
    expect(repo.steps.at(-1)).toMatchObject({ ok: false, status: 404 });
    expect(repo.steps.at(-1)!.detail).toMatch(/^Image or tag not found \(404\): team\/nothing:1 does not exist/);
  });

  it("a stopped registry: connection refused", async () => {
    const gone = await startDistribution({ auth: "none" });
    await gone.stop();
    const res = await run({ endpoint: gone.url, credentials: creds });
    expect(names(res)).toEqual(["Endpoint", "Resolve host", "Connect"]);
    expect(res.steps.at(-1)!.detail).toBe(`Connection refused: nothing is listening on ${gone.host}. Is the registry running, and is the port right?`);
  });

  it("a name that does not resolve: DNS name not found", async () => {
    // Tests send no traffic off the machine, not even a DNS query: the resolver answers as the
    // system's does for a name that does not exist.
    const resolve = async (hostname: string) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
    };
    const res = await run({ endpoint: "registry.portcullis-test.invalid", credentials: creds, resolve });
    expect(res.steps.at(-1)).toMatchObject({ name: "Resolve host", ok: false });
    expect(res.steps.at(-1)!.detail).toBe("DNS name not found: registry.portcullis-test.invalid has no address. Check the spelling of the endpoint.");
  });

  it("loopback is refused unless the operator allows private hosts", async () => {
    const res = await run({ endpoint: `http://${reg.host}`, credentials: creds, allowPrivate: false, insecureRegistries: [reg.host] });
    expect(res.steps.at(-1)).toMatchObject({ name: "Resolve host", ok: false });
    expect(res.steps.at(-1)!.detail).toMatch(/^127\.0\.0\.1 is a loopback address\. .*ALLOW_PRIVATE_HOSTS=true/);
  });
});

describe.skipIf(!requireBinaries("openssl", "docker-registry", "htpasswd"))("TLS failures", () => {
  let server: https.Server;
  let certPem: string;
  let port: number;
  let plain: Distribution;

  beforeAll(async () => {
    const cert = await generateSigningCert("registry.example.test");
    certPem = cert.certPem;
    server = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (_req, res) => res.writeHead(401, { "www-authenticate": 'Basic realm="x"' }).end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
    plain = await startDistribution({ auth: "none" });
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await plain?.stop();
  });

  it("an untrusted certificate is a TLS error in words", async () => {
    const res = await run({ endpoint: `127.0.0.1:${port}` });
    expect(res.steps.at(-1)).toMatchObject({ name: "Connect (TLS)", ok: false });
    expect(res.steps.at(-1)!.detail).toBe(`TLS error: 127.0.0.1:${port} is not trusted — its certificate is self-signed.`);
  });

  it("a trusted certificate for another name is a host-name error", async () => {
    const res = await run({ endpoint: `127.0.0.1:${port}`, ca: certPem });
    expect(res.steps.at(-1)!.detail).toBe(`TLS error: 127.0.0.1:${port} is not trusted — its certificate is for a different host name.`);
  });

  it("https to a plain-HTTP registry says so", async () => {
    const res = await run({ endpoint: plain.host });
    expect(res.steps.at(-1)).toMatchObject({ name: "Connect (TLS)", ok: false });
    expect(res.steps.at(-1)!.detail).toMatch(/does not speak TLS on this port/);
  });
});
