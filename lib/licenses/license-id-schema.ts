import { z } from "zod";
import { LICENSE_ID_PATTERN } from "./license-login";

/**
 * The license ID's syntax (./license-login.ts) as a zod schema, for request bodies. A file of its
 * own so that license-login.ts stays free of zod: the registry proxy bundles it.
 */
export const licenseIdSchema = z.string().regex(LICENSE_ID_PATTERN, "is not a license ID (20 to 64 letters, digits, - and _)");
