import { z } from "zod";
import "@/lib/validations/zod-config";
import { emailSchema, teamNameSchema } from "@/lib/accounts/schemas";
import { roles } from "@/lib/teams/role-names";

export const roleSchema = z.enum(roles, "Choose a role.");

export const inviteMemberSchema = z.object({ email: emailSchema, role: roleSchema });
export const changeRoleSchema = z.object({ membershipId: z.uuid("Unknown member."), role: roleSchema });
export const removeMemberSchema = z.object({ membershipId: z.uuid("Unknown member.") });
export const revokeInviteSchema = z.object({ inviteId: z.uuid("Unknown invite.") });
export const createTeamSchema = z.object({ name: teamNameSchema });
export const switchTeamSchema = z.object({ teamId: z.uuid("Unknown team.") });
