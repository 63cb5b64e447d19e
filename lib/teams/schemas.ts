import { z } from "zod";
import "@/lib/validations/zod-config";
import { emailSchema, teamNameSchema } from "@/lib/accounts/schemas";

export const roles = ["admin", "developer", "read_only"] as const;
export const roleSchema = z.enum(roles, "Choose a role.");
export type RoleName = (typeof roles)[number];

export const roleLabels: Record<RoleName, string> = {
  admin: "Admin",
  developer: "Developer",
  read_only: "Read-only",
};

export const inviteMemberSchema = z.object({ email: emailSchema, role: roleSchema });
export const changeRoleSchema = z.object({ membershipId: z.uuid("Unknown member."), role: roleSchema });
export const removeMemberSchema = z.object({ membershipId: z.uuid("Unknown member.") });
export const revokeInviteSchema = z.object({ inviteId: z.uuid("Unknown invite.") });
export const createTeamSchema = z.object({ name: teamNameSchema });
export const switchTeamSchema = z.object({ teamId: z.uuid("Unknown team.") });
