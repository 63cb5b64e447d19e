import type { Db } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/audit/record";

/** A signed-in user creates another team and becomes its admin. */
export async function createTeam(db: Db, actor: AuditActor & { userId: string }, name: string) {
  return db.$transaction(async (tx) => {
    const team = await tx.team.create({ data: { name } });
    await tx.membership.create({ data: { teamId: team.id, userId: actor.userId, role: "admin" } });
    await recordAudit(tx, team.id, actor, { action: "team.create", targetType: "team", targetId: team.id, targetLabel: name });
    return team;
  });
}
