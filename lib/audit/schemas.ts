import { z } from "zod";
import "@/lib/validations/zod-config";

const optional = (v: string | undefined) => (v ? v : undefined);
const day = z
  .string()
  .trim()
  .regex(/^(\d{4}-\d{2}-\d{2})?$/, "Enter a date as YYYY-MM-DD.")
  .optional()
  .transform(optional);

export const auditQuerySchema = z
  .object({
    action: z
      .string()
      .trim()
      .max(64)
      .regex(/^[a-z_.]*$/, "Unknown action.")
      .optional()
      .transform(optional),
    /** The actor's email, exactly; `system` for events without a signed-in actor. */
    actor: z.string().trim().max(254, "Too long.").optional().transform(optional),
    /** Part of the target's name (a host, an email, a license hint, an app slug), any case. */
    target: z.string().trim().max(100, "Too long.").optional().transform(optional),
    /** First and last day (UTC), inclusive. */
    from: day,
    to: day,
    page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).catch(25).default(25),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ["to"], message: "The last day is before the first." });

export type AuditQuery = z.infer<typeof auditQuerySchema>;
