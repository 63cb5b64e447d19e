import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { configureTestEnv } from "@/test/support/test-env";
import { errorOf } from "@/test/support/errors";
import { twoTeams } from "@/test/support/factories";
import { invoke } from "@/lib/server/operation";
import { createApp } from "@/lib/apps/operations";
import { archiveCustomer, createCustomer, getCustomer, listCustomers } from "@/lib/customers/operations";
import { createLicense, getLicense, licenseFile, licenseSigningKey, revokeLicense } from "@/lib/licenses/operations";
import { checkLicense, findActiveLicense } from "@/lib/licenses/verify";
import { verifyLicenseFile } from "@/lib/licenses/license-file";
import { SIGNING_KEY_PURPOSE } from "@/lib/licenses/signing-key";

// Sealed with a throw-away key, never a generated one in ./.data.
configureTestEnv({ name: "licenses-test" });

const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;
let app: { id: string; slug: string };
let otherApp: { id: string; slug: string };
let appB: { id: string; slug: string };

beforeAll(async () => {
  teams = await twoTeams(t.db);
  app = await invoke(createApp, teams.adminA, { name: "Licensed App" });
  otherApp = await invoke(createApp, teams.adminA, { name: "Other App" });
  appB = await invoke(createApp, teams.adminB, { name: "Team B App" });
});

/** JSON of database rows (audit events carry a BigInt seq). */
const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x));


describe("customers", () => {
  it("creates (email optional), lists with licenses, audits", async () => {
    const c = await invoke(createCustomer, teams.developerA, { name: "  Globex  ", email: "" });
    expect(c).toMatchObject({ name: "Globex", email: null, archivedAt: null, licenses: [] });
    const d = await invoke(createCustomer, teams.developerA, { name: "Initech", email: "Ops@Initech.Example" });
    expect(d.email).toBe("ops@initech.example");
    expect((await errorOf(invoke(createCustomer, teams.developerA, { name: "x", email: "nope" }))).fields?.email).toBeTruthy();
    expect((await errorOf(invoke(createCustomer, teams.readOnlyA, { name: "x" }))).code).toBe("forbidden");
    const listed = await invoke(listCustomers, teams.readOnlyA, {});
    expect(listed.map((x) => x.id)).toEqual(expect.arrayContaining([c.id, d.id]));
    expect(await t.db.auditEvent.count({ where: { action: "customer.create", targetId: c.id } })).toBe(1);
  });

  it("archiving revokes the customer's licenses at once, hides it from the default list, and is idempotent", async () => {
    const c = await invoke(createCustomer, teams.adminA, { name: "Leaving Corp" });
    const l1 = await invoke(createLicense, teams.adminA, { customerId: c.id, app: app.slug, type: "paid" });
    const l2 = await invoke(createLicense, teams.adminA, { customerId: c.id, app: otherApp.slug, type: "trial" });
    await invoke(revokeLicense, teams.adminA, { id: l2.id });
    expect(await findActiveLicense(t.db, l1.licenseId)).not.toBeNull();

    const archived = await invoke(archiveCustomer, teams.adminA, { id: c.id });
    expect(archived.archivedAt).toBeInstanceOf(Date);
    expect(archived.licenses.map((l) => l.status)).toEqual(["revoked", "revoked"]);
    expect(await findActiveLicense(t.db, l1.licenseId)).toBeNull();
    await invoke(archiveCustomer, teams.adminA, { id: c.id });
    expect(await t.db.auditEvent.count({ where: { action: "customer.archive", targetId: c.id } })).toBe(1);
    // One revoke event per license: l2's from its own revoke, l1's from the archive.
    expect(await t.db.auditEvent.count({ where: { action: "license.revoke", targetId: { in: [l1.id, l2.id] } } })).toBe(2);
    // The audit log says which customer and app each revocation was for, and why the archive's happened.
    const revokeEvent = (id: string) => t.db.auditEvent.findFirstOrThrow({ where: { action: "license.revoke", targetId: id } });
    expect((await revokeEvent(l1.id)).metadata).toEqual({ customer: "Leaving Corp", app: app.slug, reason: "customer archived" });
    expect((await revokeEvent(l2.id)).metadata).toEqual({ customer: "Leaving Corp", app: otherApp.slug });
    expect((await t.db.auditEvent.findFirstOrThrow({ where: { action: "customer.archive", targetId: c.id } })).metadata).toEqual({ revokedLicenses: 1 });

    expect((await invoke(listCustomers, teams.adminA, {})).map((x) => x.id)).not.toContain(c.id);
    expect((await invoke(listCustomers, teams.adminA, { includeArchived: "true" })).map((x) => x.id)).toContain(c.id);
    const err = await errorOf(invoke(createLicense, teams.adminA, { customerId: c.id, app: app.slug, type: "paid" }));
    expect(err.code).toBe("conflict");
  });
});

