import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { createSession, findSession } from "@/lib/auth/sessions";
import type { SignInMethod } from "@/lib/auth/sign-in-method";
import { invoke } from "@/lib/server/operation";
import { getSso, saveSso, testSso } from "@/lib/sso/operations";
import { addSsoDomain, listSsoDomains, removeSsoDomain, verifySsoDomain } from "@/lib/sso/domains";
import { loadSsoSecret } from "@/lib/sso/secret";
import { ssoRedirectUri } from "@/lib/sso/redirect";
import { ssoDomainSchema, ssoSchema, ssoTestSchema } from "@/lib/api/schemas";
import { setupTestDatabase } from "@/test/support/db";
import { startDnsServer, type TestDnsServer } from "@/test/support/dns-server";
import { memberContext, roleTokens, twoTeams } from "@/test/support/factories";
import { apiRequest } from "@/test/support/api";
import { startOidcProvider, type TestOidcProvider } from "@/test/support/oidc-provider";
import { configureTestEnv, updateTestEnv } from "@/test/support/test-env";

/**
 * Single sign-on configuration and domains against a real OpenID Provider (oidc-provider on
 * 127.0.0.1, which ALLOW_PRIVATE_HOSTS=true allows) and a real DNS server (dns2 on 127.0.0.1,
 * DNS_RESOLVER).
 */

const PORTAL = "http://portal.test";
const SECRET = "plaintext-sso-Secret-9c1e77";
configureTestEnv({ name: "sso-config-test", vars: { ALLOW_PRIVATE_HOSTS: "true", PORTAL_URL: PORTAL } });

const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;
let tok: Awaited<ReturnType<typeof roleTokens>>;
let idp: TestOidcProvider;
let dns: TestDnsServer;

const draft = () => ({ issuer: idp.issuer, clientId: "portcullis", clientSecret: SECRET });

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected the operation to fail");
}

const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));

const api = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await apiRequest(method, `/api/v1${path}`, { token, body, db: async () => t.db });
  return { status: res.status, body: (await res.json()) as any };
};

beforeAll(async () => {
  teams = await twoTeams(t.db);
  tok = await roleTokens(teams);
  idp = await startOidcProvider({ clients: [{ clientId: "portcullis", clientSecret: SECRET, redirectUris: [`${PORTAL}/api/auth/callback/sso`] }] });
  dns = await startDnsServer();
  updateTestEnv({ DNS_RESOLVER: dns.address });
});

afterAll(async () => {
  await idp?.stop();
  await dns?.stop();
});

