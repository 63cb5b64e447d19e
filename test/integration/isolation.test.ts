import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { configureTestEnv } from "@/test/support/test-env";
import { twoTeams } from "@/test/support/factories";
import { expectTenantIsolation, teamRows } from "@/test/support/isolation";
import { allOperations } from "@/lib/server/operations";
import { invoke } from "@/lib/server/operation";
import { createApp, deleteApp } from "@/lib/apps/operations";
import { grantAccess, type Principal } from "@/lib/registry-auth/grants";
import { lookupProxyAccess } from "@/lib/internal/proxy-lookup";
import { findActiveLicense } from "@/lib/licenses/verify";
import { errorOf } from "@/test/support/errors";
import { inviteMember } from "@/lib/teams/invite-member";
import { createCustomer } from "@/lib/customers/operations";
import { createLicense } from "@/lib/licenses/operations";
import { createPersonalToken, createServiceAccount, createTeamToken } from "@/lib/tokens/operations";
import { createRegistry } from "@/lib/registries/operations";
import { addAppImage, setOnlyListedImages } from "@/lib/apps/images/operations";
import { hostsFromEnv } from "@/lib/apps/images/pull-references";
import { setRegistryApps, setRegistryServesApp } from "@/lib/apps/registry-scope";
import { addSsoDomain } from "@/lib/sso/domains";

// Registry secrets are sealed with this throw-away key (never a generated one in ./.data).
configureTestEnv({ name: "isolation" });

const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;
let appId: string;
let inviteId: string;
let developerMembershipId: string;
let customerId: string;
let licenseRowId: string;
let serviceAccountId: string;
let personalTokenId: string;
let registryId: string;
let appImageId: string;
let ssoDomainId: string;

beforeAll(async () => {
  teams = await twoTeams(t.db);
  appId = (await invoke(createApp, teams.adminA, { name: "Secret App" })).id;
  inviteId = (await invoke(inviteMember, teams.adminA, { email: "new@example.test", role: "developer" })).id;
  developerMembershipId = (await t.db.membership.findFirstOrThrow({ where: { userId: teams.developerA.userId } })).id;
  customerId = (await invoke(createCustomer, teams.adminA, { name: "Globex" })).id;
  licenseRowId = (await invoke(createLicense, teams.adminA, { customerId, app: "secret-app", type: "paid" })).id;
  serviceAccountId = (await invoke(createServiceAccount, teams.adminA, { name: "ci", role: "developer" })).id;
  personalTokenId = (await invoke(createPersonalToken, teams.developerA, { name: "laptop" })).id;
  registryId = (await invoke(createRegistry, teams.adminA, { provider: "other", endpoint: "registry.example.test", username: "vendor", password: "s3cret" })).id;
  appImageId = (await invoke(addAppImage, teams.adminA, { id: appId, reference: "registry.example.test/team/app:1" })).id;
  ssoDomainId = (await invoke(addSsoDomain, teams.adminA, { domain: "secret-app.example.test" })).id;
  // A copy in the registry's proxy cache and a tag it last confirmed: a purge by anyone else would remove them.
  await t.db.cacheEntry.create({ data: { registryId, repository: "team/app", digest: `sha256:${"c".repeat(64)}`, size: 1024n } });
  await t.db.cacheTag.create({ data: { registryId, repository: "team/app", tag: "1", digest: `sha256:${"c".repeat(64)}`, mediaType: "application/vnd.oci.image.manifest.v1+json", seenAt: new Date() } });
});

