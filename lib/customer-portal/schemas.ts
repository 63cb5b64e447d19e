import { z } from "zod";
import "@/lib/validations/zod-config";
import { looksLikeLicenseId } from "@/lib/licenses/license-login";

/** A new portal link: the license (path) and how long the link stays valid. */
export const createPortalLinkSchema = z.object({
  id: z.uuid("Unknown license."),
  expiresInDays: z.coerce
    .number("Give a number of days.")
    .int("Give a whole number of days.")
    .min(1, "At least 1 day.")
    .max(30, "At most 30 days.")
    .default(7)
    .meta({ description: "Days until the link expires (1 to 30, default 7).", example: 7 }),
});

export const portalLinkDtoSchema = z.object({
  url: z.string().meta({ description: "The link to send the customer. It works once." }),
  expiresAt: z.date(),
});

/** The customer portal's sign-in form. */
export const licenseSignInSchema = z.object({
  licenseId: z
    .string("Enter your license ID.")
    .trim()
    .min(1, "Enter your license ID.")
    .refine(looksLikeLicenseId, "That is not a license ID: it has 20 to 64 letters, digits, - and _."),
});

/** A portal link's token, as it comes from the URL. */
export const portalTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, "This link is not valid.");
