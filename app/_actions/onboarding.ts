"use server";

import { revalidatePath } from "next/cache";
import { setOnboardingDismissed } from "@/lib/onboarding/dismissal";
import { cookieIsSecure, requireTeamContext } from "@/lib/server/request";

/** Puts the active team's first-run checklist away in this browser (Home still shows it). */
export async function dismissOnboardingAction() {
  const ctx = await requireTeamContext();
  await setOnboardingDismissed(ctx.teamId, true, await cookieIsSecure());
  revalidatePath("/", "layout");
}

/** Shows the checklist on every page again. */
export async function restoreOnboardingAction() {
  const ctx = await requireTeamContext();
  await setOnboardingDismissed(ctx.teamId, false, await cookieIsSecure());
  revalidatePath("/", "layout");
}
