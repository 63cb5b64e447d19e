import { licenseRowSelect, toLicenseDto } from "@/lib/licenses/dto";
import { licenseFileFor } from "@/lib/licenses/operations";
import { loadLicenseInstructions } from "@/lib/licenses/instructions/load";
import type { NamespaceChoice } from "@/lib/licenses/instructions/namespace-query";
import type { CustomerContext } from "./sessions";

/**
 * What the customer portal shows a session: only its own license, found by the session's team
 * and license ids (never by an id from the request).
 */
export async function customerLicense(ctx: CustomerContext) {
  const row = await ctx.db.license.findFirstOrThrow({
    where: { id: ctx.licenseRowId, teamId: ctx.teamId },
    select: { ...licenseRowSelect, customer: { select: { name: true } } },
  });
  return { ...toLicenseDto(row), customerName: row.customer.name, vendorName: ctx.teamName };
}

export const customerInstructions = (ctx: CustomerContext, choice: NamespaceChoice = {}) =>
  loadLicenseInstructions(ctx.db, { teamId: ctx.teamId, licenseRowId: ctx.licenseRowId, ...choice });

export const customerLicenseFile = (ctx: CustomerContext) => licenseFileFor(ctx.db, { teamId: ctx.teamId, teamName: ctx.teamName }, ctx.licenseRowId);
