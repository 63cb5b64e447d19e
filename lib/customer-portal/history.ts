import { activityOutcome } from "@/lib/activity/outcome";
import type { CustomerContext } from "./sessions";

export interface PullHistoryEntry {
  id: string;
  at: Date;
  image: string;
  reference: string | null;
  outcome: string;
  ok: boolean;
  status: number;
  bytes: number;
}

/** The pull history of the session's own license: its team's pull log, filtered to that license (never by anything the browser sends). */
export async function licensePullHistory(ctx: CustomerContext, limit = 50): Promise<PullHistoryEntry[]> {
  const rows = await ctx.db.pullEvent.findMany({
    where: { teamId: ctx.teamId, licenseId: ctx.licenseRowId, action: { in: ["pull-manifest", "head-manifest"] } },
    orderBy: { seq: "desc" },
    take: limit,
  });
  return rows.map((r) => {
    const outcome = activityOutcome({ action: r.action === "head-manifest" ? "pull-manifest" : r.action, status: r.status, cache: r.cache });
    return { id: r.id, at: r.createdAt, image: r.image, reference: r.reference, outcome: outcome.text, ok: outcome.ok, status: r.status, bytes: Number(r.bytes) };
  });
}
