import type { LicenseTypeName } from "@/lib/licenses/schemas";

type LicenseStatus = "active" | "expired" | "revoked";

export interface LicenseDto {
  id: string;
  customerId: string;
  appId: string;
  appSlug: string;
  appName: string;
  type: LicenseTypeName;
  status: LicenseStatus;
  /** Last characters of the license ID, to recognise it without revealing it. */
  hint: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface LicenseRow {
  id: string;
  customerId: string;
  appId: string;
  type: LicenseTypeName;
  licenseIdHint: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  app: { slug: string; name: string };
}

export const licenseRowSelect = {
  id: true,
  customerId: true,
  appId: true,
  type: true,
  licenseIdHint: true,
  expiresAt: true,
  revokedAt: true,
  createdAt: true,
  app: { select: { slug: true, name: true } },
} as const;

function licenseStatus(l: { revokedAt: Date | null; expiresAt: Date | null }, now = Date.now()): LicenseStatus {
  if (l.revokedAt) return "revoked";
  if (l.expiresAt && l.expiresAt.getTime() <= now) return "expired";
  return "active";
}

export const toLicenseDto = (l: LicenseRow): LicenseDto => ({
  id: l.id,
  customerId: l.customerId,
  appId: l.appId,
  appSlug: l.app.slug,
  appName: l.app.name,
  type: l.type,
  status: licenseStatus(l),
  hint: l.licenseIdHint,
  expiresAt: l.expiresAt,
  revokedAt: l.revokedAt,
  createdAt: l.createdAt,
});
