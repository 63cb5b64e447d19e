import type { Db } from "@/lib/db/client";
import { recordAudit } from "@/lib/audit/record";

/** A customer opened the portal (by link or license ID): an event in the vendor team's audit log, by the customer. */
export function auditPortalOpen(
  db: Db,
  opts: { teamId: string; licenseRowId: string; hint: string; customerName: string; appSlug: string; via: "link" | "license-id"; ip: string | null },
) {
  return db.$transaction(async (tx) => {
    await recordAudit(tx, opts.teamId, { userId: null, email: `${opts.customerName} (customer portal)`, ip: opts.ip }, {
      action: "license.portal_open",
      targetType: "license",
      targetId: opts.licenseRowId,
      targetLabel: `…${opts.hint}`,
      metadata: { via: opts.via, app: opts.appSlug },
    });
  });
}
