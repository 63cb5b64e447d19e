import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as downloadLicense } from "@/app/(customer)/portal/download/license/route";
import { GET as downloadPullSecret } from "@/app/(customer)/portal/download/pull-secret/route";
import type { TeamContext } from "@/lib/auth/context";
import { loginPolicy } from "@/lib/auth/rate-limit";
import { createSession, findSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { licensePullHistory } from "@/lib/customer-portal/history";
import { openPortalLink, peekPortalLink } from "@/lib/customer-portal/links";
import { CUSTOMER_SESSION_COOKIE, findCustomerSession, type CustomerContext } from "@/lib/customer-portal/sessions";
import { signInWithLicenseId } from "@/lib/customer-portal/sign-in";
import { customerInstructions, customerLicense } from "@/lib/customer-portal/view";
import { AppError } from "@/lib/errors";
import { REASONS } from "@/lib/activity/reasons";
import { createLicense, revokeLicense } from "@/lib/licenses/operations";
import { invoke } from "@/lib/server/operation";
import { apiRequest } from "@/test/support/api";
import { setupTestDatabase } from "@/test/support/db";
import { errorOf } from "@/test/support/errors";
import { createAppRow, createCustomerRow, roleTokens, twoTeams } from "@/test/support/factories";
import { configureTestEnv } from "@/test/support/test-env";

/**
 * The customer portal's isolation: a portal link works once and expires; a customer session
 * (by link or license ID) sees its own license and nothing of another customer, app or team —
 * in what the pages load, in the downloads and in the pull history; a revoked or expired
 * license ends it; vendor and customer sessions are never each other; the license-ID sign-in
 * is rate-limited like the vendor sign-in.
 */
configureTestEnv({ name: "customer-portal", vars: { PROXY_URL: "https://proxy.example.test", REGISTRY_URL: "https://registry.example.test", PORTAL_URL: "https://portal.example.test" } });

const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;
let tok: Awaited<ReturnType<typeof roleTokens>>;
type Issued = { id: string; licenseId: string };
let mine: Issued;
let otherCustomer: Issued;
let otherTeam: Issued;

const ip = () => `10.${crypto.randomInt(255)}.${crypto.randomInt(255)}.${crypto.randomInt(1, 255)}`;

async function issue(ctx: TeamContext, customerName: string, appName: string): Promise<Issued> {
  const app = await createAppRow(t.db, ctx.teamId, { name: appName, slug: `${appName}-${crypto.randomBytes(3).toString("hex")}` });
  const customer = await createCustomerRow(t.db, ctx.teamId, customerName);
  return invoke(createLicense, ctx, { customerId: customer.id, app: app.slug, type: "paid" });
}

async function portalLink(licenseRowId: string, body: unknown = {}) {
  const res = await apiRequest("POST", `/api/v1/licenses/${licenseRowId}/portal-link`, { token: tok.dev, body, db: async () => t.db });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const tokenOf = (url: string) => url.split("/portal/open/")[1]!;

/** A customer session for a license, through a new link. */
async function sessionFor(licenseRowId: string) {
  const link = await portalLink(licenseRowId);
  const session = await openPortalLink(t.db, tokenOf(link.body.url), ip());
  return { token: session.token, ctx: (await findCustomerSession(t.db, session.token))! };
}

const download = (route: typeof downloadLicense, cookie: string, query = "") =>
  route.with({ db: async () => t.db })(new Request(`http://portal.test/portal/download/x${query}`, { headers: { cookie } }));

beforeAll(async () => {
  teams = await twoTeams(t.db);
  tok = await roleTokens(teams);
  mine = await issue(teams.adminA, "Globex", "analytics");
  otherCustomer = await issue(teams.adminA, "Initech", "billing");
  otherTeam = await issue(teams.adminB, "Umbrella", "vault");
});

describe("portal links", () => {
  it("are made by developers for an active license of their team, expire in 7 days by default, are stored hashed and audited", async () => {
    const before = Date.now();
    const r = await portalLink(mine.id);
    expect(r.status).toBe(201);
    expect(r.body.url).toMatch(/^https:\/\/portal\.example\.test\/portal\/open\/[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(r.body.expiresAt) - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    const rows = await t.db.customerPortalLink.findMany({ where: { licenseId: mine.id } });
    expect(rows.some((row) => r.body.url.includes(row.tokenHash))).toBe(false);
    expect(await t.db.auditEvent.count({ where: { action: "license.portal_link", targetId: mine.id } })).toBeGreaterThan(0);

    expect((await portalLink(mine.id, { expiresInDays: 1 })).status).toBe(201);
    expect((await portalLink(mine.id, { expiresInDays: 0 })).body.error.fields.expiresInDays).toBe("At least 1 day.");
    const asReader = await apiRequest("POST", `/api/v1/licenses/${mine.id}/portal-link`, { token: tok.reader, body: {}, db: async () => t.db });
    expect(asReader.status).toBe(403);
    const asOutsider = await apiRequest("POST", `/api/v1/licenses/${mine.id}/portal-link`, { token: tok.outsider, body: {}, db: async () => t.db });
    expect(asOutsider.status).toBe(404);
  });

  it("work once: the second use fails, and the page no longer offers it", async () => {
    const link = await portalLink(mine.id);
    const token = tokenOf(link.body.url);
    expect(await peekPortalLink(t.db, token)).toEqual({ customerName: "Globex", appName: expect.stringMatching(/^analytics/) });
    const session = await openPortalLink(t.db, token, ip());
    expect((await findCustomerSession(t.db, session.token))?.licenseRowId).toBe(mine.id);
    const again = await errorOf(openPortalLink(t.db, token, ip()));
    expect(again.code).toBe("unauthenticated");
    expect(await peekPortalLink(t.db, token)).toBeNull();
    expect(await t.db.auditEvent.count({ where: { action: "license.portal_open", targetId: mine.id } })).toBeGreaterThan(0);
  });

  it("fail once expired, and for a license revoked after they were made", async () => {
    const expired = tokenOf((await portalLink(mine.id)).body.url);
    await t.db.customerPortalLink.updateMany({ where: { licenseId: mine.id, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await errorOf(openPortalLink(t.db, expired, ip()))).code).toBe("unauthenticated");

    const doomed = await issue(teams.adminA, "Soylent", "reports");
    const link = tokenOf((await portalLink(doomed.id)).body.url);
    await invoke(revokeLicense, teams.adminA, { id: doomed.id });
    expect(await peekPortalLink(t.db, link)).toBeNull();
    expect((await errorOf(openPortalLink(t.db, link, ip()))).message).toMatch(/revoked/);
    expect((await portalLink(doomed.id)).status).toBe(409);
  });

  it("refuse made-up and malformed tokens the same way", async () => {
    for (const token of [crypto.randomBytes(32).toString("base64url"), "short", "../../etc/passwd", "x".repeat(500)]) {
      expect((await errorOf(openPortalLink(t.db, token, ip()))).code).toBe("unauthenticated");
    }
  });
});

describe("a customer session", () => {
  it("loads only its own license: details, instructions, license file and pull secret", async () => {
    const { token, ctx } = await sessionFor(mine.id);
    expect((await customerLicense(ctx)).id).toBe(mine.id);
    const instructions = await customerInstructions(ctx);
    expect(instructions.dockerLogin).toContain(mine.licenseId);

    const cookie = `${CUSTOMER_SESSION_COOKIE}=${token}`;
    // The downloads name no license: an id in the query is not read.
    for (const route of [downloadLicense, downloadPullSecret]) {
      const res = await download(route, cookie, `?id=${otherCustomer.id}&licenseId=${otherTeam.id}`);
      expect(res.status).toBe(200);
      // The pull secret's config is base64 inside the YAML: read it decoded too.
      const raw = await res.text();
      const text = raw + [...raw.matchAll(/\.dockerconfigjson: (\S+)/g)].map((m) => Buffer.from(m[1]!, "base64").toString()).join("\n");
      const hasId = text.includes(mine.licenseId) || text.includes(Buffer.from(`LICENSE_ID:${mine.licenseId}`).toString("base64"));
      expect(hasId).toBe(true);
      for (const other of [otherCustomer, otherTeam]) {
        expect(text).not.toContain(other.licenseId);
        expect(text).not.toContain(other.id);
        expect(text).not.toContain(Buffer.from(`LICENSE_ID:${other.licenseId}`).toString("base64"));
      }
    }
    expect((await download(downloadPullSecret, cookie, "?namespace=Bad_Name")).status).toBe(422);
  });

  it("shows only its own license's pulls", async () => {
    const { ctx } = await sessionFor(mine.id);
    const event = (l: Issued, team: string, image: string, result: "pulled" | "refused", reason: string | null) => ({
      teamId: team,
      source: "proxy",
      licenseId: l.id,
      image,
      reference: "1.0",
      action: "pull-manifest",
      status: result === "pulled" ? 200 : 403,
      result,
      reason,
    });
    await t.db.pullEvent.createMany({
      data: [
        event(mine, teams.adminA.teamId, "proxy/analytics/quay.io/acme/api", "pulled", null),
        event(mine, teams.adminA.teamId, "proxy/analytics/quay.io/acme/secret", "refused", "not_in_app"),
        event(otherCustomer, teams.adminA.teamId, "proxy/billing/quay.io/acme/billing", "pulled", null),
        event(otherTeam, teams.adminB.teamId, "proxy/vault/quay.io/umbrella/vault", "pulled", null),
      ],
    });
    const history = await licensePullHistory(ctx);
    expect(history.map((h) => [h.reference, h.result, h.why])).toEqual([
      ["proxy/analytics/quay.io/acme/secret:1.0", "refused", REASONS.not_in_app.what],
      ["proxy/analytics/quay.io/acme/api:1.0", "pulled", null],
    ]);
  });

  it("ends when its license is revoked or expires; downloads then answer 401", async () => {
    const revoked = await issue(teams.adminA, "Hooli", "search");
    const a = await sessionFor(revoked.id);
    await invoke(revokeLicense, teams.adminA, { id: revoked.id });
    expect(await findCustomerSession(t.db, a.token)).toBeNull();
    expect((await download(downloadLicense, `${CUSTOMER_SESSION_COOKIE}=${a.token}`)).status).toBe(401);

    const expiring = await issue(teams.adminA, "Pied Piper", "compression");
    const b = await sessionFor(expiring.id);
    await t.db.license.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await findCustomerSession(t.db, b.token)).toBeNull();
    expect(await t.db.customerSession.count({ where: { licenseId: { in: [revoked.id, expiring.id] } } })).toBe(0);
  });

  it("is not a vendor session, and a vendor session is not a customer session", async () => {
    const customer = await sessionFor(mine.id);
    const vendor = await createSession(t.db, { userId: teams.adminA.userId, activeTeamId: teams.adminA.teamId });
    expect(await findSession(t.db, customer.token)).toBeNull();
    expect(await findCustomerSession(t.db, vendor.token)).toBeNull();
    // A vendor's cookie at a customer download, under either cookie name: 401.
    for (const cookie of [`${SESSION_COOKIE}=${vendor.token}`, `${CUSTOMER_SESSION_COOKIE}=${vendor.token}`]) {
      expect((await download(downloadLicense, cookie)).status).toBe(401);
    }
    // A customer's session token opens nothing of the vendor REST API.
    const rest = await apiRequest("GET", "/api/v1/customers", { token: customer.token, db: async () => t.db });
    expect(rest.status).toBe(401);
  });
});

describe("sign-in with a license ID", () => {
  it("starts a session for an active license and refuses revoked and unknown ones with one message", async () => {
    const session = await signInWithLicenseId(t.db, { licenseId: ` ${mine.licenseId} ` }, ip());
    const ctx: CustomerContext | null = await findCustomerSession(t.db, session.token);
    expect(ctx?.licenseRowId).toBe(mine.id);
    expect(ctx?.teamId).toBe(teams.adminA.teamId);

    const revoked = await issue(teams.adminA, "Massive Dynamic", "lab");
    await invoke(revokeLicense, teams.adminA, { id: revoked.id });
    const messages = new Set<string>();
    for (const licenseId of [revoked.licenseId, crypto.randomBytes(20).toString("base64url")]) {
      const err = await errorOf(signInWithLicenseId(t.db, { licenseId }, ip()));
      expect(err.code).toBe("unauthenticated");
      messages.add(err.message);
    }
    expect(messages.size).toBe(1);
    expect((await errorOf(signInWithLicenseId(t.db, { licenseId: "not one" }, ip()))).fields?.licenseId).toMatch(/not a license ID/);
  });

  it("is rate-limited per client address like the vendor sign-in, and the limit holds for a right ID too", async () => {
    const from = ip();
    const outcomes: string[] = [];
    for (let i = 0; i < loginPolicy.address + 1; i++) {
      const err = await errorOf(signInWithLicenseId(t.db, { licenseId: crypto.randomBytes(20).toString("base64url") }, from));
      outcomes.push(err.code);
    }
    expect(outcomes.filter((o) => o === "unauthenticated")).toHaveLength(loginPolicy.address);
    expect(outcomes.at(-1)).toBe("rate_limited");
    const blocked = await errorOf(signInWithLicenseId(t.db, { licenseId: mine.licenseId }, from));
    expect(blocked).toBeInstanceOf(AppError);
    expect(blocked.code).toBe("rate_limited");
    // Nothing in the counters holds a license ID.
    const keys = (await t.db.loginAttempt.findMany({ select: { key: true } })).map((r) => r.key).join(" ");
    expect(keys).not.toContain(mine.licenseId);
  });
});
