import type { Db, Tx } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/audit/record";

/**
 * Creates a team with the actor as its admin, and its `team.create` event, in the caller's
 * transaction. `metadata` says how, when not through the portal.
 */
export async function createTeamInTx(tx: Tx, actor: AuditActor & { userId: string }, name: string, metadata?: Record<string, unknown>) {
  const team = await tx.team.create({ data: { name } });
  await tx.membership.create({ data: { teamId: team.id, userId: actor.userId, role: "admin" } });
  await recordAudit(tx, team.id, actor, { action: "team.create", targetType: "team", targetId: team.id, targetLabel: team.name, metadata });
  return team;
}

/** A signed-in user creates another team and becomes its admin. */
export async function createTeam(db: Db, actor: AuditActor & { userId: string }, name: string) {
  return db.$transaction((tx) => createTeamInTx(tx, actor, name));
}
