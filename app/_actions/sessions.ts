"use server";

import { redirect } from "next/navigation";
import { endMemberSessions, endOwnSession } from "@/lib/auth/session-operations";
import { runFormAction } from "@/lib/server/form-action";
import type { ActionState } from "@/lib/server/action-state";

/** Ends one of the caller's sessions; ending the current one signs this browser out. */
export async function endSessionAction(_prev: ActionState, formData: FormData) {
  const state = await runFormAction(endOwnSession, formData, { revalidate: "/settings/sessions", message: () => "Session ended." });
  if (state.status === "ok" && state.data?.current) redirect("/sign-in?signedOut=1");
  return state;
}

/** An admin signs a member out everywhere. */
export async function endMemberSessionsAction(_prev: ActionState, formData: FormData) {
  return runFormAction(endMemberSessions, formData, {
    revalidate: "/settings",
    message: (r) => (r.ended === 1 ? "1 session ended." : `${r.ended} sessions ended.`),
  });
}
