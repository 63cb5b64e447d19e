import { z } from "zod";
import "@/lib/validations/zod-config";
import { defineOperation } from "@/lib/server/operation";
import { defineTeamChange } from "@/lib/server/team-change";
import { findOr404 } from "@/lib/server/find-or-404";
import { describeDevice } from "./device";
import { signInMethodLabel } from "./sign-in-method";

/**
 * A person's own sessions (the sessions page), and an admin ending every session of a member.
 * Ending one deletes its row: that browser is signed out on its next request.
 */
export const endSessionSchema = z.object({ sessionId: z.uuid("Unknown session.") });
export const endMemberSessionsSchema = z.object({ membershipId: z.uuid("Unknown member.") });

export interface SessionView {
  id: string;
  device: string;
  /** "password", "single sign-on", "GitHub", "Google"; null when not recorded. */
  signedInWith: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  current: boolean;
}

export const listOwnSessions = defineOperation({
  name: "sessions.list", permission: "read", input: z.object({}).optional(),
  async run(ctx): Promise<SessionView[]> {
    const rows = await ctx.db.session.findMany({
      where: { userId: ctx.userId, expiresAt: { gt: new Date() } },
      orderBy: { lastUsedAt: "desc" },
      select: { id: true, userAgent: true, signInMethod: true, ip: true, createdAt: true, lastUsedAt: true },
    });
    return rows.map((r) => ({ id: r.id, device: describeDevice(r.userAgent), signedInWith: signInMethodLabel(r.signInMethod), ip: r.ip, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt, current: r.id === ctx.sessionId }));
  },
});

export const endOwnSession = defineTeamChange({
  name: "sessions.end", permission: "read", input: endSessionSchema,
  async change(tx, ctx, input) {
    // Only the caller's own sessions: another person's reads as missing.
    const session = await findOr404(tx.session.findFirst({ where: { id: input.sessionId, userId: ctx.userId } }), "That session has already ended.");
    await tx.session.delete({ where: { id: session.id } });
    const device = describeDevice(session.userAgent);
    return {
      result: { id: session.id, current: session.id === ctx.sessionId },
      audit: { action: "session.ended", targetType: "session", targetId: session.id, targetLabel: device, metadata: { ip: session.ip, current: session.id === ctx.sessionId } },
    };
  },
});

export const endMemberSessions = defineTeamChange({
  name: "members.end_sessions", permission: "admin", input: endMemberSessionsSchema,
  async change(tx, ctx, input) {
    const member = await findOr404(
      tx.membership.findFirst({ where: { id: input.membershipId, teamId: ctx.teamId }, include: { user: { select: { email: true } } } }),
      "That member is not in this team.",
    );
    const { count } = await tx.session.deleteMany({ where: { userId: member.userId } });
    return {
      result: { ended: count },
      audit: { action: "member.sessions_ended", targetType: "user", targetId: member.userId, targetLabel: member.user.email, metadata: { sessions: count } },
    };
  },
});
