import { z } from "zod";
import "@/lib/validations/zod-config";
import { pullResults } from "./reasons";

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

const optionalId = (message: string) =>
  z
    .union([z.uuid(message), z.literal("")])
    .optional()
    .transform((v) => v || undefined);

/** Filters of the pull attempts list (GET /api/v1/activity, the Customers pages). */
export const pullActivityQuerySchema = z.object({
  appId: optionalId("Unknown app."),
  customerId: optionalId("Unknown customer."),
  licenseId: optionalId("Unknown license."),
  result: z
    .union([z.enum(pullResults, "The result is pulled, refused or incomplete."), z.literal("")])
    .optional()
    .transform((v) => v || undefined),
  page: z.coerce.number().int("The page is a whole number.").min(1, "Pages start at 1.").max(100_000).default(1),
  pageSize: z.coerce.number().int("The page size is a whole number.").min(1, "The page size is 1 to 100.").max(100, "The page size is 1 to 100.").default(25),
});
export type PullActivityQuery = z.output<typeof pullActivityQuerySchema>;

/** One customer's delivery analytics over the last `days` days (today included). */
export const customerAnalyticsQuerySchema = z.object({
  id: z.uuid("Unknown customer."),
  days: z.coerce.number().int("Days is a whole number.").min(1, "Days is 1 to 366.").max(366, "Days is 1 to 366.").default(30),
});
