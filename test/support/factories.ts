import crypto from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { TeamContext } from "@/lib/auth/context";
import { env } from "@/lib/config/env";
import { generateLicenseId, hashLicenseId, licenseIdHint } from "@/lib/licenses/license-id";
import { normalizeEndpoint } from "@/lib/oci/endpoint";
import { secretFieldOf, storeRegistrySecret } from "@/lib/registries/secret";
import { invoke } from "@/lib/server/operation";
import type { RoleName } from "@/lib/teams/role-names";
import { createServiceAccount } from "@/lib/tokens/operations";

/**
 * The rows tests start from: users and teams (as the TeamContext operations take), apps,
 * customers, licenses and registries, written straight to the database.
 */

/** Unique emails so tests can run side by side on one database. */
export const uniqueEmail = (prefix = "user") => `${prefix}-${crypto.randomBytes(5).toString("hex")}@example.test`;

const FAKE_HASH = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$fakefakefakefakefakefakefakefakefakefakefak";

/** A user who is a member of `teamId` (or of a new team) with a role, as a TeamContext. */
export async function memberContext(db: PrismaClient, opts: { role?: RoleName; teamId?: string; teamName?: string } = {}): Promise<TeamContext> {
  const user = await db.user.create({ data: { email: uniqueEmail(opts.role ?? "admin"), passwordHash: FAKE_HASH } });
  const teamId = opts.teamId ?? (await createTeam(db, opts.teamName ?? "Team " + user.email));
  const membership = await db.membership.create({ data: { teamId, userId: user.id, role: opts.role ?? "admin" }, include: { team: true } });
  return { db: db as TeamContext["db"], userId: user.id, email: user.email, teamId, teamName: membership.team.name, role: membership.role, ip: "127.0.0.1" };
}

/** Two teams: A with an admin, a developer and a read-only member; B with an admin (the outsider). */
export async function twoTeams(db: PrismaClient) {
  const adminA = await memberContext(db, { role: "admin", teamName: "Team A" });
  const developerA = await memberContext(db, { role: "developer", teamId: adminA.teamId });
  const readOnlyA = await memberContext(db, { role: "read_only", teamId: adminA.teamId });
  const adminB = await memberContext(db, { role: "admin", teamName: "Team B" });
  return { adminA, developerA, readOnlyA, adminB };
}

/** A team with no members; its id. */
export const createTeam = async (db: PrismaClient, name: string) => (await db.team.create({ data: { name } })).id;

/** An app of `teamId` (slug = name unless given). */
export const createAppRow = (db: PrismaClient, teamId: string, opts: { name: string; slug?: string }) =>
  db.app.create({ data: { teamId, name: opts.name, slug: opts.slug ?? opts.name } });

/** A customer of `teamId`. */
export const createCustomerRow = (db: PrismaClient, teamId: string, name: string) => db.customer.create({ data: { teamId, name } });

export interface Tenant {
  teamId: string;
  appId: string;
  appSlug: string;
  customerId: string;
}

/** A team with one app (`slug`) and one customer. */
export async function createTenant(db: PrismaClient, opts: { slug: string; teamName?: string }): Promise<Tenant> {
  const teamId = await createTeam(db, opts.teamName ?? `Team ${opts.slug}`);
  const app = await createAppRow(db, teamId, { name: opts.slug });
  const customer = await createCustomerRow(db, teamId, `Customer of ${opts.slug}`);
  return { teamId, appId: app.id, appSlug: app.slug, customerId: customer.id };
}

/** A paid license of the customer for the app: its row id and the license ID the customer pulls with. */
export async function createLicense(db: PrismaClient, t: { teamId: string; appId: string; customerId: string }, opts: { expiresAt?: Date } = {}) {
  const licenseId = generateLicenseId();
  const row = await db.license.create({
    data: {
      teamId: t.teamId,
      appId: t.appId,
      customerId: t.customerId,
      type: "paid",
      ...hashLicenseId(licenseId),
      licenseIdHint: licenseIdHint(licenseId),
      ...(opts.expiresAt && { expiresAt: opts.expiresAt }),
    },
  });
  return { id: row.id, licenseId };
}

/** A registry of `teamId`, its secret sealed as the Images page stores it. */
export async function addRegistry(
  db: PrismaClient,
  teamId: string,
  r: { provider?: "other" | "ecr" | "gcr"; name?: string; endpoint: string; username: string; secret?: string },
) {
  const provider = r.provider ?? "other";
  const endpoint = normalizeEndpoint(r.endpoint, { dockerHubRegistry: env().DOCKER_HUB_REGISTRY, allowPrivate: true }).baseUrl;
  return db.$transaction(async (tx) => {
    const row = await tx.registry.create({
      data: { teamId, provider, name: r.name ?? null, endpoint, endpointInput: r.endpoint, username: r.username },
    });
    if (r.secret !== undefined) await storeRegistrySecret(tx, { teamId, registryId: row.id, field: secretFieldOf(provider) }, r.secret);
    return row;
  });
}

/** Service-account tokens of the two teams of `twoTeams`: team A's admin, developer and read-only member, and team B's admin. */
export async function roleTokens(teams: Awaited<ReturnType<typeof twoTeams>>) {
  const token = async (ctx: TeamContext, name: string, role: RoleName) => (await invoke(createServiceAccount, ctx, { name, role })).token;
  return {
    admin: await token(teams.adminA, "ci-admin", "admin"),
    dev: await token(teams.adminA, "ci", "developer"),
    reader: await token(teams.adminA, "dashboards", "read_only"),
    outsider: await token(teams.adminB, "b-admin", "admin"),
  };
}
