import { z } from "zod";
import { diagnosticStepSchema } from "@/lib/oci/diagnose";
import { roleSchema } from "@/lib/teams/schemas";

/**
 * A team's single sign-on as the operations return it (and, with dates as strings, as the REST
 * API answers it). The client secret is never part of it: only whether one is stored.
 */

/** A connection test of an identity provider: each step with its outcome and timing. */
export const ssoTestResultSchema = z.object({
  ok: z.boolean(),
  /** One sentence. */
  summary: z.string(),
  steps: z.array(diagnosticStepSchema),
  testedAt: z.date(),
});
export type SsoTestResult = z.infer<typeof ssoTestResultSchema>;

export const ssoSettingsDtoSchema = z.object({
  issuer: z.string(),
  clientId: z.string(),
  hasClientSecret: z.boolean().meta({ description: "A client secret is stored (it is never returned)." }),
  enforce: z.boolean(),
  defaultRole: roleSchema,
  groupsClaim: z.string().nullable(),
  groupRoles: z.record(z.string(), roleSchema),
  testedAt: z.date().meta({ description: "When the connection test that allowed the last save passed." }),
  updatedAt: z.date(),
  updatedByEmail: z.string().nullable(),
});

export const ssoDtoSchema = z.object({
  redirectUri: z.string().meta({ description: "Register it at the identity provider: the same for every team." }),
  settings: ssoSettingsDtoSchema.nullable().meta({ description: "Null until single sign-on is configured." }),
});
export type SsoDto = z.infer<typeof ssoDtoSchema>;

export const ssoDomainDtoSchema = z.object({
  id: z.uuid(),
  domain: z.string(),
  status: z.enum(["pending", "verified"]),
  txtName: z.string().meta({ description: "The TXT record to publish: `_portcullis-challenge.<domain>`." }),
  txtValue: z.string().meta({ description: "Its value: `portcullis-verification=<token>`." }),
  verifiedAt: z.date().nullable(),
  createdAt: z.date(),
});
export type SsoDomainDto = z.infer<typeof ssoDomainDtoSchema>;
