import { z } from "zod";
import "./zod-config";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An optional expiry in the future: "YYYY-MM-DD" (valid through the end of that day, UTC) or an
 * ISO 8601 date-time. Empty means never. Forms send the date input's value; the API either form.
 */
export const optionalExpirySchema = z
  .union([z.literal(""), z.iso.date(), z.iso.datetime({ offset: true })], "Use a date (YYYY-MM-DD) or an ISO 8601 date-time.")
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const at = DATE_ONLY.test(v) ? new Date(`${v}T23:59:59.999Z`) : new Date(v);
    if (at.getTime() <= Date.now()) {
      ctx.addIssue({ code: "custom", message: "Choose a date in the future." });
      return z.NEVER;
    }
    return at;
  })
  .meta({ description: "Optional expiry: a date (YYYY-MM-DD, valid through the end of that day UTC) or an ISO 8601 date-time. Omit for no expiry." });
