import { z } from "zod";
import { errorCodes } from "@/lib/errors";
import { appDeletedDtoSchema, appDeletionPreviewDtoSchema, appDtoSchema } from "@/lib/apps/dto";
import { licenseDtoSchema, licenseWithIdDtoSchema } from "@/lib/licenses/dto";
import { customerDtoSchema } from "@/lib/customers/dto";
import { registryDtoSchema, registryTestResultSchema, testedManifestSchema } from "@/lib/registries/dto";
import { auditEventDtoSchema, auditEventPageDtoSchema } from "@/lib/audit/dto";
import { cachePurgeResultSchema, cacheStatsDtoSchema } from "@/lib/cache/dto";
import { wireSchema } from "@/lib/api/wire";
import { appImageDetailsDtoSchema, appImageDtoSchema, appImagesDtoSchema, appImageSuggestionDtoSchema } from "@/lib/apps/images/dto";
import { registryAppsDtoSchema } from "@/lib/apps/registry-scope";
import { pullActivityPageDtoSchema, pullAttemptDtoSchema } from "@/lib/activity/pull-dto";
import { customerAnalyticsDtoSchema } from "@/lib/activity/analytics-dto";

/**
 * What the REST API answers, as zod schemas: the OpenAPI document's response schemas, and what
 * the REST tests parse every answer with, so the document can't drift from the responses.
 * (Request bodies need no copy here: they are the operations' own input schemas.)
 */
const id = z.uuid();

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string().meta({ description: "One sentence for a person." }),
      fields: z.record(z.string(), z.string()).optional().meta({ description: "Per-field messages (422, some 409)." }),
      test: z.unknown().optional().meta({ description: "The failed connection test, when a registry test refused the change." }),
    }),
  })
  .meta({ id: "Error" });

export const appSchema = wireSchema(appDtoSchema).meta({ id: "App" });

export const licenseSchema = wireSchema(licenseDtoSchema).meta({ id: "License" });

export const licenseWithIdSchema = wireSchema(licenseWithIdDtoSchema).meta({ id: "LicenseWithId" });

export const customerSchema = wireSchema(customerDtoSchema, new Map([[licenseDtoSchema, licenseSchema]])).meta({ id: "Customer" });

const auditEventSchema = wireSchema(auditEventDtoSchema).meta({ id: "AuditEvent" });

/** The page's events are `data` on the wire, like every list the REST API answers. */
export const auditPageSchema = z
  .object({ data: z.array(auditEventSchema), ...wireSchema(auditEventPageDtoSchema).omit({ events: true }).shape })
  .meta({ id: "AuditEventPage" });

export const signingKeySchema = z
  .object({
    algorithm: z.literal("Ed25519"),
    keyId: z.string().meta({ description: "Named in every license file's signature.keyId." }),
    publicKeyPem: z.string().meta({ description: "SPKI public key in PEM: embed it in your installer to verify license files offline." }),
  })
  .meta({ id: "LicenseSigningKey" });

const testManifestSchema = testedManifestSchema.meta({ id: "TestedManifest", description: "What the test found at the image it was given." });
const registryRefs = new Map([[testedManifestSchema, testManifestSchema]]);

export const registryTestSchema = wireSchema(registryTestResultSchema, registryRefs).meta({ id: "RegistryTest" });

export const registrySchema = wireSchema(registryDtoSchema, registryRefs).meta({ id: "Registry" });

export const registryCacheSchema = wireSchema(cacheStatsDtoSchema).meta({ id: "RegistryCache" });

export const cachePurgedSchema = cachePurgeResultSchema.meta({ id: "CachePurged" });

export const deletedSchema = z.object({ id }).meta({ id: "Deleted" });

export const appDeletedSchema = wireSchema(appDeletedDtoSchema).meta({ id: "AppDeleted" });

export const appDeletionPreviewSchema = wireSchema(appDeletionPreviewDtoSchema, new Map([[appDtoSchema, appSchema]])).meta({ id: "AppDeletionPreview" });

export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });

export const appImageSchema = wireSchema(appImageDtoSchema).meta({ id: "AppImage" });

export const appImagesSchema = wireSchema(appImagesDtoSchema, new Map([[appImageDtoSchema, appImageSchema]])).meta({ id: "AppImages" });

export const appImageDetailsSchema = appImageDetailsDtoSchema.meta({ id: "AppImageDetails" });

export const appImageSuggestionSchema = wireSchema(appImageSuggestionDtoSchema).meta({ id: "AppImageSuggestion" });

export const appImagesSettingSchema = z.object({ id, onlyListedImages: z.boolean() }).meta({ id: "AppImagesSetting" });

export const registryAppsSchema = registryAppsDtoSchema.meta({ id: "RegistryApps" });
const pullAttemptSchema = wireSchema(pullAttemptDtoSchema).meta({ id: "PullAttempt" });

/** The page's attempts are `data` on the wire, like every list the REST API answers. */
export const pullActivityPageSchema = z
  .object({ data: z.array(pullAttemptSchema), ...wireSchema(pullActivityPageDtoSchema).omit({ attempts: true }).shape })
  .meta({ id: "PullActivityPage" });

export const customerAnalyticsSchema = wireSchema(customerAnalyticsDtoSchema).meta({ id: "CustomerAnalytics" });
