"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { signUp } from "@/lib/accounts/sign-up";
import { verifyCredentials } from "@/lib/accounts/sign-in";
import { SESSION_COOKIE, createSession, deleteSession, setActiveTeam } from "@/lib/auth/sessions";
import { acceptInvite } from "@/lib/teams/invites";
import { createTeam } from "@/lib/teams/create-team";
import { signInSchema, signUpSchema } from "@/lib/accounts/schemas";
import { createTeamSchema, switchTeamSchema } from "@/lib/teams/schemas";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/validations/parse";
import { formObject, type ActionState } from "@/lib/server/action-state";
import { formErrorState } from "@/lib/server/form-action";
import { clientIp, cookieIsSecure, currentSession } from "@/lib/server/request";

async function startSession(userId: string, teamId: string | null) {
  const db = await getDb();
  const { token, expiresAt } = await createSession(db, { userId, activeTeamId: teamId, ip: await clientIp() });
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: await cookieIsSecure(),
    path: "/",
    expires: expiresAt,
  });
}

const failure = formErrorState;

export async function signUpAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const raw = formObject(formData);
  // Through an invite the team already exists: the team name field is not shown.
  if (raw.inviteToken) raw.teamName ||= "invited";
  let joined = false;
  try {
    const input = parseInput(signUpSchema, raw);
    const result = await signUp(await getDb(), input, await clientIp());
    // An invite link proves the address: its new member is signed in at once.
    if (input.inviteToken && result) {
      await startSession(result.userId, result.teamId);
      joined = true;
    }
  } catch (e) {
    return failure(e, formData);
  }
  if (joined) redirect("/apps?joined=1");
  // Open sign-up answers the same whether the email was new (account created) or already had an
  // account (nothing created): continue at the sign-in form. See lib/accounts/sign-up.ts.
  redirect("/sign-in?signedUp=1");
}

export async function signInAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const raw = formObject(formData);
  try {
    const input = parseInput(signInSchema, raw);
    const db = await getDb();
    const ip = await clientIp();
    const user = await verifyCredentials(db, input, ip);
    let teamId: string | null = null;
    if (input.inviteToken) teamId = await acceptInvite(db, input.inviteToken, user, ip);
    await startSession(user.userId, teamId);
  } catch (e) {
    return failure(e, formData);
  }
  redirect(raw.inviteToken ? "/apps?joined=1" : raw.welcome ? "/apps?welcome=1" : "/apps");
}

export async function signOutAction(): Promise<void> {
  const jar = await cookies();
  await deleteSession(await getDb(), jar.get(SESSION_COOKIE)?.value);
  jar.delete(SESSION_COOKIE);
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
