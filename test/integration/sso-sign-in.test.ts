import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/password";
import { sessionFromCookies, teamContextOfSession } from "@/lib/auth/current-session";
import { invoke } from "@/lib/server/operation";
import { addSsoDomain } from "@/lib/sso/domains";
import { SSO_FLOW_COOKIE, signSsoFlow } from "@/lib/sso/flow-cookie";
import { saveSso } from "@/lib/sso/operations";
import { operatorVerifyDomain } from "@/lib/sso/operator-verify";
import { createServiceAccount } from "@/lib/tokens/operations";
import { authenticateBearer } from "@/lib/tokens/authenticate";
import { setupTestDatabase } from "@/test/support/db";
import { memberContext } from "@/test/support/factories";
import { AuthBrowser, PORTAL } from "@/test/support/next-auth-client";
import { loginAtProvider, startOidcProvider, type TestOidcProvider } from "@/test/support/oidc-provider";
import { configureTestEnv } from "@/test/support/test-env";

/**
 * Signing in with single sign-on through next-auth's `sso` provider against a real OpenID
 * Provider (oidc-provider on 127.0.0.1): the team chosen by the email's verified domain, the
 * person's first sign-in making their account and membership, the groups claim mapping roles,
 * and every tampered or refused flow ending without a session.
 */

const SECRET = "sso-sign-in-client-secret-4d1f";
configureTestEnv({ name: "sso-sign-in-test", vars: { ALLOW_PRIVATE_HOSTS: "true", PORTAL_URL: PORTAL } });
const t = setupTestDatabase({ processDb: true });
let idp: TestOidcProvider;
let admin: Awaited<ReturnType<typeof memberContext>>;

beforeAll(async () => {
  idp = await startOidcProvider({
    clients: [{ clientId: "portcullis", clientSecret: SECRET, redirectUris: [`${PORTAL}/api/auth/callback/sso`] }],
    accounts: {
      "new.colleague": { email: "new.colleague@acme.test", name: "New Colleague", groups: ["engineering"] },
      "lead": { email: "lead@acme.test", groups: ["platform-admins", "engineering"] },
      "unverified": { email: "unverified@acme.test", email_verified: false },
      "outsider": { email: "someone@elsewhere.test" },
    },
  });
  admin = await memberContext(t.db, { role: "admin", teamName: "Acme" });
  await invoke(addSsoDomain, admin, { domain: "acme.test" });
  await operatorVerifyDomain(t.db, { team: admin.teamId, domain: "acme.test" });
  await invoke(saveSso, admin, {
    issuer: idp.issuer,
    clientId: "portcullis",
    clientSecret: SECRET,
    defaultRole: "read_only",
    groupsClaim: "groups",
    groupRoles: { engineering: "developer", "platform-admins": "admin" },
  });
});

afterAll(async () => {
  await idp?.stop();
});

beforeEach(() => idp.tamperIdToken(null));

interface Flow {
  browser: AuthBrowser;
  /** Where the provider sent the browser back: the callback URL with code and state. */
  back: URL;
}

/** "Sign in with SSO" up to the provider's answer: the flow cookie, next-auth's sign-in POST, the login form. */
async function startAndLogin(login: string, browser = new AuthBrowser()): Promise<Flow> {
  browser.cookies.set(SSO_FLOW_COOKIE, signSsoFlow(admin.teamId, `${login}@acme.test`));
  const csrfToken = await browser.csrfToken();
  const res = await browser.request("/api/auth/signin/sso", { method: "POST", form: { csrfToken, callbackUrl: `${PORTAL}/apps`, json: "true" } });
  const { url } = (await res.json()) as { url: string };
  expect(url.startsWith(`${idp.issuer}/auth?`)).toBe(true);
  const authorization = new URL(url).searchParams;
  expect(authorization.get("code_challenge_method")).toBe("S256");
  expect(authorization.get("nonce")).toBeTruthy();
  expect(authorization.get("state")).toBeTruthy();
  expect(authorization.get("login_hint")).toBe(`${login}@acme.test`);
  return { browser, back: await loginAtProvider(url, login) };
}

/** The callback request; where next-auth sends the browser next. */
async function finish(flow: Flow, back = flow.back): Promise<URL> {
  const res = await flow.browser.request(back.pathname + back.search);
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location")!, PORTAL);
}

const signedIn = async (browser: AuthBrowser) => {
  const session = await sessionFromCookies(t.db, browser.jar());
  return session ? { session, ctx: await teamContextOfSession(t.db, session, null) } : null;
};

