import type { CustomerDto } from "@/lib/customers/operations";
import type { LicenseDto } from "@/lib/licenses/dto";

/** What the Customers page hands its client components: plain strings, never a license ID. */
export interface LicenseView {
  id: string;
  appSlug: string;
  appName: string;
  type: LicenseDto["type"];
  status: LicenseDto["status"];
  hint: string;
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export interface CustomerView {
  id: string;
  name: string;
  email: string | null;
  archivedAt: string | null;
  createdAt: string;
  licenses: LicenseView[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toCustomerView(c: CustomerDto): CustomerView {
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
    })),
  };
}
