import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthCache } from "@/lib/oci/auth-cache";
import type { EcrCredentials } from "@/lib/oci/credentials";
import { testRegistryConnection } from "@/lib/oci/diagnose";
import { normalizeEndpoint } from "@/lib/oci/endpoint";
import { RegistryClient } from "@/lib/oci/registry-client";
import { startEcrFake, type EcrFake } from "@/test/fakes/ecr";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * ECR end to end, minus AWS: the SDK's GetAuthorizationToken against the fake ECR API (real wire
 * format, real SigV4 check), then HTTP Basic `AWS:<password>` to a real Distribution whose
 * htpasswd has user AWS with that password — exactly how ECR's registry is spoken to.
 */

const ECR_PASSWORD = "eyJwYXlsb2FkIjoiZmFrZS1lY3ItcGFzc3dvcmQifQ";

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("ECR: GetAuthorizationToken, then Basic", () => {
  let ecr: EcrFake;
  let reg: Distribution;
  let work: string;
  let img: BuiltImage;
  let creds: EcrCredentials;

  beforeAll(async () => {
    ecr = await startEcrFake({ keys: { AKIAIOSFODNN7EXAMPLE: { secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", password: ECR_PASSWORD } }, region: "eu-west-1" });
    reg = await startDistribution({ auth: "htpasswd", users: { AWS: ECR_PASSWORD } });
    creds = { kind: "ecr", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "eu-west-1", endpoint: ecr.endpoint };
    work = await fs.mkdtemp(path.join(os.tmpdir(), "oci-ecr-"));
    img = await buildOciImage(work, { layers: [{ sizeBytes: 50_000 }], platforms: ["linux/amd64", "linux/arm64"], tag: "2.1" });
    await pushImage(work, `${reg.host}/acme/api:2.1`, { creds: { username: "AWS", password: ECR_PASSWORD }, all: true });
  });
  afterAll(async () => {
    await reg?.stop();
    await ecr?.close();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it("the connection test: ECR step, Basic as AWS, the image", async () => {
    const before = ecr.calls.length;
    const res = await testRegistryConnection({ endpoint: reg.url, credentials: creds, image: "acme/api:2.1", allowPrivate: true, dockerHubRegistry: "x" });
    expect(res.steps.filter((s) => !s.ok)).toEqual([]);
    expect(res.steps.map((s) => s.name)).toEqual(["Endpoint", "Resolve host", "Connect", "GET /v2/", "Authenticate (ECR GetAuthorizationToken)", "Authenticate (Basic)", "Manifest acme/api:2.1"]);
    expect(res.steps[4]!.detail).toMatch(/^AWS issued a registry password for access key AKIAIOSFODNN7EXAMPLE, valid until \d{4}-/);
    expect(res.manifest).toMatchObject({ kind: "index", digest: img.digest });
    expect(ecr.calls.slice(before)).toEqual([{ target: "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", accessKeyId: "AKIAIOSFODNN7EXAMPLE", status: 200 }]);
  });

  it("the client asks AWS once and reuses the token across clients sharing a cache", async () => {
    const cache = new AuthCache();
    const before = ecr.calls.length;
    const endpoint = normalizeEndpoint(reg.url, { dockerHubRegistry: "x", allowPrivate: true });
    for (let i = 0; i < 3; i++) {
      const c = new RegistryClient({ endpoint, credentials: creds, policy: { allowPrivate: true }, cache });
      const res = await c.getManifest("acme/api", "2.1", { method: "HEAD" });
      expect(res.status).toBe(200);
      expect(res.digest).toBe(img.digest);
      res.body.resume();
    }
    expect(ecr.calls.length - before).toBe(1);
  });

  it("an unknown key or a wrong secret stops at the ECR step, without echoing the secret", async () => {
    const unknown = await testRegistryConnection({ endpoint: reg.url, credentials: { ...creds, accessKeyId: "AKIANOTAKEY000000000" }, allowPrivate: true, dockerHubRegistry: "x" });
    expect(unknown.steps.at(-1)).toMatchObject({ name: "Authenticate (ECR GetAuthorizationToken)", ok: false, status: 400 });
    expect(unknown.steps.at(-1)!.detail).toBe("ECR GetAuthorizationToken failed: AWS does not recognise the access key ID (UnrecognizedClientException, HTTP 400).");

    const wrong = await testRegistryConnection({ endpoint: reg.url, credentials: { ...creds, secretAccessKey: "not-the-secret-0123456789" }, allowPrivate: true, dockerHubRegistry: "x" });
    expect(wrong.steps.at(-1)!.detail).toBe("ECR GetAuthorizationToken failed: the secret access key does not match the access key ID (InvalidSignatureException, HTTP 400).");
    expect(JSON.stringify(wrong)).not.toContain("not-the-secret");
  });

  it("the registry refuses a password AWS did not issue", async () => {
    const other = await startEcrFake({ keys: { AKIAIOSFODNN7EXAMPLE: { secretAccessKey: creds.secretAccessKey, password: "some-other-password" } }, region: "eu-west-1" });
    try {
      const res = await testRegistryConnection({ endpoint: reg.url, credentials: { ...creds, endpoint: other.endpoint }, allowPrivate: true, dockerHubRegistry: "x" });
      expect(res.steps.at(-1)).toMatchObject({ name: "Authenticate (Basic)", ok: false, status: 401 });
      expect(res.steps.at(-1)!.detail).toMatch(/^Credentials rejected \(401\): the registry did not accept the password for AWS \(access key AKIAIOSFODNN7EXAMPLE\)\./);
    } finally {
      await other.close();
    }
  });
});