describe("signing in with SSO", () => {
  it("a new colleague's first sign-in creates the account and the membership with the mapped role", async () => {
    const flow = await startAndLogin("new.colleague");
    const next = await finish(flow);
    expect(next.href).toBe(`${PORTAL}/apps`);
    const now = await signedIn(flow.browser);
    expect(now?.session.user.email).toBe("new.colleague@acme.test");
    expect(now?.ctx).toMatchObject({ teamId: admin.teamId, role: "developer" });
    expect(now?.session.signInMethod).toBe("sso");
    const user = await t.db.user.findUniqueOrThrow({ where: { email: "new.colleague@acme.test" } });
    expect(user.passwordHash).toBe("");
    expect(flow.browser.cookies.has(SSO_FLOW_COOKIE)).toBe(false);
    const actions = (await t.db.auditEvent.findMany({ where: { teamId: admin.teamId, targetId: user.id } })).map((e) => e.action).sort();
    expect(actions).toEqual(["member.join", "sso.sign_in"]);
  });

  it("the groups claim is applied again at every sign-in", async () => {
    await finish(await startAndLogin("lead"));
    const lead = await t.db.user.findUniqueOrThrow({ where: { email: "lead@acme.test" } });
    const role = async () => (await t.db.membership.findFirstOrThrow({ where: { userId: lead.id, teamId: admin.teamId } })).role;
    expect(await role()).toBe("admin");
    idp.accounts.set("lead", { email: "lead@acme.test", groups: ["marketing"] });
    await finish(await startAndLogin("lead"));
    expect(await role()).toBe("read_only");
    expect(await t.db.auditEvent.count({ where: { teamId: admin.teamId, action: "member.role_change", targetId: lead.id } })).toBe(1);
  });

  it("refuses email_verified: false and emails outside the verified domains, with the reason, and no session", async () => {
    for (const [login, reason] of [["unverified", "SsoEmailUnverified"], ["outsider", "SsoOutsideDomain"]] as const) {
      const flow = await startAndLogin(login);
      const next = await finish(flow);
      expect(next.pathname).toBe("/sign-in");
      expect(next.searchParams.get("error")).toBe(reason);
      expect(await signedIn(flow.browser)).toBeNull();
    }
    expect(await t.db.user.findUnique({ where: { email: "someone@elsewhere.test" } })).toBeNull();
  });

  it("without a (valid) flow cookie the flow doesn't start", async () => {
    const browser = new AuthBrowser();
    const csrfToken = await browser.csrfToken();
    browser.cookies.set(SSO_FLOW_COOKIE, signSsoFlow(admin.teamId, "x@acme.test").replace(/.$/, (c) => (c === "A" ? "B" : "A")));
    const res = await browser.request("/api/auth/signin/sso", { method: "POST", form: { csrfToken, callbackUrl: `${PORTAL}/apps`, json: "true" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${PORTAL}/sign-in?error=SsoExpired`);
    const stale = new AuthBrowser();
    stale.cookies.set(SSO_FLOW_COOKIE, signSsoFlow(admin.teamId, "x@acme.test", Date.now() - 11 * 60_000));
    expect((await stale.request("/api/auth/callback/sso?code=x&state=y")).headers.get("location")).toBe(`${PORTAL}/sign-in?error=SsoExpired`);
  });
});

describe("tampered flows fail without a session", () => {
  /** next-auth sends a failed callback to its error route, which leads to the sign-in page with OAuthCallback. */
  const refused = async (flow: Flow, back?: URL) => {
    const next = await finish(flow, back);
    expect(next.pathname).toBe("/api/auth/error");
    expect(next.searchParams.get("error")).toBe("OAuthCallback");
    expect(await signedIn(flow.browser)).toBeNull();
  };

  it("a wrong state", async () => {
    const flow = await startAndLogin("new.colleague");
    const back = new URL(flow.back);
    back.searchParams.set("state", "forged-state");
    await refused(flow, back);
  });

  it("a replayed code", async () => {
    const flow = await startAndLogin("new.colleague");
    // A copy of the browser before the callback: its state, nonce and PKCE cookies are still good.
    const copy = new AuthBrowser();
    for (const [k, v] of flow.browser.cookies) copy.cookies.set(k, v);
    expect((await finish(flow)).pathname).toBe("/apps");
    await refused({ browser: copy, back: flow.back });
  });

  it("an ID token for another audience", async () => {
    idp.tamperIdToken((c) => ({ claims: { ...c, aud: "another-client" } }));
    await refused(await startAndLogin("new.colleague"));
  });

  it("an expired ID token", async () => {
    const now = Math.floor(Date.now() / 1000);
    idp.tamperIdToken((c) => ({ claims: { ...c, iat: now - 7200, exp: now - 3600 } }));
    await refused(await startAndLogin("new.colleague"));
  });

  it("an ID token signed with another key", async () => {
    idp.tamperIdToken((c) => ({ claims: c, foreignKey: true }));
    await refused(await startAndLogin("new.colleague"));
  });

  it("an ID token whose email_verified was flipped to false (correctly signed)", async () => {
    idp.tamperIdToken((c) => ({ claims: { ...c, email_verified: false } }));
    const flow = await startAndLogin("new.colleague");
    const next = await finish(flow);
    expect(next.searchParams.get("error")).toBe("SsoEmailUnverified");
  });
});

describe("enforced SSO", () => {
  const PASSWORD = "correct horse battery staple";
  it("refuses a member's password sign-in, naming the fix; admins break glass (audited); API tokens keep working", async () => {
    await invoke(saveSso, admin, { issuer: idp.issuer, clientId: "portcullis", enforce: true, defaultRole: "read_only", groupsClaim: "groups", groupRoles: { engineering: "developer", "platform-admins": "admin" } });
    const member = await memberContext(t.db, { role: "developer", teamId: admin.teamId });
    for (const ctx of [member, admin]) await t.db.user.update({ where: { id: ctx.userId }, data: { passwordHash: await hashPassword(PASSWORD) } });

    const memberBrowser = new AuthBrowser();
    const error = await memberBrowser.signIn({ email: member.email, password: PASSWORD });
    expect(error?.message).toBe("Acme requires single sign-on: sign in with SSO instead of your password.");
    expect(await signedIn(memberBrowser)).toBeNull();

    const adminBrowser = new AuthBrowser();
    expect(await adminBrowser.signIn({ email: admin.email, password: PASSWORD })).toBeNull();
    expect((await signedIn(adminBrowser))?.ctx?.teamId).toBe(admin.teamId);
    expect(await t.db.auditEvent.count({ where: { teamId: admin.teamId, action: "sso.break_glass", actorId: admin.userId } })).toBe(1);

    const { token } = await invoke(createServiceAccount, admin, { name: "ci", role: "developer" });
    expect(await authenticateBearer(t.db, token)).toMatchObject({ teamId: admin.teamId });

    // The member signs in with SSO instead.
    expect((await finish(await startAndLogin("new.colleague"))).pathname).toBe("/apps");
  });
});
