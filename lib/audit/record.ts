import type { Tx } from "@/lib/db/client";
import { changeOfAuditEvent, notifyChange } from "@/lib/internal/changes";

/**
 * Audit actions. Naming: `<thing>.<verb>`. The audit page filters by these, so every action a
 * feature writes is listed here.
 */
export const auditActions = [
  "user.sign_up",
  "team.create",
  "member.invite",
  "member.invite_revoke",
  "member.join",
  "member.role_change",
  "member.remove",
  "app.create",
  "app.rename",
  "app.delete",
  "registry.create",
  "registry.update",
  "registry.test",
  "registry.rotate",
  "registry.delete",
  "registry.cache_settings",
  "registry.cache_purge",
  "customer.create",
  "customer.archive",
  "license.create",
  "license.revoke",
  "license.portal_link",
  "license.portal_open",
  "token.create",
  "token.revoke",
  "app.image_add",
  "app.image_remove",
  "app.images_setting",
  "registry.apps",
  "sso.updated",
  "sso.tested",
  "sso.enforced",
  "sso.unenforced",
  "sso.domain_claimed",
  "sso.domain_verified",
  "sso.domain_removed",
  "sso.sign_in",
  "sso.break_glass",
  "session.ended",
  "member.sessions_ended",
  "user.two_factor_enable",
  "user.two_factor_disable",
  "member.two_factor_reset",
  "team.two_factor_requirement",
] as const;
type AuditAction = (typeof auditActions)[number];

export interface AuditActor {
  userId: string | null;
  email: string | null;
  ip: string | null;
}

/** What an audit event says: the action, what it acted on, and details. */
export interface AuditEventInput {
  action: AuditAction;
  targetType?: string;
  targetId?: string;
  targetLabel?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Writes one audit event. Call it with the transaction client of the change it records. A change
 * that makes the proxies' cached lookup answers wrong is announced to them on commit
 * (lib/internal/changes.ts).
 */
export async function recordAudit(tx: Tx, teamId: string | null, actor: AuditActor, event: AuditEventInput) {
  await tx.auditEvent.create({
    data: {
      teamId,
      actorId: actor.userId,
      actorEmail: actor.email,
      ip: actor.ip,
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId,
      targetLabel: event.targetLabel,
      metadata: (event.metadata ?? undefined) as object | undefined,
    },
  });
  const change = changeOfAuditEvent(teamId, event);
  if (change) await notifyChange(tx, change);
}

const actorOf = (ctx: { userId: string; email: string; ip: string | null }): AuditActor => ({
  userId: ctx.userId,
  email: ctx.email,
  ip: ctx.ip,
});

/** Writes one audit event of the caller's team, by the caller, in the transaction of the change. */
export function recordTeamAudit(tx: Tx, ctx: { teamId: string; userId: string; email: string; ip: string | null }, event: AuditEventInput) {
  return recordAudit(tx, ctx.teamId, actorOf(ctx), event);
}