describe("licenses", () => {
  let customerId: string;
  beforeAll(async () => {
    customerId = (await invoke(createCustomer, teams.adminA, { name: "Acme Customer" })).id;
  });

  it("issues a URL-safe license ID of ≥128 bits, kept only as a keyed hash and a sealed copy", async () => {
    const l = await invoke(createLicense, teams.developerA, { customerId, app: app.slug, type: "paid" });
    expect(l.licenseId).toMatch(/^[A-Za-z0-9_-]{27}$/); // 20 random bytes
    expect(l).toMatchObject({ appSlug: app.slug, type: "paid", status: "active", hint: l.licenseId.slice(-4), expiresAt: null });
    const row = await t.db.license.findUniqueOrThrow({ where: { id: l.id } });
    const secretsOfTeam = await t.db.encryptedSecret.findMany({ where: { teamId: teams.adminA.teamId } });
    const audit = await t.db.auditEvent.findMany({ where: { targetId: l.id } });
    for (const stored of [row, secretsOfTeam, audit]) expect(json(stored)).not.toContain(l.licenseId);
    expect(row.licenseIdHash).not.toBe(l.licenseId);
    expect(audit.map((e) => e.action)).toEqual(["license.create"]);

    // The vendor can see it again (developer and up), never a read-only member.
    expect((await invoke(getLicense, teams.developerA, { id: l.id })).licenseId).toBe(l.licenseId);
    expect((await errorOf(invoke(getLicense, teams.readOnlyA, { id: l.id }))).code).toBe("forbidden");
    // Listing shows status and hint, never the ID.
    const listed = await invoke(getCustomer, teams.readOnlyA, { id: customerId });
    expect(JSON.stringify(listed)).not.toContain(l.licenseId);
    expect(listed.licenses.find((x) => x.id === l.id)).toMatchObject({ status: "active", hint: l.hint });
  });

  it("takes the app by id too; refuses another team's app, a past expiry and an unknown type as field errors", async () => {
    const byId = await invoke(createLicense, teams.adminA, { customerId, app: otherApp.id, type: "dev", expiresAt: "2099-12-31" });
    expect(byId).toMatchObject({ appSlug: otherApp.slug, type: "dev" });
    expect(byId.expiresAt?.toISOString()).toBe("2099-12-31T23:59:59.999Z");
    const withTime = await invoke(createLicense, teams.adminA, { customerId, app: app.slug, type: "trial", expiresAt: "2099-06-01T12:00:00+02:00" });
    expect(withTime.expiresAt?.toISOString()).toBe("2099-06-01T10:00:00.000Z");

    expect((await errorOf(invoke(createLicense, teams.adminA, { customerId, app: appB.slug, type: "paid" }))).fields?.app).toMatch(/no app/i);
    expect((await errorOf(invoke(createLicense, teams.adminA, { customerId, app: appB.id, type: "paid" }))).fields?.app).toMatch(/no app/i);
    expect((await errorOf(invoke(createLicense, teams.adminA, { customerId, app: app.slug, type: "paid", expiresAt: "2000-01-01" }))).fields?.expiresAt).toMatch(/future/);
    expect((await errorOf(invoke(createLicense, teams.adminA, { customerId, app: app.slug, type: "forever" }))).fields?.type).toBeTruthy();
    expect((await errorOf(invoke(createLicense, teams.adminB, { customerId, app: appB.slug, type: "paid" }))).code).toBe("not_found");
  });

  it("findActiveLicense: active for its app; wrong app, revoked, expired and garbage are refused", async () => {
    const l = await invoke(createLicense, teams.adminA, { customerId, app: app.slug, type: "paid" });
    expect(await findActiveLicense(t.db, l.licenseId)).toMatchObject({ id: l.id, teamId: teams.adminA.teamId, appSlug: app.slug, customerId, type: "paid" });
    expect(await findActiveLicense(t.db, l.licenseId, { appSlug: app.slug })).not.toBeNull();
    expect(await findActiveLicense(t.db, l.licenseId, { appSlug: otherApp.slug })).toBeNull();
    expect((await checkLicense(t.db, l.licenseId, { appSlug: otherApp.slug })).status).toBe("wrong_app");
    for (const garbage of ["", "short", "x".repeat(65), "has space in it padded out", "../../../../etc/passwd/xx", l.licenseId + "A"]) {
      expect((await checkLicense(t.db, garbage)).status).toBe("invalid");
    }

    await invoke(revokeLicense, teams.developerA, { id: l.id });
    expect(await findActiveLicense(t.db, l.licenseId)).toBeNull();
    expect((await checkLicense(t.db, l.licenseId)).status).toBe("revoked");
    const again = await invoke(revokeLicense, teams.developerA, { id: l.id });
    expect(again.status).toBe("revoked");
    expect(await t.db.auditEvent.count({ where: { action: "license.revoke", targetId: l.id } })).toBe(1);

    const e = await invoke(createLicense, teams.adminA, { customerId, app: app.slug, type: "trial", expiresAt: "2099-01-01" });
    await t.db.license.update({ where: { id: e.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await findActiveLicense(t.db, e.licenseId)).toBeNull();
    expect((await checkLicense(t.db, e.licenseId)).status).toBe("expired");
    expect((await getCustomer.run(teams.adminA, { id: customerId })).licenses.find((x) => x.id === e.id)?.status).toBe("expired");
  });

  it("downloads a YAML file signed with the team's Ed25519 key, verifiable offline with the published public key", async () => {
    const l = await invoke(createLicense, teams.adminA, { customerId, app: app.slug, type: "paid", expiresAt: "2099-01-01" });
    const file = await invoke(licenseFile, teams.developerA, { id: l.id });
    expect(file.filename).toBe(`acme-customer-${app.slug}-license.yaml`);
    const key = await invoke(licenseSigningKey, teams.readOnlyA, {});
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const verified = verifyLicenseFile(file.yaml, key.publicKeyPem);
    expect(verified).toMatchObject({
      ok: true,
      keyId: key.keyId,
      expired: false,
      claims: { licenseId: l.licenseId, appSlug: app.slug, customerName: "Acme Customer", licenseType: "paid", expiresAt: "2099-01-01T23:59:59.999Z", vendorName: "Team A" },
    });

    // One key per team, stable, sealed (no key material in clear in the database).
    expect((await invoke(licenseSigningKey, teams.adminA, {})).keyId).toBe(key.keyId);
    const keyB = await invoke(licenseSigningKey, teams.adminB, {});
    expect(keyB.keyId).not.toBe(key.keyId);
    expect(verifyLicenseFile(file.yaml, keyB.publicKeyPem)).toEqual({ ok: false, reason: "wrong_key" });
    const sealed = await t.db.encryptedSecret.findMany({ where: { purpose: SIGNING_KEY_PURPOSE } });
    expect(sealed.map((s) => s.teamId).sort()).toEqual([teams.adminA.teamId, teams.adminB.teamId].sort());
    expect(JSON.stringify(sealed)).not.toMatch(/PRIVATE KEY/);

    expect((await errorOf(invoke(licenseFile, teams.readOnlyA, { id: l.id }))).code).toBe("forbidden");
    expect((await errorOf(invoke(licenseFile, teams.adminB, { id: l.id }))).code).toBe("not_found");
  });

  it("concurrent first uses of the signing key agree on one key", async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => invoke(licenseSigningKey, teams.developerA, {})));
    expect(new Set(results.map((r) => r.keyId)).size).toBe(1);
  });
});