/** For each operation: an input that targets team A's records. */
const cases: Record<string, () => unknown> = {
  "apps.list": () => ({}),
  "apps.create": () => ({ name: "Intruder" }),
  "apps.rename": () => ({ id: appId, name: "Hijacked" }),
  "apps.delete": () => ({ id: appId, confirmSlug: "secret-app" }),
  "apps.deletion_preview": () => ({ id: appId }),
  "audit.list": () => ({}),
  "members.list": () => ({}),
  "members.change_role": () => ({ membershipId: developerMembershipId, role: "admin" }),
  "members.remove": () => ({ membershipId: developerMembershipId }),
  "members.invite": () => ({ email: "x@example.test", role: "admin" }),
  "members.list_invites": () => ({}),
  "members.revoke_invite": () => ({ inviteId }),
  "customers.list": () => ({ includeArchived: true }),
  "customers.get": () => ({ id: customerId }),
  "customers.create": () => ({ name: "Intruder Inc" }),
  "customers.archive": () => ({ id: customerId }),
  "licenses.create": () => ({ customerId, app: "secret-app", type: "trial" }),
  "licenses.get": () => ({ id: licenseRowId }),
  "licenses.revoke": () => ({ id: licenseRowId }),
  "licenses.file": () => ({ id: licenseRowId }),
  "licenses.signing_key": () => ({}),
  "tokens.list": () => ({}),
  "tokens.create_personal": () => ({ name: "mine" }),
  "tokens.create_service_account": () => ({ name: "robot", role: "admin" }),
  "tokens.create_team": () => ({ name: "team-wide" }),
  "tokens.revoke": () => ({ id: serviceAccountId }),
  "registries.list": () => ({}),
  "registries.get": () => ({ id: registryId }),
  "registries.create": () => ({ provider: "other", endpoint: "intruder.example.test", username: "x", password: "y" }),
  // Loopback is refused at its "Resolve host" step: no packet is sent.
  "registries.test_draft": () => ({ provider: "other", endpoint: "https://127.0.0.1:9", username: "x", password: "y" }),
  "registries.test": () => ({ id: registryId }),
  "registries.rotate": () => ({ id: registryId, username: "x", password: "y", force: true }),
  "registries.update": () => ({ id: registryId, name: "hijacked" }),
  "registries.delete": () => ({ id: registryId, confirmEndpoint: "registry.example.test" }),
  "cache.stats": () => ({ id: registryId }),
  "cache.update_settings": () => ({ id: registryId, enabled: false, maxBytes: 1024 * 1024 }),
  "cache.purge": () => ({ id: registryId }),
  "activity.list": () => ({ appId }),
  "apps.images.list": () => ({ id: appId }),
  "apps.images.add": () => ({ id: appId, reference: "registry.example.test/team/intruder:1" }),
  "apps.images.remove": () => ({ id: appId, imageId: appImageId }),
  "apps.images.setting": () => ({ id: appId, onlyListedImages: false }),
  "apps.images.details": () => ({ id: appId, imageId: appImageId }),
  "apps.images.suggestions": () => ({ id: appId }),
  "registries.apps": () => ({ id: registryId, allApps: false, appIds: [appId] }),
  "activity.pulls": () => ({ customerId }),
  "customers.analytics": () => ({ id: customerId }),
  "licenses.instructions": () => ({ id: licenseRowId, additionalNamespaces: "jobs" }),
  "licenses.overview": () => ({ id: licenseRowId }),
  "licenses.portal_link": () => ({ id: licenseRowId }),
  "apps.registries": () => ({ id: appId }),
  "registries.serve_app": () => ({ id: registryId, appId, serves: false }),
  "sso.get": () => ({}),
  // A loopback issuer is refused before any packet is sent (ALLOW_PRIVATE_HOSTS is off here).
  "sso.test": () => ({ issuer: "https://127.0.0.1:9", clientId: "x", clientSecret: "y" }),
  "sso.save": () => ({ issuer: "https://127.0.0.1:9", clientId: "x", clientSecret: "y" }),
  "sso.domains.list": () => ({}),
  "sso.domains.add": () => ({ domain: "secret-app.example.test" }),
  "sso.domains.verify": () => ({ id: ssoDomainId }),
  "sso.domains.remove": () => ({ id: ssoDomainId }),
};

/** Operations on the caller's own team that refuse the outsider's input as invalid (its own connection test fails). */
const outsiderRefusals: Record<string, string[]> = { "sso.save": ["validation_failed"] };

