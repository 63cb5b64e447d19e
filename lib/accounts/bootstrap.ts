import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validations/parse";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/audit/record";
import { invoke } from "@/lib/server/operation";
import { createServiceAccount } from "@/lib/tokens/operations";
import { emailSchema, newPasswordSchema, teamNameSchema } from "@/lib/accounts/schemas";
import { createTeamInTx } from "@/lib/teams/create-team";

/** The metadata of the events a bootstrap writes. */
const BOOTSTRAP_VIA = { via: "portcullis admin bootstrap" };

/**
 * Headless start for operators and CI (`portcullis admin bootstrap`): makes sure a user and a
 * team they administer exist, then issues a new admin service-account token for that team.
 * Safe to run again: an existing user (whose password must match) and their team of that name
 * are reused; each run issues one more token. Everything is audited as that user.
 */
const bootstrapSchema = z.object({
  email: emailSchema,
  password: newPasswordSchema,
  teamName: teamNameSchema,
  tokenName: z.string().trim().min(1, "Enter a token name.").max(64, "Use at most 64 characters.").default("bootstrap"),
});
type BootstrapInput = z.input<typeof bootstrapSchema>;

interface BootstrapResult {
  team: { id: string; name: string; created: boolean };
  user: { id: string; email: string; created: boolean };
  serviceAccount: { id: string; name: string; role: "admin" };
  token: string;
}

export async function bootstrapAdmin(db: Db, raw: BootstrapInput): Promise<BootstrapResult> {
  const input = parseInput(bootstrapSchema, raw);

  const existing = await db.user.findUnique({ where: { email: input.email } });
  if (existing && !(await verifyPassword(existing.passwordHash, input.password))) {
    throw new AppError("unauthenticated", `${input.email} already exists with a different password.`);
  }
  const passwordHash = existing ? null : await hashPassword(input.password);

  const { user, team, userCreated, teamCreated } = await db.$transaction(async (tx) => {
    let user = await tx.user.findUnique({ where: { email: input.email } });
    let userCreated = false;
    if (!user) {
      user = await tx.user.create({ data: { email: input.email, passwordHash: passwordHash! } });
      userCreated = true;
    }
    const actor = { userId: user.id, email: input.email, ip: null };
    const memberships = await tx.membership.findMany({
      where: { userId: user.id, team: { name: input.teamName } },
      include: { team: true },
      orderBy: { createdAt: "asc" },
    });
    const admin = memberships.find((m) => m.role === "admin");
    if (!admin && memberships.length > 0) {
      throw new AppError("forbidden", `${input.email} is a member of "${input.teamName}" but not an admin of it.`);
    }
    const team = admin?.team ?? (await createTeamInTx(tx, actor, input.teamName, BOOTSTRAP_VIA));
    const teamCreated = !admin;
    if (userCreated) {
      await recordAudit(tx, team.id, actor, { action: "user.sign_up", targetType: "user", targetId: user.id, targetLabel: user.email, metadata: BOOTSTRAP_VIA });
    }
    return { user, team, userCreated, teamCreated };
  });

  const sa = await invoke(
    createServiceAccount,
    { db, userId: user.id, email: user.email, teamId: team.id, teamName: team.name, role: "admin", ip: null },
    { name: input.tokenName, role: "admin" },
  );
  return {
    team: { id: team.id, name: team.name, created: teamCreated },
    user: { id: user.id, email: user.email, created: userCreated },
    serviceAccount: { id: sa.id, name: sa.name, role: "admin" },
    token: sa.token,
  };
}
