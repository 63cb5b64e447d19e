import crypto from "node:crypto";
import { z } from "zod";
import type { Db, Tx } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { SsoDomain } from "@/lib/generated/prisma/client";
import { findOr404 } from "@/lib/server/find-or-404";
import { defineOperation } from "@/lib/server/operation";
import { defineTeamChange } from "@/lib/server/team-change";
import { challengeName, challengeValue, lookupTxt } from "./dns";
import type { SsoDomainDto } from "./dto";
import { addDomainSchema, removeDomainSchema, verifyDomainSchema } from "./schemas";

/**
 * The email domains a team claims for single sign-on. A claim is pending until the TXT record
 * `_portcullis-challenge.<domain>` carries its token; then it is verified, and no other team
 * can verify the same domain (SsoDomain.verifiedDomain is unique). Admins only.
 */

export function toDomainDto(d: SsoDomain): SsoDomainDto {
  return {
    id: d.id,
    domain: d.domain,
    status: d.verifiedAt ? "verified" : "pending",
    txtName: challengeName(d.domain),
    txtValue: challengeValue(d.token),
    verifiedAt: d.verifiedAt,
    createdAt: d.createdAt,
  };
}

const domainTarget = (d: SsoDomain) => ({ targetType: "sso_domain", targetId: d.id, targetLabel: d.domain });

const verifiedElsewhere = (domain: string) =>
  new AppError("conflict", `${domain} is verified by another team.`, { fields: { domain: `${domain} is verified by another team.` } });

const findDomain = (db: Db | Tx, teamId: string, id: string) => findOr404(db.ssoDomain.findFirst({ where: { id, teamId } }), "That domain is not claimed by this team.");

export const listSsoDomains = defineOperation({
  name: "sso.domains.list", permission: "admin", input: z.object({}).optional(),
  async run(ctx) {
    const rows = await ctx.db.ssoDomain.findMany({ where: { teamId: ctx.teamId }, orderBy: { createdAt: "asc" } });
    return rows.map(toDomainDto);
  },
});

export const addSsoDomain = defineTeamChange({
  name: "sso.domains.add", permission: "admin", input: addDomainSchema,
  async change(tx, ctx, { domain }) {
    const owner = await tx.ssoDomain.findUnique({ where: { verifiedDomain: domain }, select: { teamId: true } });
    if (owner && owner.teamId !== ctx.teamId) throw verifiedElsewhere(domain);
    if (await tx.ssoDomain.findFirst({ where: { teamId: ctx.teamId, domain }, select: { id: true } })) {
      throw new AppError("conflict", `This team has already claimed ${domain}.`, { fields: { domain: `This team has already claimed ${domain}.` } });
    }
    const row = await tx.ssoDomain.create({ data: { teamId: ctx.teamId, domain, token: crypto.randomBytes(24).toString("base64url") } });
    return { result: toDomainDto(row), audit: { action: "sso.domain_claimed", ...domainTarget(row) } };
  },
  conflict: (_ctx, { domain }) => new AppError("conflict", `${domain} was claimed meanwhile.`, { fields: { domain: `${domain} was claimed meanwhile.` } }),
});

/** Marks a claim verified inside the caller's transaction; a conflict when another team holds the domain. */
export async function markDomainVerified(tx: Tx, row: SsoDomain, by: string): Promise<SsoDomain> {
  const owner = await tx.ssoDomain.findUnique({ where: { verifiedDomain: row.domain }, select: { teamId: true } });
  if (owner && owner.teamId !== row.teamId) throw verifiedElsewhere(row.domain);
  return tx.ssoDomain.update({ where: { id: row.id }, data: { verifiedAt: new Date(), verifiedBy: by, verifiedDomain: row.domain } });
}

export class DomainNotVerifiedError extends AppError {
  constructor(message: string) {
    super("validation_failed", message, { fields: { domain: message } });
    this.name = "DomainNotVerifiedError";
  }
}

/** Looks the TXT record up and, when it carries the token, marks the domain verified. */
export const verifySsoDomain = defineTeamChange({
  name: "sso.domains.verify", permission: "admin", input: verifyDomainSchema,
  async prepare(ctx, { id }) {
    const row = await findDomain(ctx.db, ctx.teamId, id);
    if (row.verifiedAt) return { row, already: true };
    const name = challengeName(row.domain);
    let records: string[];
    try {
      records = await lookupTxt(name);
    } catch (e) {
      throw new AppError("unavailable", `The DNS lookup of ${name} failed (${(e as NodeJS.ErrnoException).code ?? "error"}). Try again in a minute.`);
    }
    if (!records.includes(challengeValue(row.token))) {
      throw new DomainNotVerifiedError(
        records.length === 0
          ? `No TXT record at ${name} yet. Publish it, wait for DNS to update (minutes to hours), then verify again.`
          : `The TXT records at ${name} don't include ${challengeValue(row.token)} (found ${records.length}). Check the value.`,
      );
    }
    return { row, already: false };
  },
  async change(tx, ctx, _input, { row, already }) {
    if (already) return { result: toDomainDto(row) };
    const updated = await markDomainVerified(tx, row, ctx.email);
    return { result: toDomainDto(updated), audit: { action: "sso.domain_verified", ...domainTarget(updated), metadata: { method: "dns" } } };
  },
  conflict: (_ctx, _input, { row }) => verifiedElsewhere(row.domain),
});

export const removeSsoDomain = defineTeamChange({
  name: "sso.domains.remove", permission: "admin", input: removeDomainSchema,
  async change(tx, ctx, { id }) {
    const row = await findDomain(tx, ctx.teamId, id);
    if (row.verifiedAt) {
      const enforced = await tx.teamSso.findFirst({ where: { teamId: ctx.teamId, enforce: true }, select: { id: true } });
      const others = await tx.ssoDomain.count({ where: { teamId: ctx.teamId, verifiedAt: { not: null }, id: { not: row.id } } });
      if (enforced && others === 0) {
        throw new AppError("conflict", `Turn off "Require single sign-on" before removing ${row.domain}: without a verified domain members could not sign in at all.`);
      }
    }
    await tx.ssoDomain.delete({ where: { id: row.id } });
    return { result: { id: row.id }, audit: { action: "sso.domain_removed", ...domainTarget(row) } };
  },
});

