import type { Db } from "@/lib/db/client";
import type { RoleName } from "@/lib/teams/role-names";

/** Who is acting, in which team, with which role. Every team-scoped operation receives one. */
export interface TeamContext {
  db: Db;
  userId: string;
  email: string;
  teamId: string;
  teamName: string;
  role: RoleName;
  ip: string | null;
  sessionId?: string;
  /**
   * Set when the caller authenticated with an API token (lib/tokens/authenticate.ts). A user
   * token acts as its user; for service-account and team tokens no person acts: `userId` is then
   * the token's id and `email` a label such as "ci (service account)", which the audit log shows.
   */
  token?: { id: string; kind: "user" | "service_account" | "team"; name: string };
}

/**
 * Resolves the team context for a user: the requested team if the user is a member of it,
 * else the user's first team. Null when the user belongs to no team.
 */
export async function resolveTeamContext(
  db: Db,
  opts: { userId: string; email: string; teamId?: string | null; ip: string | null; sessionId?: string },
): Promise<TeamContext | null> {
  const memberships = await db.membership.findMany({
    where: { userId: opts.userId },
    include: { team: { select: { id: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  const chosen = memberships.find((m) => m.teamId === opts.teamId) ?? memberships[0];
  if (!chosen) return null;
  return {
    db,
    userId: opts.userId,
    email: opts.email,
    teamId: chosen.teamId,
    teamName: chosen.team.name,
    role: chosen.role,
    ip: opts.ip,
    sessionId: opts.sessionId,
  };
}
