import { z } from "zod";
import { licenseTypes, type LicenseTypeName } from "@/lib/licenses/types";

/** A license as the operations return it (and, with dates as strings, as the REST API answers it). */
export const licenseDtoSchema = z.object({
  id: z.uuid().meta({ description: "The license's record id (not the credential)." }),
  customerId: z.uuid(),
  appId: z.uuid(),
  appSlug: z.string(),
  appName: z.string(),
  type: z.enum(licenseTypes),
  status: z.enum(["active", "expired", "revoked"]),
  /** Last characters of the license ID, to recognise it without revealing it. */
  hint: z.string().meta({ description: "The license ID's last characters." }),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  createdAt: z.date(),
});

export type LicenseDto = z.infer<typeof licenseDtoSchema>;
type LicenseStatus = LicenseDto["status"];

/** A license just issued or rotated: the only time its credential is returned. */
export const licenseWithIdDtoSchema = licenseDtoSchema.extend({
  licenseId: z.string().meta({ description: "The customer's credential: registry username LICENSE_ID, this as password." }),
});

export type LicenseWithId = z.infer<typeof licenseWithIdDtoSchema>;

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
