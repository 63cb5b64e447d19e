import { z } from "zod";

/** Where customers pull an image from: through the proxy, or from the hosted registry directly. */
export const pullFromSchema = z.enum(["proxy", "hosted-registry"]);

/** One image of an app, with the reference a customer pulls. */
export const appImageDtoSchema = z.object({
  id: z.uuid(),
  source: z.enum(["upstream", "hosted"]).meta({ description: "`upstream`: a registry of the team, pulled through the proxy; `hosted`: the hosted registry." }),
  /** The image as the vendor's manifests name it: `host/repository:reference`. */
  image: z.string(),
  registryHost: z.string().meta({ description: "host[:port] of the registry the image is on." }),
  repository: z.string(),
  reference: z.string().meta({ description: "Tag or digest." }),
  pullFrom: pullFromSchema,
  pullReference: z.string().nullable().meta({ description: "What a customer pulls with their license; null with `problem` when no reference reaches it." }),
  problem: z.string().nullable().meta({ description: "Why customers can't pull it as listed (no team registry serves its host, a host with a port and no registry name)." }),
  helmChart: z.boolean().meta({ description: "A Helm chart stored as an OCI artifact, as last read from the registry (reading its details refreshes it)." }),
  createdAt: z.date(),
});
export type AppImageDto = z.infer<typeof appImageDtoSchema>;

export const appImagesDtoSchema = z.object({
  app: z.object({ id: z.uuid(), slug: z.string(), onlyListedImages: z.boolean() }),
  images: z.array(appImageDtoSchema),
});
export type AppImagesDto = z.infer<typeof appImagesDtoSchema>;

/** What the registry says of an image's tag right now, read with the connection test's code. */
export const appImageDetailsDtoSchema = z.object({
  id: z.uuid(),
  ok: z.boolean(),
  digest: z.string().nullable(),
  kind: z.enum(["index", "image"]).nullable(),
  platforms: z.array(z.string()),
  compressedBytes: z.number().nullable().meta({ description: "Sum of the layers' sizes (single-platform images; null for an index)." }),
  helmChart: z.boolean().meta({ description: "Its config media type is a Helm chart's (`application/vnd.cncf.helm.config.v1+json`)." }),
  problem: z.string().nullable().meta({ description: "Which step failed and why, when `ok` is false." }),
});
export type AppImageDetailsDto = z.infer<typeof appImageDetailsDtoSchema>;

/** An image seen in the hosted registry's pushes or the proxy's pulls of this app, not listed yet. */
export const appImageSuggestionDtoSchema = z.object({
  reference: z.string().meta({ description: "Send it as `reference` to add it." }),
  seenIn: z.enum(["push", "pull"]),
  lastSeenAt: z.date(),
});
export type AppImageSuggestionDto = z.infer<typeof appImageSuggestionDtoSchema>;
