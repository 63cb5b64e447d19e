import { z } from "zod";
import "@/lib/validations/zod-config";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "Enter your email address.")
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address."));

export const newPasswordSchema = z
  .string()
  .min(10, "Use at least 10 characters.")
  .max(200, "Use at most 200 characters.");

export const teamNameSchema = z.string().trim().min(1, "Enter a team name.").max(80, "Use at most 80 characters.");

export const signUpSchema = z.object({
  email: emailSchema,
  password: newPasswordSchema,
  teamName: teamNameSchema,
  /** When signing up through an invite link, the team comes from the invite instead. */
  inviteToken: z.string().max(200).optional(),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

export const signInSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, "Enter your password.").max(200),
  inviteToken: z.string().max(200).optional(),
  /** The second step of a sign-in with two-factor authentication: a 6-digit code or a recovery code. */
  code: z.string().trim().max(64, "That code is too long.").optional(),
});
export type SignInInput = z.infer<typeof signInSchema>;