describe("the connection test", () => {
  it("passes with the right client: discovery, signing keys, client credentials, each with a timing", async () => {
    const test = await invoke(testSso, teams.adminA, draft());
    expect(test.ok).toBe(true);
    expect(test.steps.map((s) => s.name)).toEqual(["Discovery document", "Signing keys (JWKS)", "Client ID and secret"]);
    for (const s of test.steps) expect(s.durationMs).toBeGreaterThanOrEqual(0);
    expect(test.steps[1]!.detail).toMatch(/1 signing key \(RS256\)/);
    expect(test.steps[2]!.detail).toMatch(/invalid_grant/);
  });

  it("a wrong secret fails at the token endpoint with invalid_client, in words", async () => {
    const test = await invoke(testSso, teams.adminA, { ...draft(), clientSecret: "wrong" });
    expect(test.ok).toBe(false);
    expect(test.steps.at(-1)).toMatchObject({ name: "Client ID and secret", ok: false, status: 401 });
    expect(test.summary).toMatch(/refused the client ID or secret \(invalid_client\)/);
    expect(JSON.stringify(test)).not.toContain("wrong");
  });

  it("an unknown client ID fails the same way", async () => {
    const test = await invoke(testSso, teams.adminA, { ...draft(), clientId: "nobody" });
    expect(test.steps.at(-1)).toMatchObject({ name: "Client ID and secret", ok: false });
  });

  it("an issuer the discovery document doesn't name fails at discovery", async () => {
    const other = idp.issuer.replace("127.0.0.1", "localhost");
    const test = await invoke(testSso, teams.adminA, { ...draft(), issuer: other });
    expect(test.steps).toHaveLength(1);
    expect(test.steps[0]!.detail).toContain(`names the issuer "${idp.issuer}", not ${other}`);
    const missing = await invoke(testSso, teams.adminA, { ...draft(), issuer: `${idp.issuer}/nothing-here` });
    expect(missing.steps[0]).toMatchObject({ ok: false, status: 404 });
  });

  it("SSRF: a loopback issuer is refused unless private hosts are allowed; the older variable name still allows them", async () => {
    updateTestEnv({ ALLOW_PRIVATE_HOSTS: undefined, ALLOW_PRIVATE_REGISTRY_HOSTS: undefined });
    try {
      const refused = await invoke(testSso, teams.adminA, { ...draft(), issuer: idp.issuer.replace("http:", "https:") });
      expect(refused.ok).toBe(false);
      expect(refused.steps[0]!.detail).toMatch(/127\.0\.0\.1 is a loopback address\. Portcullis does not connect to identity providers .*ALLOW_PRIVATE_HOSTS=true/);
      updateTestEnv({ ALLOW_PRIVATE_REGISTRY_HOSTS: "true" });
      expect((await invoke(testSso, teams.adminA, draft())).ok).toBe(true);
    } finally {
      updateTestEnv({ ALLOW_PRIVATE_HOSTS: "true", ALLOW_PRIVATE_REGISTRY_HOSTS: undefined });
    }
  });

  it("plain http:// to a provider is refused when private hosts are not allowed", async () => {
    updateTestEnv({ ALLOW_PRIVATE_HOSTS: "false" });
    try {
      const refused = await invoke(testSso, teams.adminA, { ...draft(), issuer: "http://idp.example.test" });
      expect(refused.steps[0]!.detail).toMatch(/not https:\/\//);
    } finally {
      updateTestEnv({ ALLOW_PRIVATE_HOSTS: "true" });
    }
  });

  it("is audited without the secret", async () => {
    const events = await t.db.auditEvent.findMany({ where: { teamId: teams.adminA.teamId, action: "sso.tested" } });
    expect(events.length).toBeGreaterThan(0);
    expect(json(events)).not.toContain(SECRET);
  });
});

describe("saving", () => {
  it("refuses to save when the test fails: 422 with the steps, nothing stored", async () => {
    const e = await failure(invoke(saveSso, teams.adminA, { ...draft(), clientSecret: "wrong" }));
    expect(e.code).toBe("validation_failed");
    expect((e as AppError & { test: { steps: unknown[] } }).test.steps).toHaveLength(3);
    expect(await t.db.teamSso.findUnique({ where: { teamId: teams.adminA.teamId } })).toBeNull();
  });

  it("saves after a passing test; the secret is sealed, never returned, and kept when omitted", async () => {
    const saved = await invoke(saveSso, teams.adminA, { ...draft(), defaultRole: "developer", groupsClaim: "groups", groupRoles: { "platform-admins": "admin" } });
    expect(saved.redirectUri).toBe(`${PORTAL}/api/auth/callback/sso`);
    expect(saved.settings).toMatchObject({ issuer: idp.issuer, clientId: "portcullis", hasClientSecret: true, enforce: false, defaultRole: "developer", groupRoles: { "platform-admins": "admin" } });
    expect(JSON.stringify(saved)).not.toContain(SECRET);

    const row = await t.db.teamSso.findUniqueOrThrow({ where: { teamId: teams.adminA.teamId } });
    const everything = json(await Promise.all([t.db.teamSso.findMany(), t.db.encryptedSecret.findMany(), t.db.auditEvent.findMany()]));
    expect(everything).not.toContain(SECRET);
    expect(await loadSsoSecret(t.db, row)).toBe(SECRET);

    const again = await invoke(saveSso, teams.adminA, { issuer: idp.issuer, clientId: "portcullis", defaultRole: "read_only" });
    expect(again.settings?.defaultRole).toBe("read_only");
    expect(await loadSsoSecret(t.db, row)).toBe(SECRET);
    expect(await t.db.auditEvent.count({ where: { teamId: teams.adminA.teamId, action: "sso.updated" } })).toBe(2);
  });

  it("a first save needs the secret", async () => {
    const e = await failure(invoke(saveSso, teams.adminB, { issuer: idp.issuer, clientId: "portcullis" }));
    expect(e.fields).toEqual({ clientSecret: "Enter the client secret." });
  });

  it("refuses bad input with field messages, never a 500", async () => {
    const e = await failure(invoke(saveSso, teams.adminA, { issuer: "ftp://x", clientId: "", defaultRole: "owner", groupRoles: { a: "root" } }));
    expect(e.code).toBe("validation_failed");
    expect(Object.keys(e.fields ?? {}).sort()).toEqual(["clientId", "defaultRole", "groupRoles.a", "issuer"]);
  });

  it("enforcing needs a verified domain", async () => {
    const e = await failure(invoke(saveSso, teams.adminA, { ...draft(), enforce: true }));
    expect(e.fields?.enforce).toMatch(/Verify a domain before enforcing/);
  });
});

describe("domains", () => {
  it("a claim is pending with its TXT record; verify looks it up through DNS_RESOLVER", async () => {
    const claim = await invoke(addSsoDomain, teams.adminA, { domain: "Acme.Example.test." });
    expect(claim).toMatchObject({ domain: "acme.example.test", status: "pending", txtName: "_portcullis-challenge.acme.example.test" });
    expect(claim.txtValue).toMatch(/^portcullis-verification=[A-Za-z0-9_-]{32}$/);

    const missing = await failure(invoke(verifySsoDomain, teams.adminA, { id: claim.id }));
    expect(missing.fields?.domain).toMatch(/No TXT record at _portcullis-challenge\.acme\.example\.test yet/);
    expect(dns.questions).toContain("_portcullis-challenge.acme.example.test");

    dns.setTxt(claim.txtName, ["v=spf1 -all", "portcullis-verification=not-this-one"]);
    const wrong = await failure(invoke(verifySsoDomain, teams.adminA, { id: claim.id }));
    expect(wrong.fields?.domain).toMatch(/don't include/);

    dns.setTxt(claim.txtName, ["v=spf1 -all", claim.txtValue]);
    const verified = await invoke(verifySsoDomain, teams.adminA, { id: claim.id });
    expect(verified.status).toBe("verified");
    expect(await t.db.auditEvent.count({ where: { teamId: teams.adminA.teamId, action: "sso.domain_verified" } })).toBe(1);
  });

  it("a domain verified by one team can't be claimed or verified by another", async () => {
    const taken = await failure(invoke(addSsoDomain, teams.adminB, { domain: "acme.example.test" }));
    expect(taken.code).toBe("conflict");

    // Claimed by both while pending: the first to verify wins.
    const a = await invoke(addSsoDomain, teams.adminA, { domain: "shared.example.test" });
    const b = await invoke(addSsoDomain, teams.adminB, { domain: "shared.example.test" });
    dns.setTxt(a.txtName, [a.txtValue, b.txtValue]);
    await invoke(verifySsoDomain, teams.adminA, { id: a.id });
    const lost = await failure(invoke(verifySsoDomain, teams.adminB, { id: b.id }));
    expect(lost.code).toBe("conflict");
    expect((await invoke(listSsoDomains, teams.adminB, {})).find((d) => d.id === b.id)?.status).toBe("pending");
  });

  it("rejects malformed domains", async () => {
    for (const domain of ["", "localhost", "http://x.com", "a@b.com", "x..com", "-x.com"]) {
      expect((await failure(invoke(addSsoDomain, teams.adminA, { domain }))).code).toBe("validation_failed");
    }
  });

  it("with a verified domain, enforcement can be turned on and off, each audited", async () => {
    // Members' password sessions (and those from before the method was recorded) end; their SSO,
    // GitHub and Google sessions stay, and admins keep every session.
    const developer = (signInMethod: SignInMethod | null) => createSession(t.db, { userId: teams.developerA.userId, signInMethod });
    const [password, unknown, sso, github, google] = [await developer("password"), await developer(null), await developer("sso"), await developer("github"), await developer("google")];
    const adminSession = await createSession(t.db, { userId: teams.adminA.userId, signInMethod: "password" });
    await invoke(saveSso, teams.adminA, { issuer: idp.issuer, clientId: "portcullis", enforce: true });
    for (const ended of [password, unknown]) expect(await findSession(t.db, ended.token)).toBeNull();
    for (const kept of [sso, github, google, adminSession]) expect(await findSession(t.db, kept.token)).not.toBeNull();
    const enforced = await t.db.auditEvent.findFirstOrThrow({ where: { teamId: teams.adminA.teamId, action: "sso.enforced" } });
    expect((enforced.metadata as { endedSessions: number }).endedSessions).toBeGreaterThanOrEqual(2);
    expect((await invoke(getSso, teams.adminA, {})).settings?.enforce).toBe(true);
    await invoke(saveSso, teams.adminA, { issuer: idp.issuer, clientId: "portcullis", enforce: false });
    const actions = (await t.db.auditEvent.findMany({ where: { teamId: teams.adminA.teamId, action: { in: ["sso.enforced", "sso.unenforced"] } }, orderBy: { createdAt: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["sso.enforced", "sso.unenforced"]);
  });

  it("the last verified domain can't be removed while SSO is enforced", async () => {
    const third = await memberContext(t.db, { role: "admin", teamName: "Team C" });
    await invoke(saveSso, third, { ...draft() });
    const only = await invoke(addSsoDomain, third, { domain: "b-only.example.test" });
    dns.setTxt(only.txtName, [only.txtValue]);
    await invoke(verifySsoDomain, third, { id: only.id });
    await invoke(saveSso, third, { issuer: idp.issuer, clientId: "portcullis", enforce: true });
    const e = await failure(invoke(removeSsoDomain, third, { id: only.id }));
    expect(e.code).toBe("conflict");
    expect(e.message).toMatch(/Turn off "Require single sign-on" before removing b-only\.example\.test/);
    await invoke(saveSso, third, { issuer: idp.issuer, clientId: "portcullis", enforce: false });
    expect(await invoke(removeSsoDomain, third, { id: only.id })).toEqual({ id: only.id });
  });
});

describe("REST", () => {
  it("GET, PUT /sso, POST /sso/test and the domains answer their documented schemas; admins only", async () => {
    const got = await api("GET", "/sso", tok.admin);
    expect(got.status).toBe(200);
    ssoSchema.parse(got.body);
    expect(JSON.stringify(got.body)).not.toContain(SECRET);
    expect(got.body.redirectUri).toBe(ssoRedirectUri());

    const tested = await api("POST", "/sso/test", tok.admin, draft());
    expect(tested.status).toBe(200);
    expect(ssoTestSchema.parse(tested.body).ok).toBe(true);

    const put = await api("PUT", "/sso", tok.admin, { ...draft(), defaultRole: "developer" });
    expect(put.status).toBe(200);
    expect(ssoSchema.parse(put.body).settings?.defaultRole).toBe("developer");

    const refused = await api("PUT", "/sso", tok.admin, { ...draft(), clientSecret: "nope" });
    expect(refused.status).toBe(422);
    expect(refused.body.error.test.steps.at(-1).name).toBe("Client ID and secret");

    const claimed = await api("POST", "/sso/domains", tok.admin, { domain: "rest.example.test" });
    expect(claimed.status).toBe(201);
    ssoDomainSchema.parse(claimed.body);
    const list = await api("GET", "/sso/domains", tok.admin);
    expect(list.body.data.map((d: { domain: string }) => d.domain)).toContain("rest.example.test");

    for (const token of [tok.dev, tok.reader]) {
      expect((await api("GET", "/sso", token)).status).toBe(403);
      expect((await api("PUT", "/sso", token, draft())).status).toBe(403);
    }
    const other = await api("GET", "/sso", tok.outsider);
    expect(other.body.settings).toBeNull();
  });
});
