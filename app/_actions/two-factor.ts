"use server";

import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { resolveTeamContext } from "@/lib/auth/context";
import { confirmEnrolment, disableTwoFactor, startEnrolment, type Person } from "@/lib/auth/two-factor/enrolment";
import { resetMemberTwoFactor, setTwoFactorRequirement } from "@/lib/auth/two-factor/team-policy";
import { twoFactorCodeSchema } from "@/lib/auth/two-factor/schemas";
import { parseInput } from "@/lib/validations/parse";
import { formObject, type ActionState } from "@/lib/server/action-state";
import { formErrorState, runFormAction } from "@/lib/server/form-action";
import { clientIp, currentSession } from "@/lib/server/request";

/** The signed-in person (two-factor setup needs no team: a team that requires it sends members here first). */
async function signedInPerson(): Promise<Person> {
  const session = await currentSession();
  if (!session) throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
  const db = await getDb();
  const ip = await clientIp();
  const team = await resolveTeamContext(db, { userId: session.user.id, email: session.user.email, teamId: session.activeTeamId, ip });
  return { userId: session.user.id, email: session.user.email, teamId: team?.teamId ?? null, ip };
}

export async function startTwoFactorAction(_prev: ActionState<{ secret: string; uri: string }>, formData: FormData): Promise<ActionState<{ secret: string; uri: string }>> {
  try {
    return { status: "ok", data: await startEnrolment(await getDb(), await signedInPerson()) };
  } catch (e) {
    return formErrorState(e, formData);
  }
}

export async function confirmTwoFactorAction(_prev: ActionState<{ recoveryCodes: string[] }>, formData: FormData): Promise<ActionState<{ recoveryCodes: string[] }>> {
  try {
    const { code } = parseInput(twoFactorCodeSchema, formObject(formData));
    return { status: "ok", data: await confirmEnrolment(await getDb(), await signedInPerson(), code) };
  } catch (e) {
    return formErrorState(e, formData);
  }
}

export async function disableTwoFactorAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  try {
    const { code } = parseInput(twoFactorCodeSchema, formObject(formData));
    await disableTwoFactor(await getDb(), await signedInPerson(), code);
    return { status: "ok", message: "Two-factor authentication is off." };
  } catch (e) {
    return formErrorState(e, formData);
  }
}

export async function setTwoFactorRequirementAction(_prev: ActionState, formData: FormData) {
  return runFormAction(setTwoFactorRequirement, formData, {
    revalidate: "/settings/security/2fa",
    message: (r) => (r.required ? "Members now need two-factor authentication." : "Two-factor authentication is now optional."),
  });
}

export async function resetMemberTwoFactorAction(_prev: ActionState, formData: FormData) {
  return runFormAction(resetMemberTwoFactor, formData, {
    revalidate: "/settings",
    message: (r) => (r.reset ? "Two-factor authentication reset." : "That member has no two-factor authentication."),
  });
}
