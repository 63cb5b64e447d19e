import { z } from "zod";
import "@/lib/validations/zod-config";
import { CACHE_REPOSITORY_PREFIX } from "@/lib/cache/naming";
import { slugify } from "@/lib/apps/slug";

const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const appNameSchema = z.string().trim().min(1, "Enter a name.").max(80, "Use at most 80 characters.");

const slugSchema = z
  .string()
  .trim()
  .min(2, "Use at least 2 characters.")
  .max(48, "Use at most 48 characters.")
  .regex(SLUG_PATTERN, "Use lowercase letters, digits and single dashes, starting and ending with a letter or digit.")
  // The hosted registry keeps the proxy cache's copies under this name (lib/cache/naming.ts).
  .refine((s) => s !== CACHE_REPOSITORY_PREFIX, { message: `The slug "${CACHE_REPOSITORY_PREFIX}" is reserved for the registry proxy's cache; choose another.` });

export const createAppSchema = z
  .object({ name: appNameSchema, slug: z.string().trim().optional() })
  .transform((v) => ({ name: v.name, slug: v.slug && v.slug.length > 0 ? v.slug : slugify(v.name) }))
  .pipe(z.object({ name: appNameSchema, slug: slugSchema }));

/**
 * Renaming changes the display name only. A slug is never changed (it is in every image path,
 * proxy path and pull log entry): `slug` is accepted only when it is the app's current one, so a
 * script may send back what it read.
 */
export const renameAppSchema = z.object({
  id: z.uuid("Unknown app."),
  name: appNameSchema,
  slug: z.string().trim().optional().meta({ description: "Optional; must equal the current slug (slugs can't be changed)." }),
});
export const appRefSchema = z.object({ id: z.uuid("Unknown app.") });
export const deleteAppSchema = z.object({
  id: z.uuid("Unknown app."),
  confirmSlug: z.string().trim().max(100).meta({ description: "The app's slug, typed to confirm." }),
});
