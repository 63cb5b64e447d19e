import crypto from "node:crypto";
import { z } from "zod";
import { defineOperation } from "@/lib/server/operation";
import type { TeamContext } from "@/lib/auth/context";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { findOr404 } from "@/lib/server/find-or-404";
import { defineTeamChange, type TeamChangeOutcome } from "@/lib/server/team-change";
import { env } from "@/lib/config/env";
import { createLicenseSchema, licenseRefSchema } from "@/lib/licenses/schemas";
import { generateLicenseId, hashLicenseId, licenseIdHint } from "./license-id";
import { licenseRowSelect, toLicenseDto, type LicenseDto, type LicenseWithId } from "./dto";
import { revealLicenseId, sealLicenseId, storeSealedLicenseId } from "./secret";
import { signLicense } from "./license-file";
import { teamPublicSigningKey, teamSigningKey } from "./signing-key";
import { licenseRevokeEvent } from "./revoke";


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const LICENSE_NOT_FOUND = "That license does not exist.";

function findLicense(ctx: TeamContext, id: string) {
  return findOr404(ctx.db.license.findFirst({ where: { id, teamId: ctx.teamId }, select: licenseRowSelect }), LICENSE_NOT_FOUND);
}

const archivedCustomer = () => new AppError("conflict", "This customer is archived: it can't get new licenses.");

/**
 * Issues a license: a new license ID (160 random bits), stored as its keyed hash for lookups
 * and sealed for showing again. The ID is returned here in clear; later only `licenses.get`
 * (developer role and up) reveals it.
 */
export const createLicense = defineTeamChange({
  name: "licenses.create", permission: "write", input: createLicenseSchema,
  async prepare(ctx, input) {
    const customer = await findOr404(ctx.db.customer.findFirst({ where: { id: input.customerId, teamId: ctx.teamId } }), "That customer does not exist.");
    if (customer.archivedAt) throw archivedCustomer();
    const app = await ctx.db.app.findFirst({
      where: { teamId: ctx.teamId, deletedAt: null, ...(UUID.test(input.app) ? { id: input.app } : { slug: input.app }) },
    });
    if (!app) {
      throw new AppError("validation_failed", "Some fields need attention.", { fields: { app: `There is no app "${input.app}" in this team.` } });
    }
    const id = crypto.randomUUID();
    const licenseId = generateLicenseId();
    // Seal first: a KMS call must not hold the transaction open.
    return { customer, app, id, licenseId, sealed: await sealLicenseId(ctx.teamId, id, licenseId) };
  },
  async change(tx, ctx, input, { customer, app, id, licenseId, sealed }): Promise<TeamChangeOutcome<LicenseWithId>> {
    // Hold the customer's and the app's rows against a concurrent archive or delete, and
    // re-read them: one that committed since the check above is seen here, one that starts now
    // waits for this license and then revokes it with the rest.
    await tx.$queryRaw`SELECT c.id FROM "Customer" c, "App" a WHERE c.id = ${customer.id}::uuid AND a.id = ${app.id}::uuid FOR SHARE`;
    const current = await tx.customer.findUniqueOrThrow({ where: { id: customer.id }, select: { archivedAt: true } });
    if (current.archivedAt) throw archivedCustomer();
    const currentApp = await tx.app.findUniqueOrThrow({ where: { id: app.id }, select: { deletedAt: true } });
    if (currentApp.deletedAt) throw new AppError("conflict", `The app "${app.slug}" was deleted: it can't get new licenses.`);
    const row = await tx.license.create({
      data: {
        id,
        teamId: ctx.teamId,
        customerId: customer.id,
        appId: app.id,
        type: input.type,
        ...hashLicenseId(licenseId),
        licenseIdHint: licenseIdHint(licenseId),
        expiresAt: input.expiresAt ?? null,
      },
      select: licenseRowSelect,
    });
    await storeSealedLicenseId(tx, ctx.teamId, id, sealed);
    return {
      result: { ...toLicenseDto(row), licenseId },
      audit: {
        action: "license.create",
        targetType: "license",
        targetId: id,
        targetLabel: `…${row.licenseIdHint}`,
        metadata: { customer: customer.name, app: app.slug, type: input.type, expiresAt: input.expiresAt?.toISOString() ?? null },
      },
    };
  },
});

/** A license with its ID in clear. Developer role and up: a license ID is a credential. */
export const getLicense = defineOperation({
  name: "licenses.get", permission: "write", input: licenseRefSchema,
  async run(ctx, input): Promise<LicenseWithId> {
    const row = await findLicense(ctx, input.id);
    return { ...toLicenseDto(row), licenseId: await revealLicenseId(ctx.db, ctx.teamId, row.id) };
  },
});

/**
 * Revokes a license: from the commit on, `findActiveLicense` refuses it. Revoking a revoked
 * license changes nothing and writes no second event.
 */
export const revokeLicense = defineTeamChange({
  name: "licenses.revoke", permission: "write", input: licenseRefSchema,
  async change(tx, ctx, input): Promise<TeamChangeOutcome<LicenseDto>> {
    const row = await findOr404(
      tx.license.findFirst({ where: { id: input.id, teamId: ctx.teamId }, select: { ...licenseRowSelect, customer: { select: { name: true } } } }),
      LICENSE_NOT_FOUND,
    );
    const claimed = await tx.license.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date() } });
    const result = toLicenseDto(await tx.license.findUniqueOrThrow({ where: { id: row.id }, select: licenseRowSelect }));
    return claimed.count === 1 ? { result, audit: licenseRevokeEvent(row) } : { result };
  },
});

/** The signed license file (YAML) of a license of `team`: for the vendor's operation below and the customer portal. */
export async function licenseFileFor(db: Db, team: { teamId: string; teamName: string }, id: string) {
  const row = await findOr404(
    db.license.findFirst({
      where: { id, teamId: team.teamId },
      select: { ...licenseRowSelect, customer: { select: { id: true, name: true, email: true } } },
    }),
    LICENSE_NOT_FOUND,
  );
  const [licenseId, key] = await Promise.all([revealLicenseId(db, team.teamId, row.id), teamSigningKey(db, team.teamId)]);
  const e = env();
  const yaml = signLicense(
    {
      licenseId,
      licenseType: row.type,
      appSlug: row.app.slug,
      appName: row.app.name,
      customerId: row.customer.id,
      customerName: row.customer.name,
      customerEmail: row.customer.email,
      vendorTeamId: team.teamId,
      vendorName: team.teamName,
      licenseRef: row.id,
      issuedAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt?.toISOString() ?? null,
      proxyUrl: e.PROXY_URL ?? null,
      registryUrl: e.REGISTRY_URL ?? null,
    },
    key,
  );
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "customer";
  return { filename: `${safe(row.customer.name)}-${row.app.slug}-license.yaml`, yaml, status: toLicenseDto(row).status };
}

/** The signed license file (YAML). It holds the license ID, so it needs the developer role too. */
export const licenseFile = defineOperation({
  name: "licenses.file", permission: "write", input: licenseRefSchema,
  run: (ctx, input) => licenseFileFor(ctx.db, ctx, input.id),
});

/** The team's license signing public key (PEM), which installers embed to verify license files offline. */
export const licenseSigningKey = defineOperation({
  name: "licenses.signing_key", permission: "read", input: z.object({}).optional(),
  async run(ctx) {
    return teamPublicSigningKey(ctx.db, ctx.teamId);
  },
});
