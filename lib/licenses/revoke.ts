import type { TeamContext } from "@/lib/auth/context";
import type { Tx } from "@/lib/db/client";
import { recordTeamAudit } from "@/lib/audit/record";

/** The `license.revoke` audit event of one license; `reason` when the revocation followed another change. */
export function licenseRevokeEvent(l: { id: string; licenseIdHint: string; customer: { name: string }; app: { slug: string } }, reason?: string) {
  return {
    action: "license.revoke" as const,
    targetType: "license",
    targetId: l.id,
    targetLabel: `…${l.licenseIdHint}`,
    metadata: { customer: l.customer.name, app: l.app.slug, ...(reason ? { reason } : {}) },
  };
}

/**
 * Revokes, at `at`, every unrevoked license of the caller's team for an app or a customer (the
 * app is being deleted, the customer archived), each with a `license.revoke` event naming
 * `reason`. The licenses are kept. Returns how many were revoked.
 */
export async function revokeLicensesOf(tx: Tx, ctx: TeamContext, of: { appId: string } | { customerId: string }, reason: string, at: Date): Promise<number> {
  const unrevoked = await tx.license.findMany({
    where: { teamId: ctx.teamId, ...of, revokedAt: null },
    select: { id: true, licenseIdHint: true, customer: { select: { name: true } }, app: { select: { slug: true } } },
  });
  await tx.license.updateMany({ where: { id: { in: unrevoked.map((l) => l.id) }, revokedAt: null }, data: { revokedAt: at } });
  for (const l of unrevoked) await recordTeamAudit(tx, ctx, licenseRevokeEvent(l, reason));
  return unrevoked.length;
}
