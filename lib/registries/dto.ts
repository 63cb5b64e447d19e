import { z } from "zod";
import { diagnosticStepSchema } from "@/lib/oci/diagnose";
import { registryProviderNames } from "@/lib/registries/providers";

/**
 * A team's external registry, and the connection tests run against it, as the operations return
 * them (and, with dates as strings, as the REST API answers them). Secrets are never part of them.
 */

export const testedManifestSchema = z.object({
  kind: z.enum(["index", "image"]),
  mediaType: z.string(),
  digest: z.string(),
  platforms: z.array(z.string()),
  repository: z.string(),
  reference: z.string(),
  layers: z.int().optional(),
  layerBytes: z.number().optional(),
  configMediaType: z.string().optional().meta({ description: "Single images: the config's media type (`application/vnd.cncf.helm.config.v1+json` for a Helm chart)." }),
});

/** A connection test as stored, shown and returned by the REST API: never a secret in it. */
export const registryTestResultSchema = z.object({
  ok: z.boolean(),
  /** One sentence for the table. */
  summary: z.string(),
  steps: z.array(diagnosticStepSchema),
  testedAt: z.date(),
  image: z.string().optional(),
  manifest: testedManifestSchema.optional(),
});

export type RegistryTestResult = z.infer<typeof registryTestResultSchema>;

export const registryDtoSchema = z.object({
  id: z.uuid(),
  provider: z.enum(registryProviderNames),
  name: z.string().nullable(),
  /** Normalised `scheme://host[:port]`. */
  endpoint: z.string().meta({ description: "Normalised scheme://host[:port]." }),
  /** `host[:port]` (with `http://` in front for plain HTTP): what the table shows and delete confirms. */
  host: z.string(),
  /** What the user typed. */
  endpointInput: z.string(),
  username: z.string().meta({ description: "Username, ECR access key ID or the GCR key's client_email. Secrets are never returned." }),
  createdAt: z.date(),
  createdByEmail: z.string().nullable(),
  credentialsUpdatedAt: z.date(),
  credentialsUpdatedBy: z.string().nullable(),
  credentialsVersion: z.int(),
  allowedRealmHosts: z.array(z.string()).meta({ description: "Token-service hosts, besides the registry's own, that may receive its credentials." }),
  lastTest: z
    .object({
      ok: z.boolean(),
      at: z.date(),
      summary: z.string(),
      steps: z.array(diagnosticStepSchema),
      image: z.string().optional(),
      manifest: testedManifestSchema.optional(),
    })
    .nullable(),
});

export type RegistryDto = z.infer<typeof registryDtoSchema>;
