"use server";

import { changeMemberRole, removeMember } from "@/lib/teams/members";
import { inviteMember, revokeInvite } from "@/lib/teams/invite-member";
import { runFormAction } from "@/lib/server/form-action";
import type { ActionState } from "@/lib/server/action-state";

export async function inviteMemberAction(_prev: ActionState, formData: FormData) {
  return runFormAction(inviteMember, formData, { revalidate: "/settings" });
}

export async function changeRoleAction(_prev: ActionState, formData: FormData) {
  return runFormAction(changeMemberRole, formData, { revalidate: "/settings", message: () => "Role updated." });
}

export async function removeMemberAction(_prev: ActionState, formData: FormData) {
  return runFormAction(removeMember, formData, { revalidate: "/settings", message: () => "Member removed." });
}

export async function revokeInviteAction(_prev: ActionState, formData: FormData) {
  return runFormAction(revokeInvite, formData, { revalidate: "/settings", message: () => "Invite revoked." });
}
