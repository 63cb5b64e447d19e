import { z } from "zod";
import "@/lib/validations/zod-config";

/** An image reference as the vendor types it: an upstream image of a team registry, or `REGISTRY_HOST/<slug>/<image>[:tag]`. */
const referenceSchema = z
  .string()
  .trim()
  .min(1, "Enter an image, e.g. quay.io/acme/api:1.4.")
  .max(512, "Use at most 512 characters.")
  .meta({ description: "`quay.io/acme/api:1.4`, `<registry name>/<repository>[:tag]`, or a repository of the hosted registry: `REGISTRY_HOST/<app slug>/<image>[:tag]`." });

const appId = z.uuid("Unknown app.");

export const appImagesRefSchema = z.object({ id: appId });
export const addAppImageSchema = z.object({ id: appId, reference: referenceSchema });
export const removeAppImageSchema = z.object({ id: appId, imageId: z.uuid("Unknown image.") });
export const appImageDetailsSchema = removeAppImageSchema;
export const setOnlyListedImagesSchema = z.object({
  id: appId,
  onlyListedImages: z.boolean().meta({ description: "When the app lists images, its licenses pull only those repositories." }),
});
