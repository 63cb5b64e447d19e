import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { invoke } from "@/lib/server/operation";
import { createRegistry, deleteRegistry, listRegistries, rotateRegistryCredentials, testDraftRegistry, testRegistry, updateRegistry } from "@/lib/registries/operations";
import { ConnectionTestFailedError } from "@/lib/registries/connection";
import { loadRegistryCredentials } from "@/lib/registries/secret";
import { createTestDatabase } from "@/test/support/db";
import { memberContext, twoTeams } from "@/test/support/factories";
import { serviceAccountKey } from "@/test/support/service-account-key";
import { configureTestEnv, updateTestEnv } from "@/test/support/test-env";
import { startEcrFake, type EcrFake } from "@/test/fakes/ecr";
import { buildOciImage, pushImage, requireBinaries, startDistribution, startTokenServer, type BuiltImage, type Distribution, type TokenServer } from "@/test/support/registry";

/**
 * The Images page's operations against real registry software: CNCF Distribution with
 * htpasswd (Basic) and with token auth (Bearer, the harness's token service), and ECR through
 * the fake GetAuthorizationToken API in front of a Distribution. Every registry listens on
 * 127.0.0.1, which the operator setting ALLOW_PRIVATE_REGISTRY_HOSTS=true allows.
 */

configureTestEnv({ name: "registries-test", vars: { ALLOW_PRIVATE_REGISTRY_HOSTS: "true" } });

// Distinctive secrets, so "never stored in clear" can be checked by searching for them.
const PASSWORD = "plaintext-Basic-pw-7f3a9c";
const NEW_PASSWORD = "plaintext-Rotated-pw-1d8e44";
const TOKEN_PASSWORD = "plaintext-Bearer-pw-c0ffee";
const ECR_SECRET = "plaintext+Ecr/SecretKey0123456789abcdefXYZ";
const ECR_PASSWORD = "ecr-registry-password-5b2d";
const ECR_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const GCR_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nplaintextGcrKeyMaterial0123456789\n-----END PRIVATE KEY-----\n";
const GCR_KEY = JSON.stringify({ type: "service_account", project_id: "acme", client_email: "puller@acme.iam.gserviceaccount.com", private_key: GCR_PRIVATE_KEY });
/** A key the size of a real one: too long for htpasswd, fine for a token realm, as gcr.io has. */
const GCR_FULL_KEY = serviceAccountKey("acme");