/** Team A's state as seen in the database: any change by an outsider or read-only member shows here. */
const jsonSafe = (rows: unknown) => JSON.parse(JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as unknown;
const snapshot = async () =>
  jsonSafe(await Promise.all([
    teamRows(t.db, teams.adminA.teamId, ["app", "membership", "invite", "customer", "license", "apiToken", "registry", "encryptedSecret", "appImage", "teamSso", "ssoDomain"]),
    t.db.cacheEntry.findMany({ where: { registry: { teamId: teams.adminA.teamId } }, orderBy: { id: "asc" } }),
    t.db.cacheTag.findMany({ where: { registry: { teamId: teams.adminA.teamId } }, orderBy: { id: "asc" } }),
  ]));

describe("tenant isolation", () => {
  it("has a case for every operation", () => {
    expect(allOperations.map((op) => op.name).sort()).toEqual(Object.keys(cases).sort());
  });

  for (const op of allOperations) {
    it(`${op.name}: another team gets nothing, read-only cannot write`, async () => {
      await expectTenantIsolation(op, {
        outsider: teams.adminB,
        readOnly: teams.readOnlyA,
        developer: teams.developerA,
        input: cases[op.name]!(),
        ownerIds: [appId, appImageId, inviteId, developerMembershipId, registryId, ssoDomainId, customerId, licenseRowId, serviceAccountId, personalTokenId, teams.adminA.userId, teams.adminA.teamId],
        snapshot,
        outsiderRefusals: outsiderRefusals[op.name],
      });
    });
  }
});

/**
 * Outside the operations: the hosted registry's token grants and the proxy's lookup are keyed by
 * an app slug and a license, not by a session's team, so they get their own cases.
 */
describe("tenant isolation of the hosted registry's grants and the proxy's lookup", () => {
  let paymentsId: string;
  let licenseA: { id: string; licenseId: string };
  let licenseB: { id: string; licenseId: string };
  let principalsB: Principal[];
  let principalsA: Principal[];
  const DOCKER_HUB = { dockerHubRegistry: "registry-1.docker.io" };

  const grants = (p: Principal, repository: string, actions: string[]) => grantAccess(t.db, p, new Map([[repository, new Set(actions)]]));

  beforeAll(async () => {
    paymentsId = (await invoke(createApp, teams.adminA, { name: "Payments" })).id;
    const customerA = (await invoke(createCustomer, teams.adminA, { name: "Initech" })).id;
    licenseA = await invoke(createLicense, teams.adminA, { customerId: customerA, app: "payments", type: "paid" });
    await invoke(createApp, teams.adminB, { name: "Beta Tools" });
    const customerB = (await invoke(createCustomer, teams.adminB, { name: "Hooli" })).id;
    licenseB = await invoke(createLicense, teams.adminB, { customerId: customerB, app: "beta-tools", type: "paid" });
    const tokenB = await invoke(createTeamToken, teams.adminB, { name: "b release" });
    const tokenA = await invoke(createServiceAccount, teams.adminA, { name: "a release", role: "developer" });
    principalsB = [
      { kind: "user", userId: teams.adminB.userId, email: teams.adminB.email },
      { kind: "token", tokenId: tokenB.id, teamId: teams.adminB.teamId, role: "admin" },
      { kind: "license", license: (await findActiveLicense(t.db, licenseB.licenseId))! },
    ];
    principalsA = [
      { kind: "user", userId: teams.adminA.userId, email: teams.adminA.email },
      { kind: "user", userId: teams.developerA.userId, email: teams.developerA.email },
      { kind: "token", tokenId: tokenA.id, teamId: teams.adminA.teamId, role: "developer" },
      { kind: "license", license: (await findActiveLicense(t.db, licenseA.licenseId))! },
    ];
  });

  it("grants: team B gets nothing on team A's repositories, whatever it asks for", async () => {
    // Not vacuous: team A itself is granted its own repositories.
    expect(await grants(principalsA[0]!, "payments/api", ["pull", "push"])).toEqual([{ type: "repository", name: "payments/api", actions: ["pull", "push"] }]);
    expect(await grants(principalsA[3]!, "payments/api", ["pull", "push"])).toEqual([{ type: "repository", name: "payments/api", actions: ["pull"] }]);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...principalsB),
        fc.constantFrom("payments", "secret-app"),
        fc.array(fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/), { minLength: 1, maxLength: 3 }),
        fc.subarray(["pull", "push", "delete", "*"], { minLength: 1 }),
        async (principal, slug, path, actions) => {
          expect(await grants(principal, `${slug}/${path.join("/")}`, actions)).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("after team A deletes its app, team B can't take the slug, and nobody — team A included — is granted it", async () => {
    await invoke(deleteApp, teams.adminA, { id: paymentsId, confirmSlug: "payments" });
    const taken = await errorOf(invoke(createApp, teams.adminB, { name: "Payments", slug: "payments" }));
    expect(taken.code).toBe("conflict");
    expect(taken.fields?.slug).toMatch(/belonged to a deleted app/);
    for (const p of [...principalsB, ...principalsA]) {
      expect(await grants(p, "payments/api", ["pull", "push"]), p.kind).toEqual([]);
    }
    // The deleted app's license is revoked (kept), and the proxy refuses it.
    const lookup = await lookupProxyAccess(t.db, { licenseId: licenseA.licenseId, appSlug: "payments", image: ["registry.example.test", "team", "app"] }, DOCKER_HUB);
    expect(lookup.status).toBe(401);
    expect(lookup.body).toMatchObject({ allowed: false, code: "revoked" });
    expect(lookup.body.registry).toBeUndefined();
  });

  it("proxy lookup: another team's license never gets team A's registry or credentials", async () => {
    const images = [["registry.example.test", "team", "app"], ["registry", "team", "app"], ["nginx"]];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("secret-app", "beta-tools", "payments"), fc.constantFrom(...images), async (appSlug, image) => {
        const answer = await lookupProxyAccess(t.db, { licenseId: licenseB.licenseId, appSlug, image }, DOCKER_HUB);
        const text = JSON.stringify(answer.body);
        expect(text).not.toContain(registryId);
        expect(text).not.toContain("s3cret");
        expect(text).not.toContain(teams.adminA.teamId);
        expect(answer.body.allowed).toBe(false);
        expect(answer.body.code).toBe(appSlug === "beta-tools" ? "unknown_registry" : "wrong_app");
      }),
      { numRuns: 20 },
    );
  });
});

