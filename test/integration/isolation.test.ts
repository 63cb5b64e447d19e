import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/db";
import { twoTeams } from "../support/factories";
import { expectTenantIsolation } from "../support/isolation";
import { allOperations } from "@/lib/server/operations";
import { invoke } from "@/lib/server/operation";
import { createApp } from "@/lib/apps/operations";
import { inviteMember } from "@/lib/teams/invite-member";
import { createCustomer } from "@/lib/customers/operations";
import { createLicense } from "@/lib/licenses/operations";
import { createPersonalToken, createServiceAccount } from "@/lib/tokens/operations";
import { createRegistry } from "@/lib/registries/operations";

// Registry secrets are sealed with this throw-away key (never a generated one in ./.data).
process.env.LOCAL_KMS_KEYS ??= "isolation:" + Buffer.alloc(32, 3).toString("base64");

let t: Awaited<ReturnType<typeof createTestDatabase>>;
let teams: Awaited<ReturnType<typeof twoTeams>>;
let appId: string;
let inviteId: string;
let developerMembershipId: string;
let customerId: string;
let licenseRowId: string;
let serviceAccountId: string;
let personalTokenId: string;
let registryId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  teams = await twoTeams(t.db);
  appId = (await invoke(createApp, teams.adminA, { name: "Secret App" })).id;
  inviteId = (await invoke(inviteMember, teams.adminA, { email: "new@example.test", role: "developer" })).id;
  developerMembershipId = (await t.db.membership.findFirstOrThrow({ where: { userId: teams.developerA.userId } })).id;
  customerId = (await invoke(createCustomer, teams.adminA, { name: "Globex" })).id;
  licenseRowId = (await invoke(createLicense, teams.adminA, { customerId, app: "secret-app", type: "paid" })).id;
  serviceAccountId = (await invoke(createServiceAccount, teams.adminA, { name: "ci", role: "developer" })).id;
  personalTokenId = (await invoke(createPersonalToken, teams.developerA, { name: "laptop" })).id;
  registryId = (await invoke(createRegistry, teams.adminA, { provider: "other", endpoint: "registry.example.test", username: "vendor", password: "s3cret" })).id;
});
afterAll(() => t?.drop());

/** For each operation: an input that targets team A's records. */
const cases: Record<string, () => unknown> = {
  "apps.list": () => ({}),
  "apps.create": () => ({ name: "Intruder" }),
  "apps.rename": () => ({ id: appId, name: "Hijacked" }),
  "apps.delete": () => ({ id: appId, confirmSlug: "secret-app" }),
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
  "registries.create": () => ({ provider: "other", endpoint: "intruder.example.test", username: "x", password: "y" }),
  // Loopback is refused at its "Resolve host" step: no packet is sent.
  "registries.test_draft": () => ({ provider: "other", endpoint: "https://127.0.0.1:9", username: "x", password: "y" }),
  "registries.test": () => ({ id: registryId }),
  "registries.rotate": () => ({ id: registryId, username: "x", password: "y", force: true }),
  "registries.update": () => ({ id: registryId, name: "hijacked" }),
  "registries.delete": () => ({ id: registryId, confirmEndpoint: "registry.example.test" }),
  "activity.list": () => ({ appId }),
};

/** Team A's state as seen in the database: any change by an outsider or read-only member shows here. */
const snapshot = () =>
  Promise.all([
    t.db.app.findMany({ where: { teamId: teams.adminA.teamId }, orderBy: { id: "asc" } }),
    t.db.membership.findMany({ where: { teamId: teams.adminA.teamId }, orderBy: { id: "asc" } }),
    t.db.invite.findMany({ where: { teamId: teams.adminA.teamId }, orderBy: { id: "asc" } }),
    t.db.customer.findMany({ where: { teamId: teams.adminA.teamId }, orderBy: { id: "asc" } }),
    t.db.license.findMany({ where: { teamId: teams.adminA.teamId }, orderBy: { id: "asc" } }),
    t.db.apiToken.findMany({ where: { teamId: teams.adminA.teamId }, orderBy: { id: "asc" } }),
    t.db.registry.findMany({ where: { teamId: teams.adminA.teamId }, orderBy: { id: "asc" } }),
    t.db.encryptedSecret.findMany({ where: { teamId: teams.adminA.teamId }, orderBy: { id: "asc" } }),
  ]);

describe("tenant isolation", () => {
  it("has a case for every operation", () => {
    expect(allOperations.map((op) => op.name).sort()).toEqual(Object.keys(cases).sort());
  });

  for (const op of allOperations) {
    it(`${op.name}: another team gets nothing, read-only cannot write`, async () => {
      await expectTenantIsolation(op, {
        outsider: teams.adminB,
        readOnly: teams.readOnlyA,
        input: cases[op.name]!(),
        ownerIds: [appId, inviteId, developerMembershipId, registryId, customerId, licenseRowId, serviceAccountId, personalTokenId, teams.adminA.userId, teams.adminA.teamId],
        snapshot,
      });
    });
  }
});
