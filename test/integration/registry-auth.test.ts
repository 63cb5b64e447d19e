import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/password";
import type { TeamContext } from "@/lib/auth/context";
import { invoke } from "@/lib/server/operation";
import { listActivity } from "@/lib/activity/operations";
import { customerAnalytics } from "@/lib/activity/analytics";
import { queryPullActivity } from "@/lib/activity/pull-activity";
import { hostsFromEnv } from "@/lib/apps/images/pull-references";
import { setOnlyListedImages } from "@/lib/apps/images/operations";
import { createPersonalToken, createServiceAccount, createTeamToken, revokeToken } from "@/lib/tokens/operations";
import { decodeJwt, libtrustKeyId, verifyJwt } from "@/lib/registry-auth/jwt";
import { REGISTRY_ISSUER, REGISTRY_SERVICE } from "@/lib/registry-auth/settings";
import { setupTestDatabase } from "@/test/support/db";
import { createAppRow, createCustomerRow, createLicense, createTeam, memberContext } from "@/test/support/factories";
import type { PortalRoutes } from "@/test/support/portal-routes";
import { basicAuth, configureRegistryAuthTestEnv, startHostedRegistry, startRegistryAuthRoutes } from "@/test/support/registry-auth";
import { buildOciImage, pullImage, pushImage, requireBinaries, skopeoInspect, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * The hosted private registry end to end: a real CNCF Distribution configured by
 * `portcullis registry config` (auth: token against the portal's token route, notifications to
 * its events route), the portal's route handlers on a test database, and skopeo as the client.
 * Vendors push with every kind of credential; customers pull with `LICENSE_ID`; everything else
 * is refused; pushes and pulls land in PullEvent.
 */

configureRegistryAuthTestEnv();
const PASSWORD = "correct horse battery staple";

describe.skipIf(!requireBinaries("docker-registry", "skopeo"))("hosted registry behind the portal's token service", () => {
  const t = setupTestDatabase({ processDb: true });
  let routes: PortalRoutes;
  let registry: Distribution & { cliOutput: string[] };
  let work: string;
  let img: BuiltImage;
  let admin: TeamContext;
  let outsider: TeamContext;
  let appId: string;
  const tokens = {} as Record<"user" | "serviceAccount" | "readOnly" | "team" | "revoked" | "outsiderTeam", string>;
  let license: { id: string; licenseId: string };
  let expiredLicense: { id: string; licenseId: string };
  let revokedLicense: { id: string; licenseId: string };
  let outsiderLicense: { id: string; licenseId: string };
  let customerId: string;

  const ref = (repo: string) => `${registry.host}/${repo}`;
  const licenseCreds = (l: { licenseId: string }) => ({ username: "LICENSE_ID", password: l.licenseId });
  const push = (target: string, creds: { username: string; password: string }) => pushImage(img.dir, ref(target), { creds, tag: img.tag });
  const failure = (p: Promise<unknown>) => p.then(() => "succeeded", (e: Error) => e.message);

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "registry-auth-"));

    admin = await memberContext(t.db, { role: "admin", teamName: "Acme" });
    await t.db.user.update({ where: { id: admin.userId }, data: { passwordHash: await hashPassword(PASSWORD) } });
    outsider = await memberContext(t.db, { role: "admin", teamName: "Beta" });
    appId = (await createAppRow(t.db, admin.teamId, { name: "Acme", slug: "acme" })).id;
    const betaAppId = (await createAppRow(t.db, outsider.teamId, { name: "Beta", slug: "beta" })).id;
    customerId = (await createCustomerRow(t.db, admin.teamId, "Customer One")).id;
    const betaCustomer = (await createCustomerRow(t.db, outsider.teamId, "Beta's customer")).id;

    tokens.user = (await invoke(createPersonalToken, admin, { name: "laptop" })).token;
    tokens.serviceAccount = (await invoke(createServiceAccount, admin, { name: "ci", role: "developer" })).token;
    tokens.readOnly = (await invoke(createServiceAccount, admin, { name: "auditor", role: "read_only" })).token;
    tokens.team = (await invoke(createTeamToken, admin, { name: "release" })).token;
    const revoked = await invoke(createServiceAccount, admin, { name: "old-ci", role: "developer" });
    tokens.revoked = revoked.token;
    tokens.outsiderTeam = (await invoke(createTeamToken, outsider, { name: "beta release" })).token;

    const app = { teamId: admin.teamId, appId, customerId };
    license = await createLicense(t.db, app);
    expiredLicense = await createLicense(t.db, app, { expiresAt: new Date(Date.now() - 60_000) });
    revokedLicense = await createLicense(t.db, app);
    outsiderLicense = await createLicense(t.db, { teamId: outsider.teamId, appId: betaAppId, customerId: betaCustomer });

    routes = await startRegistryAuthRoutes();
    registry = await startHostedRegistry(routes.url);
    img = await buildOciImage(path.join(work, "img"), { layers: [{ sizeBytes: 50_000 }, { files: { "etc/app.conf": "x=1\n" } }], tag: "1" });

    // Revoked after a first successful use: what was granted before must not outlive it.
    await push("acme/old-ci:1", { username: "ci", password: tokens.revoked });
    await invoke(revokeToken, admin, { id: revoked.id });
    await t.db.license.update({ where: { id: revokedLicense.id }, data: { revokedAt: new Date() } });
  });

  afterAll(async () => {
    await registry?.stop();
    await routes?.close();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it("`portcullis registry config` wrote the config Distribution runs with", () => {
    expect(registry.cliOutput.join("\n")).toMatch(/wrote .*config\.yml/);
    expect(registry.cliOutput.join("\n")).toContain(`token realm: ${routes.url}/api/registry/token`);
  });

  it("vendors push <slug>/…:1 with a user token, a service-account token, a team token and email + password", async () => {
    const pushes = [
      ["acme/app:1", { username: "token", password: tokens.user }],
      ["acme/app:sa", { username: "ci", password: tokens.serviceAccount }],
      ["acme/tools:1", { username: "anything", password: tokens.team }],
      ["acme/app:pw", { username: admin.email, password: PASSWORD }],
    ] as const;
    for (const [target, creds] of pushes) {
      const { digest } = await push(target, creds);
      expect(digest, target).toBe(img.digest);
    }
    // Another team pushes under its own slug.
    await push("beta/app:1", { username: "token", password: tokens.outsiderTeam });
  });

  it("a customer pulls the app's images with LICENSE_ID:<license id>", async () => {
    await pullImage(ref("acme/app:1"), path.join(work, "pulled"), { creds: licenseCreds(license) });
    const manifest = await skopeoInspect(ref("acme/tools:1"), { creds: licenseCreds(license), raw: true });
    expect(manifest.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
  });

  it("with \"only listed images\" on and images listed, a license pulls only the hosted repositories its app lists", async () => {
    expect((await t.db.app.findUniqueOrThrow({ where: { id: appId } })).onlyListedImages).toBe(true);
    const listed = await t.db.appImage.create({ data: { teamId: admin.teamId, appId, source: "hosted", registryHost: registry.host, repository: "acme/app", reference: "1" } });
    try {
      await pullImage(ref("acme/app:1"), path.join(work, "listed"), { creds: licenseCreds(license) });
      expect(await failure(skopeoInspect(ref("acme/tools:1"), { creds: licenseCreds(license), raw: true }))).toMatch(/denied: requested access to the resource is denied/);
      // The vendor's own credentials still reach every repository of the app.
      const vendorManifest = await skopeoInspect(ref("acme/tools:1"), { creds: { username: "auditor", password: tokens.readOnly }, raw: true });
      expect(vendorManifest.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
      // Switched off, the list no longer limits the license.
      await invoke(setOnlyListedImages, admin, { id: appId, onlyListedImages: false });
      expect((await skopeoInspect(ref("acme/tools:1"), { creds: licenseCreds(license), raw: true })).mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    } finally {
      await invoke(setOnlyListedImages, admin, { id: appId, onlyListedImages: true });
      await t.db.appImage.delete({ where: { id: listed.id } });
    }
  });

  it("containerd's OAuth2 POST (password grant) gets a token Distribution accepts for the license's pulls only", async () => {
    const form = new URLSearchParams({ grant_type: "password", service: REGISTRY_SERVICE, client_id: "containerd-client", username: "LICENSE_ID", password: license.licenseId, scope: "repository:acme/app:pull,push repository:beta/app:pull" });
    const res = await fetch(`${routes.url}/api/registry/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; scope: string; expires_in: number };
    expect(body.scope).toBe("repository:acme/app:pull");
    const manifest = (repo: string) =>
      fetch(`${registry.url}/v2/${repo}/manifests/1`, { headers: { authorization: `Bearer ${body.access_token}`, accept: "application/vnd.oci.image.manifest.v1+json" } });
    const pulled = await manifest("acme/app");
    expect(pulled.status).toBe(200);
    expect(pulled.headers.get("docker-content-digest")).toBe(img.digest);
    expect((await manifest("beta/app")).status).toBe(401);
  });

  it("a license cannot push", async () => {
    expect(await failure(push("acme/app:evil", licenseCreds(license)))).toMatch(/denied: requested access to the resource is denied/);
  });

  it("a read-only service account pulls but cannot push", async () => {
    const creds = { username: "auditor", password: tokens.readOnly };
    await skopeoInspect(ref("acme/app:1"), { creds, raw: true });
    expect(await failure(push("acme/app:ro", creds))).toMatch(/denied: requested access to the resource is denied/);
  });

  it("another team's slug: no pull, no push, neither with a token nor with a license", async () => {
    for (const creds of [
      { username: "token", password: tokens.team },
      { username: admin.email, password: PASSWORD },
      licenseCreds(license),
    ]) {
      expect(await failure(skopeoInspect(ref("beta/app:1"), { creds, raw: true })), creds.username).toMatch(/denied: requested access to the resource is denied/);
    }
    expect(await failure(push("beta/app:2", { username: "token", password: tokens.team }))).toMatch(/denied: requested access to the resource is denied/);
    // And the other way round: their license doesn't reach our images.
    expect(await failure(skopeoInspect(ref("acme/app:1"), { creds: licenseCreds(outsiderLicense), raw: true }))).toMatch(/denied: requested access to the resource is denied/);
  });

  it("a revoked token, an expired license and a revoked license are refused", async () => {
    expect(await failure(skopeoInspect(ref("acme/old-ci:1"), { creds: { username: "ci", password: tokens.revoked }, raw: true }))).toMatch(/unauthorized/i);
    expect(await failure(push("acme/old-ci:2", { username: "ci", password: tokens.revoked }))).toMatch(/unauthorized/i);
    expect(await failure(pullImage(ref("acme/app:1"), path.join(work, "expired"), { creds: licenseCreds(expiredLicense) }))).toMatch(/unauthorized/i);
    expect(await failure(pullImage(ref("acme/app:1"), path.join(work, "revoked"), { creds: licenseCreds(revokedLicense) }))).toMatch(/unauthorized/i);
    expect(await failure(skopeoInspect(ref("acme/app:1"), { creds: { username: admin.email, password: "wrong password!" }, raw: true }))).toMatch(/unauthorized/i);
    // Without credentials: nothing either.
    expect(await failure(skopeoInspect(ref("acme/app:1"), { raw: true }))).toMatch(/unauthorized|authentication required/i);
  });

  it("pushes and pulls land in PullEvent, per app and per license, with blobs only as a license's bytes", async () => {
    const deadline = Date.now() + 15_000;
    let rows = await t.db.pullEvent.findMany({ where: { source: "registry" }, orderBy: { seq: "asc" } });
    const complete = () =>
      rows.some((r) => r.action === "pull-manifest" && r.licenseId === license.id) &&
      rows.some((r) => r.action === "pull-blob" && r.licenseId === license.id) &&
      rows.filter((r) => r.action === "push-manifest" && r.appId === appId).length >= 5;
    while (!complete() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      rows = await t.db.pullEvent.findMany({ where: { source: "registry" }, orderBy: { seq: "asc" } });
    }
    const acme = rows.filter((r) => r.appId === appId);
    expect(acme.every((r) => r.teamId === admin.teamId)).toBe(true);
    const pushes = acme.filter((r) => r.action === "push-manifest");
    expect(pushes.map((r) => `${r.image}:${r.reference}`).sort()).toEqual(["acme/app:1", "acme/app:pw", "acme/app:sa", "acme/old-ci:1", "acme/tools:1"]);
    const actorOf = (image: string, reference: string) => pushes.find((r) => r.image === image && r.reference === reference)?.actor;
    expect(actorOf("acme/app", "1")).toBe(`${admin.email} (token laptop)`);
    expect(actorOf("acme/app", "sa")).toBe("ci (service account)");
    expect(actorOf("acme/tools", "1")).toBe("release (team token)");
    expect(actorOf("acme/app", "pw")).toBe(admin.email);
    expect(pushes.every((r) => r.status === 201 && r.bytes > 0n && r.licenseId === null)).toBe(true);

    const pulls = acme.filter((r) => r.action === "pull-manifest" && r.licenseId === license.id);
    expect(pulls.length).toBeGreaterThan(0);
    expect(pulls[0]).toMatchObject({ customerId, image: "acme/app", status: 200, actor: `license …${license.licenseId.slice(-4)}` });
    expect(rows.filter((r) => r.appId !== appId).every((r) => r.teamId === outsider.teamId)).toBe(true);
    // Blob rows are a license's deliveries only (their bytes), never a vendor's reads.
    expect(rows.filter((r) => !r.action.endsWith("-manifest")).every((r) => r.action === "pull-blob" && r.licenseId !== null && r.result === "pulled")).toBe(true);
    expect(rows.some((r) => r.action === "pull-blob" && r.licenseId === license.id)).toBe(true);

    // Shown per app and per license (the Apps page's "Recent activity"), to that team only.
    const perApp = await invoke(listActivity, admin, { appId });
    expect(perApp.length).toBe(acme.filter((r) => r.action.endsWith("-manifest")).length);
    expect(perApp[0]!.at.getTime()).toBeGreaterThanOrEqual(perApp.at(-1)!.at.getTime());
    const perLicense = await invoke(listActivity, admin, { licenseId: license.id });
    expect(perLicense.length).toBe(pulls.length);
    expect(perLicense[0]).toMatchObject({ source: "registry", action: "pull-manifest", app: { id: appId, slug: "acme" }, license: { id: license.id, customerId, customerName: "Customer One" } });
    // The Customers page's pull log: only events of license holders (no vendor pushes).
    const customersLog = await invoke(listActivity, admin, { customersOnly: true });
    expect(customersLog.length).toBe(pulls.length);
    expect(customersLog.every((e) => e.license?.customerName === "Customer One")).toBe(true);
    await expect(invoke(listActivity, outsider, { appId })).rejects.toMatchObject({ code: "not_found" });
    expect((await invoke(listActivity, outsider, {})).every((e) => e.app?.slug === "beta")).toBe(true);
  });
});

describe("token route", () => {
  const t = setupTestDatabase({ processDb: true });
  let routes: PortalRoutes;
  let teamToken: string;
  let readOnlyToken: string;
  let license: { id: string; licenseId: string };

  beforeAll(async () => {
    const admin = await memberContext(t.db, { role: "admin", teamName: "Gamma" });
    const appId = (await createAppRow(t.db, admin.teamId, { name: "Gamma", slug: "gamma" })).id;
    const customerId = (await createCustomerRow(t.db, admin.teamId, "C")).id;
    await createAppRow(t.db, await createTeam(t.db, "Delta"), { name: "Delta", slug: "delta" });
    teamToken = (await invoke(createTeamToken, admin, { name: "t" })).token;
    readOnlyToken = (await invoke(createServiceAccount, admin, { name: "ro", role: "read_only" })).token;
    license = await createLicense(t.db, { teamId: admin.teamId, appId, customerId });
    routes = await startRegistryAuthRoutes();
  });
  afterAll(async () => {
    await routes?.close();
  });

  const tokenUrl = (query: string) => `${routes.url}/api/registry/token?${query}`;
  const get = (query: string, authorization?: string) => fetch(tokenUrl(query), { headers: authorization ? { authorization } : {} });
  const accessOf = async (res: Response) => {
    const body = (await res.json()) as { token: string; access_token: string; expires_in: number; issued_at: string };
    expect(body.access_token).toBe(body.token);
    return decodeJwt(body.token)!;
  };

  it("signs what Distribution verifies: ES256, libtrust kid of the bundle's key, aud a string, merged scopes", async () => {
    const res = await get(`service=${REGISTRY_SERVICE}&scope=repository:gamma/api:pull&scope=repository:gamma/api:push&scope=repository:gamma/api:pull&scope=repository:delta/x:pull&account=ci`, basicAuth("ci", teamToken));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const jwt = await accessOf(res);
    expect(jwt.header).toMatchObject({ alg: "ES256", typ: "JWT" });
    expect(jwt.header.kid).toMatch(/^(?:[A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    expect(jwt.signature).toHaveLength(64);
    expect(jwt.claims).toMatchObject({ iss: REGISTRY_ISSUER, aud: REGISTRY_SERVICE, access: [{ type: "repository", name: "gamma/api", actions: ["pull", "push"] }] });
    expect(jwt.claims.sub).toMatch(/^token:[0-9a-f-]{36}$/);
    const { exp, iat, nbf } = jwt.claims as { exp: number; iat: number; nbf: number };
    expect(exp - iat).toBe(300);
    expect(nbf).toBe(iat);

    // The same key as the certificate `registry config` puts in the bundle.
    const { loadRegistrySigningKey } = await import("@/lib/registry-auth/signing-key");
    const key = await loadRegistrySigningKey();
    expect(jwt.header.kid).toBe(libtrustKeyId(key.publicKey));
    expect(verifyJwt((await (await get("scope=repository:gamma/api:pull", basicAuth("ci", teamToken))).json()).token, key.publicKey)).not.toBeNull();
  });

  it("grants by role and license: read-only pulls, a license pulls its app only, nothing outside an app", async () => {
    const scope = "scope=repository:gamma/api:pull,push&scope=repository:delta/api:pull&scope=repository:gamma:pull&scope=registry:catalog:*&scope=repository:gamma/api:delete";
    expect((await accessOf(await get(scope, basicAuth("x", readOnlyToken)))).claims.access).toEqual([{ type: "repository", name: "gamma/api", actions: ["pull"] }]);
    const licensed = await accessOf(await get(scope, basicAuth("LICENSE_ID", license.licenseId)));
    expect(licensed.claims.access).toEqual([{ type: "repository", name: "gamma/api", actions: ["pull"] }]);
    expect(licensed.claims.sub).toBe(`license:${license.id}`);
    expect(JSON.stringify(licensed.claims)).not.toContain(license.licenseId);
  });

  it("the license login's user name is LICENSE_ID in any case, as at the proxy", async () => {
    const scope = "scope=repository:gamma/api:pull";
    for (const username of ["license_id", "License_Id", "LICENSE_ID"]) {
      const res = await get(scope, basicAuth(username, license.licenseId));
      expect(res.status, username).toBe(200);
      const { claims } = await accessOf(res);
      expect(claims.access, username).toEqual([{ type: "repository", name: "gamma/api", actions: ["pull"] }]);
      expect(claims.sub, username).toBe(`license:${license.id}`);
    }
    // Only ASCII letters fold: a dotless ı is not an I.
    expect((await get(scope, basicAuth("lıcense_ıd", license.licenseId))).status).toBe(401);
  });

  it("anonymous: a token with no access (Distribution then answers insufficient_scope)", async () => {
    const res = await get("service=portcullis-registry&scope=repository:gamma/api:pull");
    expect(res.status).toBe(200);
    expect((await accessOf(res)).claims).toMatchObject({ sub: "", access: [] });
  });

  it("bad credentials: 401 with an OCI error body, whatever the kind", async () => {
    for (const authorization of [
      basicAuth("ci", "pct_" + "A".repeat(36)),
      basicAuth("LICENSE_ID", "A".repeat(27)),
      // A token with its last character changed (the checksum then fails), never the token itself.
      basicAuth("LICENSE_ID", teamToken.slice(0, -1) + (teamToken.endsWith("x") ? "y" : "x")),
      basicAuth("nobody@example.test", "some password"),
      basicAuth("someone", "not-a-token"),
      basicAuth("", ""),
      "Bearer abc",
      "Basic !!!",
    ]) {
      const res = await get("service=portcullis-registry&scope=repository:gamma/api:pull", authorization);
      expect(res.status, authorization).toBe(401);
      const body = (await res.json()) as { errors: Array<{ code: string; message: string }> };
      expect(body.errors[0]!.code).toBe("UNAUTHORIZED");
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    }
  });

  it("POST, the OAuth2 password grant: the same grants, OAuth's answer shape", async () => {
    const post = (fields: Record<string, string>, contentType = "application/x-www-form-urlencoded") =>
      fetch(`${routes.url}/api/registry/token`, { method: "POST", headers: { "content-type": contentType }, body: new URLSearchParams(fields).toString() });
    const grant = { grant_type: "password", service: REGISTRY_SERVICE, client_id: "containerd-client" };

    const res = await post({ ...grant, username: "x", password: readOnlyToken, scope: "repository:gamma/api:pull,push repository:delta/api:pull" });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "issued_at", "scope"]);
    expect(body.scope).toBe("repository:gamma/api:pull");
    expect(decodeJwt(body.access_token as string)!.claims.access).toEqual([{ type: "repository", name: "gamma/api", actions: ["pull"] }]);

    const refused = await post({ ...grant, username: "LICENSE_ID", password: "A".repeat(27), scope: "repository:gamma/api:pull" });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe("UNAUTHORIZED");

    // What containerd falls back to GET on: 400 for a grant or a request we don't take.
    for (const [fields, error] of [
      [{ ...grant, grant_type: "refresh_token", refresh_token: "abc" }, "unsupported_grant_type"],
      [{ ...grant, username: "x" }, "invalid_request"],
      [{ grant_type: "password", username: "x", password: teamToken }, "invalid_request"],
      [{ ...grant, service: "another-registry", username: "x", password: teamToken }, "invalid_request"],
      [{ ...grant, username: "x", password: teamToken, scope: Array.from({ length: 40 }, (_, i) => `repository:gamma/r${i}:pull`).join(" ") }, "invalid_request"],
    ] as const) {
      const r = await post(fields);
      expect(r.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
      expect(((await r.json()) as { error: string }).error).toBe(error);
    }
    expect((await post({ ...grant, username: "x", password: teamToken }, "application/json")).status).toBe(400);
    const huge = await fetch(`${routes.url}/api/registry/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `scope=${"a".repeat(70_000)}` });
    expect(huge.status).toBe(413);
    // Chunked, without a Content-Length: counted as it arrives, not read whole first.
    let sent = 0;
    const large = new ReadableStream<Uint8Array>({
      pull: (c) => (sent++ < 64 ? c.enqueue(new TextEncoder().encode("scope=" + "a".repeat(16_384))) : c.close()),
    });
    const chunked = await fetch(`${routes.url}/api/registry/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: large, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(routes.calls.some((c) => c.status >= 500)).toBe(false);
  });

  it("malformed requests: 400, never a 500", async () => {
    const many = Array.from({ length: 40 }, (_, i) => `scope=repository:gamma/r${i}:pull`).join("&");
    for (const q of ["service=another-registry", many, `scope=${"a".repeat(600)}`, "account=someone-else"]) {
      const res = await get(q, basicAuth("ci", teamToken));
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe("UNSUPPORTED");
    }
    expect(routes.calls.some((c) => c.status >= 500)).toBe(false);
  });
});

describe("events route", () => {
  const t = setupTestDatabase({ processDb: true });
  let routes: PortalRoutes;
  let appId: string;
  let license: { id: string; licenseId: string };
  let eventsToken: string;

  beforeAll(async () => {
    const admin = await memberContext(t.db, { role: "admin", teamName: "Epsilon" });
    appId = (await createAppRow(t.db, admin.teamId, { name: "Eps", slug: "eps" })).id;
    const customerId = (await createCustomerRow(t.db, admin.teamId, "C")).id;
    license = await createLicense(t.db, { teamId: admin.teamId, appId, customerId });
    const { registryEventsToken } = await import("@/lib/registry-auth/settings");
    eventsToken = registryEventsToken()!;
    routes = await startRegistryAuthRoutes();
  });
  afterAll(async () => {
    await routes?.close();
  });

  const post = (body: unknown, token = eventsToken) =>
    fetch(`${routes.url}/api/registry/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/vnd.docker.distribution.events.v1+json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const pullEvent = (id: string, over: Record<string, unknown> = {}) => ({
    id,
    timestamp: new Date().toISOString(),
    action: "pull",
    target: { mediaType: "application/vnd.oci.image.manifest.v1+json", size: 428, digest: "sha256:" + "b".repeat(64), repository: "eps/web", tag: "2" },
    request: { id: crypto.randomUUID(), method: "GET", addr: "127.0.0.1:5555" },
    actor: { name: `license:${license.id}` },
    source: { addr: "registry:5000", instanceID: "i" },
    ...over,
  });

  it("records a manifest pull once, however often Distribution redelivers it", async () => {
    const id = crypto.randomUUID();
    for (let i = 0; i < 3; i++) expect((await post({ events: [pullEvent(id)] })).status).toBe(200);
    const rows = await t.db.pullEvent.findMany({ where: { appId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: "registry", licenseId: license.id, action: "pull-manifest", image: "eps/web", reference: "2", bytes: 428n });
  });

  it("accepts but drops what isn't a manifest GET/PUT of a known app, and malformed events", async () => {
    const res = await post({
      events: [
        pullEvent(crypto.randomUUID(), { request: { method: "HEAD" } }),
        // A vendor's blob read: not a delivery.
        pullEvent(crypto.randomUUID(), { target: { mediaType: "application/octet-stream", repository: "eps/web", digest: "sha256:" + "c".repeat(64), size: 9 }, actor: { name: `user:${crypto.randomUUID()}` } }),
        pullEvent(crypto.randomUUID(), { target: { mediaType: "application/vnd.oci.image.manifest.v1+json", repository: "unknown/web", tag: "1" } }),
        { id: "x", nonsense: true },
        "not even an object",
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 0, ignored: 5 });
    // A license of another app is not attributed.
    const other = crypto.randomUUID();
    await t.db.app.create({ data: { teamId: (await t.db.app.findUniqueOrThrow({ where: { id: appId } })).teamId, name: "Eps2", slug: "eps2" } });
    await post({ events: [pullEvent(other, { target: { mediaType: "application/vnd.oci.image.manifest.v1+json", repository: "eps2/web", tag: "1" } })] });
    expect(await t.db.pullEvent.findFirst({ where: { image: "eps2/web" } })).toMatchObject({ licenseId: null, customerId: null, actor: null });
  });

  it("a license's pull is a delivery: the manifest with its digest, and each blob GET as the bytes sent, counted in the customer's analytics, listed once", async () => {
    const digest = "sha256:" + "d".repeat(64);
    const res = await post({
      events: [
        pullEvent(crypto.randomUUID(), { target: { mediaType: "application/vnd.oci.image.manifest.v1+json", size: 500, digest, repository: "eps/api", tag: "3" } }),
        pullEvent(crypto.randomUUID(), { target: { mediaType: "application/octet-stream", size: 300, digest: "sha256:" + "e".repeat(64), repository: "eps/api" } }),
        pullEvent(crypto.randomUUID(), { target: { mediaType: "application/octet-stream", size: 7000, digest: "sha256:" + "f".repeat(64), repository: "eps/api" } }),
      ],
    });
    expect(await res.json()).toEqual({ accepted: 3, ignored: 0 });
    const rows = await t.db.pullEvent.findMany({ where: { appId, image: "eps/api" }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => [r.action, r.result, r.bytes, r.licenseId])).toEqual([
      ["pull-manifest", "pulled", 500n, license.id],
      ["pull-blob", "pulled", 300n, license.id],
      ["pull-blob", "pulled", 7000n, license.id],
    ]);
    expect(rows[0]!.digest).toBe(digest);

    const teamId = (await t.db.app.findUniqueOrThrow({ where: { id: appId } })).teamId;
    const customer = await t.db.customer.findFirstOrThrow({ where: { teamId } });
    const analytics = await customerAnalytics(t.db, teamId, customer, { days: 1 });
    expect(analytics.images.find((i) => i.image === "eps/api")).toMatchObject({ pulls: 1, bytes: 7800 });
    expect(analytics.versions.find((v) => v.image === "eps/api")).toMatchObject({ digest, tags: ["3"], pulls: 1 });
    // The history lists the pull once, as the customer wrote it (the hosted registry's host in front).
    const history = await queryPullActivity(t.db, { teamId, licenseId: license.id });
    const listed = history.attempts.filter((a) => a.image === "eps/api");
    expect(listed.map((a) => [a.result, a.reference, a.bytes])).toEqual([["pulled", `${hostsFromEnv().registryHost}/eps/api:3`, 500]]);
  });

  it("refuses without the events token, and bodies that are not an envelope", async () => {
    expect((await post({ events: [] }, "wrong-token-wrong-token-wrong")).status).toBe(401);
    expect((await fetch(`${routes.url}/api/registry/events`, { method: "POST", body: "{}" })).status).toBe(401);
    expect((await post("not json")).status).toBe(400);
    expect((await post({ nothing: 1 })).status).toBe(400);
    expect(routes.calls.some((c) => c.status >= 500)).toBe(false);
  });
});
