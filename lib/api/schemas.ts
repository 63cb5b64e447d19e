import { z } from "zod";
import { registryProviderNames } from "@/lib/registries/providers";
import { diagnosticStepSchema } from "@/lib/oci/diagnose";
import { errorCodes } from "@/lib/errors";
import { appDtoSchema } from "@/lib/apps/dto";
import { licenseDtoSchema, licenseWithIdDtoSchema } from "@/lib/licenses/dto";
import { customerDtoSchema } from "@/lib/customers/dto";
import { dateTime, wireSchema } from "@/lib/api/wire";

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

const auditEventSchema = z
  .object({
    id,
    action: z.string().meta({ example: "license.revoke" }),
    actorEmail: z.string().nullable(),
    targetType: z.string().nullable(),
    targetLabel: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    ip: z.string().nullable(),
    createdAt: dateTime,
  })
  .meta({ id: "AuditEvent" });

export const auditPageSchema = z
  .object({
    data: z.array(auditEventSchema),
    total: z.int(),
    page: z.int(),
    pageSize: z.int(),
    pages: z.int(),
  })
  .meta({ id: "AuditEventPage" });

export const signingKeySchema = z
  .object({
    algorithm: z.literal("Ed25519"),
    keyId: z.string().meta({ description: "Named in every license file's signature.keyId." }),
    publicKeyPem: z.string().meta({ description: "SPKI public key in PEM: embed it in your installer to verify license files offline." }),
  })
  .meta({ id: "LicenseSigningKey" });

const testStepSchema = diagnosticStepSchema;

const testManifestSchema = z
  .object({
    kind: z.enum(["index", "image"]),
    mediaType: z.string(),
    digest: z.string(),
    platforms: z.array(z.string()),
    repository: z.string(),
    reference: z.string(),
    layers: z.int().optional(),
    layerBytes: z.number().optional(),
  })
  .meta({ id: "TestedManifest", description: "What the test found at the image it was given." });

export const registryTestSchema = z
  .object({
    ok: z.boolean(),
    summary: z.string(),
    steps: z.array(testStepSchema),
    testedAt: dateTime,
    image: z.string().optional(),
    manifest: testManifestSchema.optional(),
  })
  .meta({ id: "RegistryTest" });

export const registrySchema = z
  .object({
    id,
    provider: z.enum(registryProviderNames),
    name: z.string().nullable(),
    endpoint: z.string().meta({ description: "Normalised scheme://host[:port]." }),
    host: z.string(),
    endpointInput: z.string(),
    username: z.string().meta({ description: "Username, ECR access key ID or the GCR key's client_email. Secrets are never returned." }),
    createdAt: dateTime,
    createdByEmail: z.string().nullable(),
    credentialsUpdatedAt: dateTime,
    credentialsUpdatedBy: z.string().nullable(),
    credentialsVersion: z.int(),
    allowedRealmHosts: z.array(z.string()).meta({ description: "Token-service hosts, besides the registry's own, that may receive its credentials." }),
    lastTest: z
      .object({ ok: z.boolean(), at: dateTime, summary: z.string(), steps: z.array(testStepSchema), image: z.string().optional(), manifest: testManifestSchema.optional() })
      .nullable(),
  })
  .meta({ id: "Registry" });

export const deletedSchema = z.object({ id }).meta({ id: "Deleted" });

const hostedCounts = z.object({
  repositories: z.int().meta({ description: "Repositories under `<slug>/` that had tags." }),
  tags: z.int(),
  manifests: z.int().meta({ description: "Manifests deleted (tags pointing at one manifest share it)." }),
});

export const appDeletedSchema = z
  .object({
    id,
    slug: z.string().meta({ description: "Stays reserved: no app of any team can take it again." }),
    deletedAt: dateTime,
    revokedLicenses: z.int().meta({ description: "Licenses revoked by the deletion (kept, each with a license.revoke audit event)." }),
    hostedImages: hostedCounts.meta({ description: "What was deleted from the hosted registry (zeros when none is configured)." }),
  })
  .meta({ id: "AppDeleted" });

export const appDeletionPreviewSchema = z
  .object({
    app: appSchema,
    licenses: z.object({ active: z.int().meta({ description: "Revoked by the deletion." }), total: z.int().meta({ description: "Kept, revoked, in the customers' history." }) }),
    hostedRegistry: z.union([
      z.object({ configured: z.literal(false) }),
      z.object({ configured: z.literal(true), reachable: z.literal(true), repositories: z.array(z.object({ name: z.string(), tags: z.int() })), tags: z.int() }),
      z.object({ configured: z.literal(true), reachable: z.literal(false), error: z.string().meta({ description: "Why: deletion is refused until the registry answers." }) }),
    ]),
  })
  .meta({ id: "AppDeletionPreview" });

export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