/**
 * An app's entitlements: which registries serve it, and, when it lists its images with "only
 * listed images" on, which repositories its licenses pull. Refusals name the image or registry.
 */
describe("a license pulls only what its app may: its registries, and its listed images", () => {
  const DOCKER_HUB = { dockerHubRegistry: "registry-1.docker.io" };
  let catalogId: string;
  let license: { licenseId: string };
  let quayId: string;

  const lookup = (image: string) => lookupProxyAccess(t.db, { licenseId: license.licenseId, appSlug: "catalog", image: image.split("/") }, DOCKER_HUB);

  beforeAll(async () => {
    catalogId = (await invoke(createApp, teams.adminA, { name: "Catalog" })).id;
    const customer = (await invoke(createCustomer, teams.adminA, { name: "Umbrella" })).id;
    license = await invoke(createLicense, teams.adminA, { customerId: customer, app: "catalog", type: "paid" });
    quayId = (await invoke(createRegistry, teams.adminA, { provider: "other", endpoint: "quay.example.test", username: "vendor", password: "q" })).id;
  });

  it("an app that lists no images pulls any repository of its registries", async () => {
    expect((await t.db.app.findUniqueOrThrow({ where: { id: catalogId } })).onlyListedImages).toBe(true);
    expect((await lookup("registry.example.test/team/db")).body).toMatchObject({ allowed: true, code: "ok" });
  });

  it("once it lists images, another repository is refused with not_in_app, naming the image and the app", async () => {
    await invoke(addAppImage, teams.adminA, { id: catalogId, reference: "registry.example.test/team/api:1.4" });
    const listed = await lookup("registry.example.test/team/api");
    expect(listed.body).toMatchObject({ allowed: true, code: "ok", registry: { repository: "team/api" } });
    const other = await lookup("registry.example.test/team/db");
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ allowed: false, code: "not_in_app", reason: "registry.example.test/team/db is not one of the images of app 'catalog'." });
    expect(other.body.registry).toBeUndefined();
    // Another registry's repository of the same name is not the listed image either.
    expect((await lookup("quay.example.test/team/api")).body).toMatchObject({ allowed: false, code: "not_in_app" });
  });

  it("with \"only listed images\" off, the list no longer limits pulls", async () => {
    await invoke(setOnlyListedImages, teams.adminA, { id: catalogId, onlyListedImages: false });
    expect((await lookup("registry.example.test/team/db")).body).toMatchObject({ allowed: true });
    await invoke(setOnlyListedImages, teams.adminA, { id: catalogId, onlyListedImages: true });
    expect((await lookup("registry.example.test/team/db")).body).toMatchObject({ allowed: false, code: "not_in_app" });
  });

  it("a registry scoped to other apps refuses this app's licenses with registry_not_in_app", async () => {
    await invoke(addAppImage, teams.adminA, { id: catalogId, reference: "quay.example.test/acme/db:2" });
    expect((await lookup("quay.example.test/acme/db")).body).toMatchObject({ allowed: true });
    await invoke(setRegistryApps, teams.adminA, { id: quayId, allApps: false, appIds: [appId] });
    const refused = await lookup("quay.example.test/acme/db");
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ allowed: false, code: "registry_not_in_app", reason: "quay.example.test is not one of the registries of app 'catalog'." });
    await invoke(setRegistryApps, teams.adminA, { id: quayId, allApps: false, appIds: [appId, catalogId] });
    expect((await lookup("quay.example.test/acme/db")).body).toMatchObject({ allowed: true });
  });

  it("a hosted image asked for through the proxy is refused with where to pull it instead", async () => {
    const answer = await lookup("catalog/api");
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ allowed: false, code: "unknown_registry" });
    expect(answer.body.reason).toMatch(/^catalog\/api is read as a Docker Hub repository, .* Images pushed to the Portcullis registry are pulled from it directly: [^ ]+\/catalog\/api\.$/);
  });

  it("one app stops using a registry that served all apps: the others keep it", async () => {
    const reg = await invoke(createRegistry, teams.adminA, { provider: "other", endpoint: "ghcr.example.test", username: "vendor", password: "g" });
    await invoke(setRegistryServesApp, teams.adminA, { id: reg.id, appId: catalogId, serves: false });
    const row = await t.db.registry.findUniqueOrThrow({ where: { id: reg.id } });
    const live = await t.db.app.findMany({ where: { teamId: teams.adminA.teamId, deletedAt: null }, select: { id: true } });
    expect(row.allApps).toBe(false);
    expect(row.appIds.sort()).toEqual(live.map((a) => a.id).filter((id) => id !== catalogId).sort());
    expect((await lookup("ghcr.example.test/acme/api")).body).toMatchObject({ code: "registry_not_in_app" });
    await invoke(setRegistryServesApp, teams.adminA, { id: reg.id, appId: catalogId, serves: true });
    await invoke(setOnlyListedImages, teams.adminA, { id: catalogId, onlyListedImages: false });
    expect((await lookup("ghcr.example.test/acme/api")).body).toMatchObject({ allowed: true });
    await invoke(setOnlyListedImages, teams.adminA, { id: catalogId, onlyListedImages: true });
  });

  it("the hosted registry's token service follows the same list: a license pulls only the hosted repositories its app lists", async () => {
    const principal: Principal = { kind: "license", license: (await findActiveLicense(t.db, license.licenseId))! };
    const hosted = (p: Principal, repository: string) => grantAccess(t.db, p, new Map([[repository, new Set(["pull", "push"])]]));
    // The app lists upstream images only, "only listed images" on: none of its hosted repositories is listed.
    expect((await t.db.app.findUniqueOrThrow({ where: { id: catalogId } })).onlyListedImages).toBe(true);
    expect(await hosted(principal, "catalog/api")).toEqual([]);
    await invoke(addAppImage, teams.adminA, { id: catalogId, reference: `${hostsFromEnv().registryHost}/catalog/api:1` });
    expect(await hosted(principal, "catalog/api")).toEqual([{ type: "repository", name: "catalog/api", actions: ["pull"] }]);
    expect(await hosted(principal, "catalog/worker")).toEqual([]);
    // The team's own members still push and pull every repository of the app.
    expect(await hosted({ kind: "user", userId: teams.adminA.userId, email: teams.adminA.email }, "catalog/worker")).toEqual([
      { type: "repository", name: "catalog/worker", actions: ["pull", "push"] },
    ]);
    // Another app's list grants nothing here: the other team's license still gets nothing of this app.
    const other = await invoke(createLicense, teams.adminB, { customerId: (await invoke(createCustomer, teams.adminB, { name: "Vandelay" })).id, app: "beta-tools", type: "paid" });
    expect(await hosted({ kind: "license", license: (await findActiveLicense(t.db, other.licenseId))! }, "catalog/api")).toEqual([]);
    await invoke(setOnlyListedImages, teams.adminA, { id: catalogId, onlyListedImages: false });
    expect(await hosted(principal, "catalog/worker")).toEqual([{ type: "repository", name: "catalog/worker", actions: ["pull"] }]);
    await invoke(setOnlyListedImages, teams.adminA, { id: catalogId, onlyListedImages: true });
  });

  it("a registry can't be scoped to another team's app", async () => {
    const betaTools = await t.db.app.findFirstOrThrow({ where: { teamId: teams.adminB.teamId } });
    const e = await errorOf(invoke(setRegistryApps, teams.adminA, { id: quayId, allApps: false, appIds: [betaTools.id] }));
    expect(e.code).toBe("validation_failed");
  });
});
