"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { signUp } from "@/lib/accounts/sign-up";
import { setActiveTeam } from "@/lib/auth/sessions";
import { endCurrentSession } from "@/lib/auth/sign-out";
import { acceptInvite } from "@/lib/teams/invites";
import { createTeam } from "@/lib/teams/create-team";
import { signUpSchema } from "@/lib/accounts/schemas";
import { createTeamSchema, switchTeamSchema } from "@/lib/teams/schemas";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validations/parse";
import { formObject, type ActionState } from "@/lib/server/action-state";
import { formErrorState } from "@/lib/server/form-action";
import { clientIp, currentSession } from "@/lib/server/request";

const failure = formErrorState;

/**
 * Creates an account. Through an invite the new member is signed in at once: the action answers
 * `signIn`, and the form signs in through next-auth with the password it has just sent.
 */
export async function signUpAction(_prev: ActionState<{ signIn: boolean }>, formData: FormData): Promise<ActionState<{ signIn: boolean }>> {
  const raw = formObject(formData);
  // Through an invite the team already exists: the team name field is not shown.
  if (raw.inviteToken) raw.teamName ||= "invited";
  try {
    const input = parseInput(signUpSchema, raw);
    const result = await signUp(await getDb(), input, await clientIp());
    // An invite link proves the address: its new member is signed in at once.
    if (input.inviteToken && result) return { status: "ok", data: { signIn: true } };
  } catch (e) {
    return failure(e, formData);
  }
  // Open sign-up answers the same whether the email was new (account created) or already had an
  // account (nothing created): continue at the sign-in form. See lib/accounts/sign-up.ts.
  redirect("/sign-in?signedUp=1");
}

/** Ends this browser's session (its Session row) and clears its cookies. */
export async function signOutAction(): Promise<void> {
  await endCurrentSession(await getDb(), await cookies());
  redirect("/sign-in?signedOut=1");
}

/** A signed-in user accepts an invite from the invite page. */
export async function acceptInviteAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  try {
    const session = await currentSession();
    if (!session) throw new AppError("unauthenticated", "Sign in to accept this invite.");
    const db = await getDb();
    const teamId = await acceptInvite(
      db,
      String(formData.get("inviteToken") ?? ""),
      { userId: session.user.id, email: session.user.email },
      await clientIp(),
    );
    await setActiveTeam(db, session.id, teamId);
  } catch (e) {
    return failure(e, formData);
  }
  redirect("/apps?joined=1");
}

export async function switchTeamAction(formData: FormData): Promise<void> {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  const parsed = switchTeamSchema.safeParse(formObject(formData));
  if (parsed.success) {
    const db = await getDb();
    const member = await db.membership.findUnique({
      where: { teamId_userId: { teamId: parsed.data.teamId, userId: session.user.id } },
    });
    if (member) await setActiveTeam(db, session.id, member.teamId);
  }
  redirect("/apps");
}

export async function createTeamAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  try {
    const session = await currentSession();
    if (!session) throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
    const { name } = parseInput(createTeamSchema, formObject(formData));
    const db = await getDb();
    const team = await createTeam(db, { userId: session.user.id, email: session.user.email, ip: await clientIp() }, name);
    await setActiveTeam(db, session.id, team.id);
  } catch (e) {
    return failure(e, formData);
  }
  redirect("/apps?team=created");
}
