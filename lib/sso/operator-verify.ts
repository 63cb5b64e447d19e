import crypto from "node:crypto";
import { recordAudit } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { markDomainVerified, toDomainDto } from "./domains";
import type { SsoDomainDto } from "./dto";
import { domainNameSchema } from "./schemas";

/**
 * An operator marks a team's domain verified without DNS (private installs whose DNS the portal
 * can't see): `portcullis sso verify-domain`. The team is named by id or by its unique name; the
 * domain is claimed for it first when it isn't yet. Audited as the operator.
 */
export async function operatorVerifyDomain(db: Db, opts: { team: string; domain: string }): Promise<{ teamId: string; teamName: string; domain: SsoDomainDto; changed: boolean }> {
  const parsed = domainNameSchema.safeParse(opts.domain);
  if (!parsed.success) throw new AppError("validation_failed", parsed.error.issues[0]!.message, { fields: { domain: parsed.error.issues[0]!.message } });
  const domain = parsed.data;
  const byId = /^[0-9a-f-]{36}$/i.test(opts.team) ? await db.team.findUnique({ where: { id: opts.team } }) : null;
  const teams = byId ? [byId] : await db.team.findMany({ where: { name: opts.team }, take: 5 });
  if (teams.length === 0) throw new AppError("not_found", `No team is named "${opts.team}".`, { fields: { team: `No team is named "${opts.team}".` } });
  if (teams.length > 1) {
    const message = `Several teams are named "${opts.team}" (${teams.map((t) => t.id).join(", ")}): pass the team's id.`;
    throw new AppError("conflict", message, { fields: { team: message } });
  }
  const team = teams[0]!;
  try {
    return await db.$transaction(async (tx) => {
      const row =
        (await tx.ssoDomain.findFirst({ where: { teamId: team.id, domain } })) ??
        (await tx.ssoDomain.create({ data: { teamId: team.id, domain, token: crypto.randomBytes(24).toString("base64url") } }));
      if (row.verifiedAt) return { teamId: team.id, teamName: team.name, domain: toDomainDto(row), changed: false };
      const updated = await markDomainVerified(tx, row, "operator");
      await recordAudit(tx, team.id, { userId: null, email: "operator (portcullis CLI)", ip: null }, {
        action: "sso.domain_verified",
        targetType: "sso_domain",
        targetId: updated.id,
        targetLabel: domain,
        metadata: { method: "operator" },
      });
      return { teamId: team.id, teamName: team.name, domain: toDomainDto(updated), changed: true };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("conflict", `${domain} is verified by another team.`, { fields: { domain: `${domain} is verified by another team.` } });
    throw e;
  }
}
