import type { CustomerDto } from "@/lib/customers/dto";
import type { LicenseDto } from "@/lib/licenses/dto";
import type { Plain } from "@/lib/server/plain";

/** What the Customers page hands its client components: dates as strings, never a license ID. */
export type LicenseView = Plain<Omit<LicenseDto, "customerId" | "appId">> & { lastPullAt: string | null };

export type CustomerView = Plain<Omit<CustomerDto, "licenses">> & { licenses: LicenseView[] };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** `lastPulls`: when each license last pulled through the proxy (lib/activity/last-pulls.ts). */
export function toCustomerView(c: CustomerDto, lastPulls: Map<string, Date> = new Map()): CustomerView {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    archivedAt: iso(c.archivedAt),
    createdAt: c.createdAt.toISOString(),
    licenses: c.licenses.map((l) => ({
      id: l.id,
      appSlug: l.appSlug,
      appName: l.appName,
      type: l.type,
      status: l.status,
      hint: l.hint,
      expiresAt: iso(l.expiresAt),
      revokedAt: iso(l.revokedAt),
      createdAt: l.createdAt.toISOString(),
      lastPullAt: iso(lastPulls.get(l.id) ?? null),
    })),
  };
}
