import "server-only";
import { cookies } from "next/headers";

/**
 * Teams whose first-run checklist this browser has put away: a cookie of team ids, kept a year.
 * It is a display preference of one browser, not a team setting, so nothing is stored or audited.
 */
export const ONBOARDING_COOKIE = "portcullis_onboarding_hidden";
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function dismissedTeams(): Promise<string[]> {
  const raw = (await cookies()).get(ONBOARDING_COOKIE)?.value ?? "";
  return raw.split(",").filter((id) => ID.test(id));
}

export async function isOnboardingDismissed(teamId: string) {
  return (await dismissedTeams()).includes(teamId);
}

export async function setOnboardingDismissed(teamId: string, dismissed: boolean, secure: boolean) {
  const others = (await dismissedTeams()).filter((id) => id !== teamId);
  const teams = (dismissed ? [...others, teamId] : others).slice(-20);
  (await cookies()).set(ONBOARDING_COOKIE, teams.join(","), { httpOnly: true, sameSite: "lax", secure, path: "/", maxAge: 365 * 24 * 3600 });
}
