import { defineOperation } from "@/lib/server/operation";
import { auditQuerySchema } from "@/lib/audit/schemas";
import type { AuditEventPage } from "@/lib/audit/dto";

/** The team's audit events, newest first, paged, optionally filtered by action. */
export const listAuditEvents = defineOperation({
  name: "audit.list", permission: "read", input: auditQuerySchema,
  async run(ctx, q): Promise<AuditEventPage> {
    const where = { teamId: ctx.teamId, ...(q.action ? { action: q.action } : {}) };
    const [total, events] = await Promise.all([
      ctx.db.auditEvent.count({ where }),
      ctx.db.auditEvent.findMany({
        where,
        orderBy: { seq: "desc" },
        skip: (q.page - 1) * q.pageSize,
        take: q.pageSize,
      }),
    ]);
    return {
      total,
      page: q.page,
      pageSize: q.pageSize,
      pages: Math.max(1, Math.ceil(total / q.pageSize)),
      events: events.map((e) => ({
        id: e.id,
        action: e.action,
        actorEmail: e.actorEmail,
        targetType: e.targetType,
        targetLabel: e.targetLabel,
        metadata: e.metadata as Record<string, unknown> | null,
        ip: e.ip,
        createdAt: e.createdAt,
      })),
    };
  },
});
