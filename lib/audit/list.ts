import type { Prisma } from "@/lib/generated/prisma/client";
import { defineOperation } from "@/lib/server/operation";
import { auditQuerySchema, type AuditQuery } from "@/lib/audit/schemas";
import type { AuditEventPage } from "@/lib/audit/dto";
import type { TeamContext } from "@/lib/auth/context";

const DAY_MS = 24 * 3600 * 1000;

/** The query's filters as a Prisma condition, always inside the caller's team. */
function auditWhere(teamId: string, q: AuditQuery) {
  return {
    teamId,
    ...(q.action && { action: q.action }),
    ...(q.actor && { actorEmail: q.actor === "system" ? null : q.actor }),
    ...(q.target && { targetLabel: { contains: q.target, mode: "insensitive" as const } }),
    ...((q.from || q.to) && {
      createdAt: {
        ...(q.from && { gte: new Date(`${q.from}T00:00:00Z`) }),
        ...(q.to && { lt: new Date(Date.parse(`${q.to}T00:00:00Z`) + DAY_MS) }),
      },
    }),
  } satisfies Prisma.AuditEventWhereInput;
}

/** The team's audit events, newest first, paged, filtered by action, actor, target and days. */
export const listAuditEvents = defineOperation({
  name: "audit.list", permission: "read", input: auditQuerySchema,
  async run(ctx, q): Promise<AuditEventPage> {
    const where = auditWhere(ctx.teamId, q);
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

/** Who has acted in the team (for the actor filter): their emails, and whether the system has. */
export async function auditActors(ctx: Pick<TeamContext, "db" | "teamId">): Promise<{ emails: string[]; system: boolean }> {
  const rows = await ctx.db.auditEvent.findMany({ where: { teamId: ctx.teamId }, distinct: ["actorEmail"], select: { actorEmail: true }, take: 200 });
  return {
    emails: rows.flatMap((r) => (r.actorEmail ? [r.actorEmail] : [])).sort(),
    system: rows.some((r) => r.actorEmail === null),
  };
}
