import { z } from "zod";
import "@/lib/validations/zod-config";

/** Filters of the pull/push activity list (per app, per license). */
export const listActivitySchema = z
  .object({
    appId: z.uuid("Unknown app.").optional(),
    licenseId: z.uuid("Unknown license.").optional(),
    /** Only events of license holders (the customers' pull log). */
    customersOnly: z.coerce.boolean().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .optional()
  .transform((v) => v ?? { limit: 50 });
