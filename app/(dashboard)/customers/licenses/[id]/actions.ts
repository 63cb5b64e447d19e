"use server";

import { createPortalLink } from "@/lib/customer-portal/links";
import { runFormAction } from "@/lib/server/form-action";
import type { ActionState } from "@/lib/server/action-state";

/** The license page's "Create portal link". */
export async function createPortalLinkAction(_prev: ActionState, formData: FormData) {
  const state = await runFormAction(createPortalLink, formData);
  return state.status === "ok" && state.data ? { ...state, data: { url: state.data.url, expiresAt: state.data.expiresAt.toISOString() } } : { ...state, data: undefined };
}
