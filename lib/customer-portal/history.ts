import { queryPullActivity } from "@/lib/activity/pull-activity";
import { REASONS } from "@/lib/activity/reasons";
import type { CustomerContext } from "./sessions";

export interface PullHistoryEntry {
  id: string;
  at: Date;
  /** What the customer asked for, as written (`proxy/<slug>/<image>:<tag>`). */
  reference: string;
  result: "pulled" | "refused" | "incomplete";
  /** Why it was refused or ended early, in a sentence; null for a pull. */
  why: string | null;
  bytes: number;
  /** How many attempts it stands for (refusals of one minute are folded). */
  count: number;
}

/**
 * The pull history of the session's own license: the team's pull attempts scoped to that
 * license by the session (never by anything the browser sends). The vendor-side fixes are left
 * out: they name the vendor's pages.
 */
export async function licensePullHistory(ctx: CustomerContext, pageSize = 50): Promise<PullHistoryEntry[]> {
  const { attempts } = await queryPullActivity(ctx.db, { teamId: ctx.teamId, licenseId: ctx.licenseRowId }, { pageSize });
  return attempts.map((a) => ({
    id: a.id,
    at: a.at,
    reference: a.reference,
    result: a.result,
    why: a.reason ? REASONS[a.reason].what : null,
    bytes: a.bytes,
    count: a.count,
  }));
}
