import { z } from "zod";
import "@/lib/validations/zod-config";
import { optionalExpirySchema } from "@/lib/validations/dates";
import { licenseTypes } from "@/lib/licenses/types";

/** The body of a new license; the customer comes from the path (REST) or a hidden field (form). */
const licenseBodySchema = z.object({
  app: z
    .string()
    .trim()
    .min(1, "Choose an app.")
    .max(64, "Unknown app.")
    .meta({ description: "The app's slug (or id) the license lets the customer pull.", example: "acme-analytics" }),
  type: z.enum(licenseTypes, "Choose trial, paid or dev.").meta({ description: "trial, paid or dev." }),
  expiresAt: optionalExpirySchema,
});

export const createLicenseSchema = licenseBodySchema.extend({ customerId: z.uuid("Unknown customer.") });

export const licenseRefSchema = z.object({ id: z.uuid("Unknown license.") });
