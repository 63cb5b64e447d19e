import "server-only";
import type { TeamContext } from "@/lib/auth/context";

/**
 * When each of these licenses last pulled an image through the proxy (a manifest it was given:
 * result "pulled"); licenses that never did are absent. Scoped by the team: another team's
 * license IDs find nothing.
 */
export async function lastPullPerLicense(ctx: Pick<TeamContext, "db" | "teamId">, licenseIds: string[]): Promise<Map<string, Date>> {
  if (licenseIds.length === 0) return new Map();
  const rows = await ctx.db.pullEvent.groupBy({
    by: ["licenseId"],
    where: { teamId: ctx.teamId, licenseId: { in: licenseIds }, result: "pulled" },
    _max: { createdAt: true },
  });
  return new Map(rows.flatMap((r) => (r.licenseId && r._max.createdAt ? [[r.licenseId, r._max.createdAt] as const] : [])));
}
