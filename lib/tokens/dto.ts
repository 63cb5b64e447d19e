import { z } from "zod";
import { roles } from "@/lib/teams/role-names";
import { tokenKinds } from "@/lib/tokens/kinds";

/** An API token as the operations return it: never the token itself, only its last characters. */
export const apiTokenDtoSchema = z.object({
  id: z.uuid(),
  kind: z.enum(tokenKinds),
  name: z.string(),
  role: z.enum(roles),
  hint: z.string(),
  /** The person a personal token acts as. */
  userId: z.string().nullable(),
  ownerEmail: z.string().nullable(),
  status: z.enum(["active", "expired", "revoked"]),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

export type ApiTokenDto = z.infer<typeof apiTokenDtoSchema>;