type Teams = Awaited<ReturnType<typeof twoTeams>>;

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected the operation to fail");
}

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd", "openssl"))("registries against real Distribution", () => {
  let t: Awaited<ReturnType<typeof createTestDatabase>>;
  let teams: Teams;
  let basic: Distribution;
  let tokenReg: Distribution;
  let ts: TokenServer;
  let ecrReg: Distribution;
  let ecr: EcrFake;
  let work: string;
  let multi: BuiltImage;
  let single: BuiltImage;
  const used: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    teams = await twoTeams(t.db);
    work = await fs.mkdtemp(path.join(os.tmpdir(), "registries-"));
    multi = await buildOciImage(path.join(work, "multi"), { layers: [{ sizeBytes: 64 * 1024 }], platforms: ["linux/amd64", "linux/arm64"], tag: "1.0" });
    single = await buildOciImage(path.join(work, "single"), { layers: [{ sizeBytes: 32 * 1024 }], tag: "solo" });

    basic = await startDistribution({ auth: "htpasswd", users: { vendor: PASSWORD } });
    await pushImage(multi.dir, `${basic.host}/team/app:1.0`, { creds: { username: "vendor", password: PASSWORD }, all: true });
    await pushImage(single.dir, `${basic.host}/team/app:solo`, { creds: { username: "vendor", password: PASSWORD } });

    ts = await startTokenServer({ service: "registry.test", users: { bot: TOKEN_PASSWORD, _json_key: GCR_FULL_KEY } });
    tokenReg = await startDistribution({ auth: { token: { realm: ts.realm, service: ts.service, issuer: ts.issuer, rootCertBundle: ts.certPem } } });
    await pushImage(multi.dir, `${tokenReg.host}/acme/api:1.0`, { creds: { username: "bot", password: TOKEN_PASSWORD }, all: true });

    ecr = await startEcrFake({ keys: { [ECR_KEY_ID]: { secretAccessKey: ECR_SECRET, password: ECR_PASSWORD } }, region: "eu-west-1" });
    process.env.AWS_ENDPOINT_URL_ECR = ecr.endpoint;
    ecrReg = await startDistribution({ auth: "htpasswd", users: { AWS: ECR_PASSWORD } });
    await pushImage(single.dir, `${ecrReg.host}/acme/worker:solo`, { creds: { username: "AWS", password: ECR_PASSWORD } });
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_ECR;
    await Promise.all([basic?.stop(), tokenReg?.stop(), ecrReg?.stop(), ts?.close(), ecr?.close()]);
    if (work) await fs.rm(work, { recursive: true, force: true });
    await t?.drop();
  });

  const addBasic = (extra: Record<string, unknown> = {}) =>
    invoke(createRegistry, teams.developerA, { provider: "other", endpoint: basic.url, username: "vendor", password: PASSWORD, ...extra });

  it("a developer adds a registry, tested before saving; the test shows the index's platforms and digest", async () => {
    const dto = await addBasic({ name: "upstream", test: "on", image: "team/app:1.0" });
    used.push(dto.id);
    expect(dto).toMatchObject({ provider: "other", name: "upstream", endpoint: basic.url, host: basic.url, username: "vendor", createdByEmail: teams.developerA.email, credentialsVersion: 1 });
    expect(dto.lastTest).toMatchObject({ ok: true, summary: "Connected; team/app:1.0 is a multi-platform index (linux/amd64, linux/arm64)." });
    expect(JSON.stringify(dto)).not.toContain(PASSWORD);

    const test = await invoke(testRegistry, teams.developerA, { id: dto.id, image: "team/app:1.0" });
    expect(test.ok).toBe(true);
    expect(test.steps.map((s) => s.name)).toEqual(["Endpoint", "Resolve host", "Connect", "GET /v2/", "Authenticate (Basic)", "Manifest team/app:1.0"]);
    expect(test.manifest).toMatchObject({ kind: "index", digest: multi.digest, platforms: ["linux/amd64", "linux/arm64"], repository: "team/app", reference: "1.0" });

    const single_ = await invoke(testRegistry, teams.developerA, { id: dto.id, image: `team/app@${single.digest}` });
    expect(single_.manifest).toMatchObject({ kind: "image", digest: single.digest, platforms: ["linux/amd64"], layers: 1 });

    const [listed] = await invoke(listRegistries, teams.readOnlyA, {});
    expect(listed).toMatchObject({ id: dto.id, lastTest: { ok: true } });
    // The stored test is the last one, manifest included.
    expect(listed!.lastTest).toMatchObject({ image: `team/app@${single.digest}`, manifest: { kind: "image", digest: single.digest, layers: 1 } });
    // A test without an image replaces it whole: no manifest left over from an earlier one.
    await invoke(testRegistry, teams.developerA, { id: dto.id });
    const [relisted] = await invoke(listRegistries, teams.readOnlyA, {});
    expect(relisted!.lastTest!.ok).toBe(true);
    expect(relisted!.lastTest!.image).toBeUndefined();
    expect(relisted!.lastTest!.manifest).toBeUndefined();
    expect(listed!.lastTest!.at.getTime()).toBeGreaterThanOrEqual(dto.lastTest!.at.getTime());
    const audit = await t.db.auditEvent.findMany({ where: { teamId: teams.adminA.teamId, targetId: dto.id }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["registry.create", "registry.test", "registry.test", "registry.test"]);
    expect(audit[0]).toMatchObject({ actorEmail: teams.developerA.email, targetLabel: basic.url, metadata: { provider: "other", name: "upstream", username: "vendor", tested: true } });
  });

  it("the same endpoint again (spelled differently) or the same name is a field error", async () => {
    const again = await failure(invoke(createRegistry, teams.adminA, { provider: "other", endpoint: `${basic.url}/v2/`, username: "x", password: "y", name: "upstream" }));
    expect(again.code).toBe("conflict");
    expect(again.fields).toEqual({
      endpoint: `This team already has ${basic.url}. Rotate its credentials instead of adding it again.`,
      name: 'Another registry of this team is named "upstream".',
    });
    // Another team may add the same endpoint: registries are per team.
    const other = await invoke(createRegistry, teams.adminB, { provider: "other", endpoint: basic.url, username: "vendor", password: PASSWORD });
    expect(other.endpoint).toBe(basic.url);
    expect(await invoke(listRegistries, teams.adminB, {})).toHaveLength(1);
  });

  it("a wrong password: credentials rejected; with test-before-saving nothing is stored", async () => {
    const fresh = await memberContext(t.db, { role: "developer" });
    const refused = await failure(invoke(createRegistry, fresh, { provider: "other", endpoint: basic.url, username: "vendor", password: "wrong-password", test: true }));
    expect(refused).toBeInstanceOf(ConnectionTestFailedError);
    expect(refused.code).toBe("validation_failed");
    expect(refused.message).toMatch(/^The connection test failed, so the registry was not saved\. Authenticate \(Basic\) failed: Credentials rejected \(401\)/);
    expect((refused as ConnectionTestFailedError).test.steps.at(-1)).toMatchObject({ name: "Authenticate (Basic)", ok: false, status: 401 });
    expect(JSON.stringify((refused as ConnectionTestFailedError).test)).not.toContain("wrong-password");

    // The draft test in the dialog says the same and stores nothing.
    expect(await t.db.registry.count({ where: { teamId: fresh.teamId } })).toBe(0);
    const before = await t.db.registry.count();
    const draft = await invoke(testDraftRegistry, teams.developerA, { provider: "other", endpoint: basic.url, username: "vendor", password: "wrong-password" });
    expect(draft.ok).toBe(false);
    expect(draft.summary).toMatch(/Credentials rejected \(401\): the registry did not accept the password for vendor/);
    expect(await t.db.registry.count()).toBe(before);
  });

  it("a missing tag: not found, stored as the last result", async () => {
    const id = used[0]!;
    const res = await invoke(testRegistry, teams.developerA, { id, image: "team/app:9.9" });
    expect(res.ok).toBe(false);
    expect(res.steps.at(-1)).toMatchObject({ name: "Manifest team/app:9.9", ok: false, status: 404 });
    expect(res.summary).toMatch(/^Manifest team\/app:9\.9 failed: Image or tag not found \(404\)/);
    const row = await t.db.registry.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ lastTestOk: false, lastTestSummary: res.summary });
    expect(row.lastTestSteps).toEqual(res.steps);
    await invoke(testRegistry, teams.developerA, { id, image: "team/app:1.0" });
  });

  it("a stopped registry: connection refused", async () => {
    const gone = await startDistribution({ auth: "htpasswd", users: { vendor: PASSWORD } });
    const dto = await invoke(createRegistry, teams.adminA, { provider: "other", endpoint: gone.host, username: "vendor", password: PASSWORD });
    expect(dto.endpoint).toBe(`https://${gone.host}`); // https is assumed, as Docker does
    await gone.stop();
    const res = await invoke(testRegistry, teams.adminA, { id: dto.id });
    expect(res.steps.at(-1)!.name).toBe("Connect (TLS)");
    expect(res.summary).toBe(`Connect (TLS) failed: Connection refused: nothing is listening on ${gone.host}. Is the registry running, and is the port right?`);
    await invoke(deleteRegistry, teams.adminA, { id: dto.id, confirmEndpoint: gone.host });
  });

  it("rotation: bad new credentials keep the old ones; force replaces them; one audit event each", async () => {
    const id = used[0]!;
    const before = await t.db.registry.findUniqueOrThrow({ where: { id } });

    // Developers may not rotate.
    expect((await failure(invoke(rotateRegistryCredentials, teams.developerA, { id, username: "vendor", password: NEW_PASSWORD }))).code).toBe("forbidden");

    const refused = await failure(invoke(rotateRegistryCredentials, teams.adminA, { id, username: "vendor", password: NEW_PASSWORD, image: "team/app:1.0" }));
    expect(refused).toBeInstanceOf(ConnectionTestFailedError);
    expect(refused.message).toMatch(/^The connection test failed, so the old credentials were kept\. Authenticate \(Basic\) failed: Credentials rejected/);
    const kept = await t.db.registry.findUniqueOrThrow({ where: { id } });
    expect(kept.credentialsVersion).toBe(before.credentialsVersion);
    expect(kept.lastTestOk).toBe(true);
    expect(await loadRegistryCredentials(t.db, kept)).toEqual({ kind: "basic", username: "vendor", password: PASSWORD });
    expect((await invoke(testRegistry, teams.adminA, { id })).ok).toBe(true);

    // The provider's own fields are required.
    const missing = await failure(invoke(rotateRegistryCredentials, teams.adminA, { id, accessKeyId: ECR_KEY_ID }));
    expect(missing.fields).toEqual({ username: "Enter the username.", password: "Enter the password or access token." });

    const forced = await invoke(rotateRegistryCredentials, teams.adminA, { id, username: "vendor", password: NEW_PASSWORD, force: "on" });
    expect(forced).toMatchObject({ credentialsVersion: before.credentialsVersion + 1, credentialsUpdatedBy: teams.adminA.email, lastTest: { ok: false } });
    expect(forced.credentialsUpdatedAt.getTime()).toBeGreaterThan(before.credentialsUpdatedAt.getTime());
    const row = await t.db.registry.findUniqueOrThrow({ where: { id } });
    expect(await loadRegistryCredentials(t.db, row)).toEqual({ kind: "basic", username: "vendor", password: NEW_PASSWORD });

    // Rotating back with good credentials passes its test; no force needed.
    const good = await invoke(rotateRegistryCredentials, teams.adminA, { id, username: "vendor", password: PASSWORD, image: "team/app:1.0" });
    expect(good).toMatchObject({ credentialsVersion: before.credentialsVersion + 2, lastTest: { ok: true } });

    const rotations = await t.db.auditEvent.findMany({ where: { targetId: id, action: "registry.rotate" }, orderBy: { seq: "asc" } });
    expect(rotations.map((a) => a.metadata)).toEqual([
      { forced: true, test: { ok: false, failedStep: "Authenticate (Basic)" }, credentialsVersion: before.credentialsVersion + 1 },
      { forced: false, test: { ok: true, image: "team/app:1.0" }, credentialsVersion: before.credentialsVersion + 2 },
    ]);
    expect(await t.db.encryptedSecret.count({ where: { recordId: id } })).toBe(1);
  });

  it("Bearer: a Distribution with token auth and the harness's token service", async () => {
    const dto = await invoke(createRegistry, teams.developerA, { provider: "other", endpoint: tokenReg.url, username: "bot", password: TOKEN_PASSWORD, test: true, image: "acme/api:1.0" });
    const res = await invoke(testRegistry, teams.developerA, { id: dto.id, image: "acme/api:1.0" });
    expect(res.steps.map((s) => s.name)).toContain(`Authenticate (Bearer token from ${new URL(ts.realm).hostname})`);
    expect(res.manifest).toMatchObject({ kind: "index", digest: multi.digest });
    expect(ts.requests).toContainEqual({ user: "bot", scopes: ["repository:acme/api:pull"], status: 200 });

    const wrong = await invoke(testDraftRegistry, teams.developerA, { provider: "other", endpoint: tokenReg.url, username: "bot", password: "nope" });
    expect(wrong.summary).toBe(`Authenticate (Bearer token from ${new URL(ts.realm).hostname}) failed: Credentials rejected by the token service ${ts.realm} (HTTP 401: authentication required).`);
  });

  it("GCR / Artifact Registry: the test signs in to the token realm as _json_key with the whole key, as gcr.io wants", async () => {
    expect(GCR_FULL_KEY.length).toBeGreaterThan(2000);
    const before = ts.requests.length;
    const res = await invoke(testDraftRegistry, teams.adminB, { provider: "gcr", endpoint: tokenReg.url, jsonKey: GCR_FULL_KEY, image: "acme/api:1.0" });
    expect(res.ok).toBe(true);
    expect(res.steps.map((s) => s.name)).toContain(`Authenticate (Bearer token from ${new URL(ts.realm).hostname})`);
    expect(res.manifest).toMatchObject({ kind: "index", digest: multi.digest });
    expect(ts.requests.slice(before)).toContainEqual({ user: "_json_key", scopes: ["repository:acme/api:pull"], status: 200 });
    expect(JSON.stringify(res)).not.toContain("PRIVATE KEY");
  });

  it("ECR: GetAuthorizationToken with the stored key through the fake ECR API, then Basic as AWS", async () => {
    // The ECR tab only takes ECR hosts; a local stand-in only because the operator allows private hosts.
    const notEcr = await failure(invoke(createRegistry, teams.developerA, { provider: "ecr", endpoint: "ghcr.io", accessKeyId: ECR_KEY_ID, secretAccessKey: ECR_SECRET }));
    expect(notEcr.fields?.endpoint).toMatch(/^An Amazon ECR endpoint looks like 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com/);
    const ecrInOther = await failure(invoke(createRegistry, teams.developerA, { provider: "other", endpoint: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", username: "AWS", password: "x" }));
    expect(ecrInOther.fields?.endpoint).toMatch(/^This is an Amazon ECR endpoint: add it on the Amazon ECR tab/);

    const wrongSecret = await failure(
      invoke(createRegistry, teams.developerA, { provider: "ecr", endpoint: ecrReg.url, accessKeyId: ECR_KEY_ID, secretAccessKey: "not-the-secret-000", test: true }),
    );
    expect(wrongSecret.message).toContain("ECR GetAuthorizationToken failed: the secret access key does not match the access key ID");

    const dto = await invoke(createRegistry, teams.developerA, { provider: "ecr", endpoint: ecrReg.url, accessKeyId: ECR_KEY_ID, secretAccessKey: ECR_SECRET, test: true, image: "acme/worker:solo" });
    expect(dto).toMatchObject({ provider: "ecr", username: ECR_KEY_ID, lastTest: { ok: true } });
    const calls = ecr.calls.length;
    const res = await invoke(testRegistry, teams.developerA, { id: dto.id, image: "acme/worker:solo" });
    expect(res.steps.map((s) => s.name)).toEqual(["Endpoint", "Resolve host", "Connect", "GET /v2/", "Authenticate (ECR GetAuthorizationToken)", "Authenticate (Basic)", "Manifest acme/worker:solo"]);
    expect(res.manifest).toMatchObject({ kind: "image", digest: single.digest });
    expect(ecr.calls.slice(calls)).toEqual([{ target: "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", accessKeyId: ECR_KEY_ID, status: 200 }]);
    used.push(dto.id);
  });

  it("GCR / Artifact Registry: the key's client_email is the username, the whole key is sealed", async () => {
    const dto = await invoke(createRegistry, teams.developerA, { provider: "gcr", endpoint: "https://europe-west1-docker.pkg.dev/acme/repo", jsonKey: GCR_KEY });
    expect(dto).toMatchObject({ provider: "gcr", endpoint: "https://europe-west1-docker.pkg.dev", username: "puller@acme.iam.gserviceaccount.com" });
    const row = await t.db.registry.findUniqueOrThrow({ where: { id: dto.id } });
    expect(await loadRegistryCredentials(t.db, row)).toEqual({ kind: "gcr", jsonKey: GCR_KEY });
    const notGoogle = await failure(invoke(createRegistry, teams.developerA, { provider: "gcr", endpoint: "quay.io", jsonKey: GCR_KEY }));
    expect(notGoogle.fields?.endpoint).toMatch(/^A Google registry endpoint is gcr\.io/);
  });

  it("the database never holds a plaintext secret: Registry, EncryptedSecret and AuditEvent read with SQL", async () => {
    const dump = JSON.stringify(
      [
        await t.db.$queryRawUnsafe(`SELECT * FROM "Registry"`),
        await t.db.$queryRawUnsafe(`SELECT * FROM "EncryptedSecret"`),
        await t.db.$queryRawUnsafe(`SELECT * FROM "AuditEvent"`),
      ],
      (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
    );
    expect(dump).toContain("vendor"); // the rows are there…
    for (const secret of [PASSWORD, NEW_PASSWORD, TOKEN_PASSWORD, ECR_SECRET, ECR_PASSWORD, "plaintextGcrKeyMaterial0123456789"]) {
      expect(dump).not.toContain(secret); // …their secrets are not
      expect(dump).not.toContain(Buffer.from(secret).toString("base64"));
    }
    const secrets = await t.db.$queryRawUnsafe<{ purpose: string; field: string }[]>(`SELECT purpose, field FROM "EncryptedSecret" WHERE "teamId" = $1::uuid ORDER BY field`, teams.adminA.teamId);
    expect(secrets.map((s) => s.field).sort()).toEqual(["jsonKey", "password", "password", "secretAccessKey"]);
    expect(secrets.every((s) => s.purpose === "registry-credential")).toBe(true);
  });

  it("names: an admin sets and removes one; developers may not", async () => {
    const id = used[0]!;
    expect((await failure(invoke(updateRegistry, teams.developerA, { id, name: "prod" }))).code).toBe("forbidden");
    expect((await invoke(updateRegistry, teams.adminA, { id, name: "prod" })).name).toBe("prod");
    const clash = await failure(invoke(updateRegistry, teams.adminA, { id: used[1]!, name: "prod" }));
    expect(clash.fields).toEqual({ name: 'Another registry of this team is named "prod".' });
    expect((await invoke(updateRegistry, teams.adminA, { id, name: "" })).name).toBeNull();
    const events = await t.db.auditEvent.findMany({ where: { targetId: id, action: "registry.update" }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.metadata)).toEqual([{ name: { from: "upstream", to: "prod" } }, { name: { from: "prod", to: null } }]);
  });

  it("refuses loopback endpoints unless the operator allows private hosts, without sending a packet", async () => {
    updateTestEnv({ ALLOW_PRIVATE_REGISTRY_HOSTS: "false" });
    try {
      const plain = await failure(invoke(createRegistry, teams.adminA, { provider: "other", endpoint: basic.url, username: "u", password: "p" }));
      expect(plain.fields?.endpoint).toMatch(/^Plain http:\/\/ is only allowed/);
      const loopback = await failure(invoke(createRegistry, teams.adminA, { provider: "other", endpoint: "127.0.0.1:5000", username: "u", password: "p" }));
      expect(loopback.fields?.endpoint).toMatch(/^127\.0\.0\.1 is a loopback address\./);
      const metadata = await failure(invoke(createRegistry, teams.adminA, { provider: "other", endpoint: "169.254.169.254", username: "u", password: "p" }));
      expect(metadata.fields?.endpoint).toMatch(/^169\.254\.169\.254 is a link-local address/);
      const draft = await invoke(testDraftRegistry, teams.adminA, { provider: "other", endpoint: `https://${basic.host}`, username: "u", password: "p" });
      expect(draft.steps.map((s) => s.name)).toEqual(["Endpoint", "Resolve host"]);
      expect(draft.steps.at(-1)!.ok).toBe(false);
      // A stored plain-HTTP registry fails its first step once the operator stops allowing it.
      const stored = await invoke(testRegistry, teams.adminA, { id: used[0]! });
      expect(stored.steps).toHaveLength(1);
      expect(stored.summary).toMatch(/^Endpoint failed: Plain http:\/\/ is only allowed/);
    } finally {
      updateTestEnv({ ALLOW_PRIVATE_REGISTRY_HOSTS: "true" });
    }
  });

  it("delete: admins only, confirmed by typing the endpoint; the sealed secret goes too", async () => {
    const id = used[0]!;
    expect((await failure(invoke(deleteRegistry, teams.developerA, { id, confirmEndpoint: basic.url }))).code).toBe("forbidden");
    const wrong = await failure(invoke(deleteRegistry, teams.adminA, { id, confirmEndpoint: "ghcr.io" }));
    expect(wrong.fields).toEqual({ confirmEndpoint: `Type ${basic.url} to confirm deletion.` });
    expect((await failure(invoke(deleteRegistry, teams.adminB, { id, confirmEndpoint: basic.url }))).code).toBe("not_found");

    await invoke(deleteRegistry, teams.adminA, { id, confirmEndpoint: ` ${basic.url}/ ` });
    expect(await t.db.registry.findUnique({ where: { id } })).toBeNull();
    expect(await t.db.encryptedSecret.count({ where: { recordId: id } })).toBe(0);
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { targetId: id, action: "registry.delete" } });
    expect(event).toMatchObject({ actorEmail: teams.adminA.email, targetLabel: basic.url, metadata: { provider: "other", name: null, username: "vendor" } });
    expect((await failure(invoke(testRegistry, teams.adminA, { id }))).code).toBe("not_found");
  });
});
