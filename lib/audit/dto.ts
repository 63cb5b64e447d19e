import { z } from "zod";

/** An audit event as the operations return it (and, with dates as strings, as the REST API answers it). */
export const auditEventDtoSchema = z.object({
  id: z.uuid(),
  action: z.string().meta({ example: "license.revoke" }),
  actorEmail: z.string().nullable(),
  targetType: z.string().nullable(),
  targetLabel: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
  createdAt: z.date(),
});

/** One page of a team's audit events, newest first. */
export const auditEventPageDtoSchema = z.object({
  events: z.array(auditEventDtoSchema),
  total: z.int(),
  page: z.int(),
  pageSize: z.int(),
  pages: z.int(),
});

export type AuditEventPage = z.infer<typeof auditEventPageDtoSchema>;
export type AuditEventDto = z.infer<typeof auditEventDtoSchema>;
