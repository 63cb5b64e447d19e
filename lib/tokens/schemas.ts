import { z } from "zod";
import "@/lib/validations/zod-config";
import { roleSchema } from "@/lib/teams/schemas";
import { optionalExpirySchema } from "@/lib/validations/dates";

const tokenNameSchema = z.string().trim().min(1, "Enter a name.").max(64, "Use at most 64 characters.");

/** Forms send "" for "same as my role". */
const optionalRole = z
  .union([z.literal(""), roleSchema])
  .optional()
  .transform((v) => (v ? v : undefined));

export const createPersonalTokenSchema = z.object({
  name: tokenNameSchema,
  role: optionalRole,
  expiresAt: optionalExpirySchema,
});

export const createServiceAccountSchema = z.object({
  name: tokenNameSchema,
  role: roleSchema,
  expiresAt: optionalExpirySchema,
});

export const createTeamTokenSchema = z.object({
  name: tokenNameSchema,
  expiresAt: optionalExpirySchema,
});

export const revokeTokenSchema = z.object({ id: z.uuid("Unknown token.") });
