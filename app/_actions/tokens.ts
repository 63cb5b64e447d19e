"use server";

import { createPersonalToken, createServiceAccount, createTeamToken, revokeToken } from "@/lib/tokens/operations";
import { runFormAction } from "@/lib/server/form-action";
import type { ActionState } from "@/lib/server/action-state";

/** Creates a token of the form's kind. The token itself is in the result, once. */
export async function createTokenAction(_prev: ActionState, formData: FormData) {
  const kind = formData.get("kind");
  if (kind === "service_account") return runFormAction(createServiceAccount, formData, { revalidate: "/tokens" });
  if (kind === "team") return runFormAction(createTeamToken, formData, { revalidate: "/tokens" });
  return runFormAction(createPersonalToken, formData, { revalidate: "/tokens" });
}

export async function revokeTokenAction(_prev: ActionState, formData: FormData) {
  return runFormAction(revokeToken, formData, { revalidate: "/tokens", message: (t) => `Revoked ${t.name}: requests with it are refused from now on.` });
}
