import crypto from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { TeamContext } from "@/lib/auth/context";
import type { RoleName } from "@/lib/teams/schemas";

/** Unique emails so tests can run side by side on one database. */
export const uniqueEmail = (prefix = "user") => `${prefix}-${crypto.randomBytes(5).toString("hex")}@example.test`;

const FAKE_HASH = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$fakefakefakefakefakefakefakefakefakefakefak";

/** A user who is a member of `teamId` (or of a new team) with a role, as a TeamContext. */
export async function memberContext(db: PrismaClient, opts: { role?: RoleName; teamId?: string; teamName?: string } = {}): Promise<TeamContext> {
  const user = await db.user.create({ data: { email: uniqueEmail(opts.role ?? "admin"), passwordHash: FAKE_HASH } });
  const teamId = opts.teamId ?? (await db.team.create({ data: { name: opts.teamName ?? "Team " + user.email } })).id;
  const membership = await db.membership.create({ data: { teamId, userId: user.id, role: opts.role ?? "admin" }, include: { team: true } });
  return { db: db as TeamContext["db"], userId: user.id, email: user.email, teamId, teamName: membership.team.name, role: membership.role, ip: "127.0.0.1" };
}

/** Two teams: A with an admin, a developer and a read-only member; B with an admin (the outsider). */
export async function twoTeams(db: PrismaClient) {
  const adminA = await memberContext(db, { role: "admin", teamName: "Team A" });
  const developerA = await memberContext(db, { role: "developer", teamId: adminA.teamId });
  const readOnlyA = await memberContext(db, { role: "read_only", teamId: adminA.teamId });
  const adminB = await memberContext(db, { role: "admin", teamName: "Team B" });
  return { adminA, developerA, readOnlyA, adminB };
}
