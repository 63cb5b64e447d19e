import { z } from "zod";

/** An app as the operations return it (and, with dates as strings, as the REST API answers it). */
export const appDtoSchema = z.object({ id: z.uuid(), name: z.string(), slug: z.string(), createdAt: z.date() });

export type AppDto = z.infer<typeof appDtoSchema>;

/** What deleting an app would do: the licenses it revokes and the hosted registry's repositories and tags it deletes. */
export const appDeletionPreviewDtoSchema = z.object({
  app: appDtoSchema,
  /** Licenses that deleting revokes (active now), and all of the app's licenses (kept either way). */
  licenses: z.object({
    active: z.int().meta({ description: "Revoked by the deletion." }),
    total: z.int().meta({ description: "Kept, revoked, in the customers' history." }),
  }),
  hostedRegistry: z.union([
    z.object({ configured: z.literal(false) }),
    z.object({ configured: z.literal(true), reachable: z.literal(true), repositories: z.array(z.object({ name: z.string(), tags: z.int() })), tags: z.int() }),
    z.object({ configured: z.literal(true), reachable: z.literal(false), error: z.string().meta({ description: "Why: deletion is refused until the registry answers." }) }),
  ]),
});

export type AppDeletionPreview = z.infer<typeof appDeletionPreviewDtoSchema>;

/** A deleted app: its slug stays reserved, its licenses revoked and kept. */
export const appDeletedDtoSchema = z.object({
  id: z.uuid(),
  slug: z.string().meta({ description: "Stays reserved: no app of any team can take it again." }),
  deletedAt: z.date(),
  revokedLicenses: z.int().meta({ description: "Licenses revoked by the deletion (kept, each with a license.revoke audit event)." }),
  hostedImages: z
    .object({
      repositories: z.int().meta({ description: "Repositories under `<slug>/` that had tags." }),
      tags: z.int(),
      manifests: z.int().meta({ description: "Manifests deleted (tags pointing at one manifest share it)." }),
    })
    .meta({ description: "What was deleted from the hosted registry (zeros when none is configured)." }),
});

export type AppDeleted = z.infer<typeof appDeletedDtoSchema>;
