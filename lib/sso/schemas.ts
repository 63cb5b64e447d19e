import { z } from "zod";
import "@/lib/validations/zod-config";
import { roleSchema } from "@/lib/teams/schemas";

/**
 * Inputs of the single sign-on operations, shared by the Settings page's server actions, the
 * REST API (`/api/v1/sso…`) and the OpenAPI document. Messages never quote the client secret.
 */

const blankAsUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** Checkboxes arrive as "on"; JSON clients send booleans. */
const booleanish = z.preprocess(
  (v) => (typeof v === "string" ? ["on", "true", "1", "yes"].includes(v.trim().toLowerCase()) : v ?? false),
  z.boolean(),
);

export const issuerSchema = z
  .string("Enter the issuer URL, e.g. https://acme.okta.com.")
  .trim()
  .min(1, "Enter the issuer URL, e.g. https://acme.okta.com.")
  .max(500, "The issuer URL is longer than 500 characters.")
  .regex(/^https?:\/\/\S+$/i, "The issuer is a URL starting with https://, e.g. https://acme.okta.com.")
  .refine((v) => URL.canParse(v), "That is not a valid URL.")
  // zod runs every check even after one failed: these read the URL only when it parses.
  .refine((v) => !URL.canParse(v) || (!new URL(v).username && !new URL(v).password), "The issuer URL must not contain a user name or password.")
  .refine((v) => !URL.canParse(v) || (!new URL(v).search && !new URL(v).hash), "The issuer URL has no query string or fragment.")
  .meta({ description: "The OpenID Provider's issuer: `<issuer>/.well-known/openid-configuration` is its discovery document." });

const clientIdSchema = z
  .string("Enter the client ID your identity provider shows for the Portcullis app.")
  .trim()
  .min(1, "Enter the client ID your identity provider shows for the Portcullis app.")
  .max(500, "The client ID is longer than 500 characters.");

/** Write-only. Absent keeps the stored secret. */
const clientSecretSchema = z.preprocess(
  blankAsUndefined,
  z
    .string()
    .max(2000, "The client secret is longer than 2000 characters.")
    .optional()
    .meta({ description: "Write-only: never returned. Omit it to keep the stored secret.", writeOnly: true }),
);

const groupsClaimSchema = z.preprocess(
  (v) => (v === "" ? null : v),
  z
    .string()
    .trim()
    .max(100, "The claim name is longer than 100 characters.")
    .regex(/^[A-Za-z0-9_:./-]+$/, "A claim name has letters, digits and _ : . / - only, e.g. groups.")
    .nullable()
    .optional()
    .meta({ description: "The ID token claim that lists the user's groups (e.g. `groups`); null: groups are not read." }),
);

/** IdP group → role. The form sends it as JSON text. */
export const groupRolesSchema = z.preprocess(
  (v) => {
    if (typeof v !== "string") return v;
    try {
      return v.trim() === "" ? {} : JSON.parse(v);
    } catch {
      return v;
    }
  },
  z
    .record(
      z.string().trim().min(1, "A group name can't be empty.").max(200, "A group name is longer than 200 characters."),
      roleSchema,
      "Map each group to a role: {\"group\": \"admin\"}.",
    )
    .refine((m) => Object.keys(m).length <= 50, "Map at most 50 groups."),
);

const ssoConnectionShape = {
  issuer: issuerSchema,
  clientId: clientIdSchema,
  clientSecret: clientSecretSchema,
};

/** PUT /sso: the whole configuration. The connection test runs first; nothing is saved unless it passes. */
export const saveSsoSchema = z.object({
  ...ssoConnectionShape,
  enforce: booleanish.optional().default(false).meta({ description: "Members of the team must sign in with SSO (admins keep a password path)." }),
  defaultRole: roleSchema.default("read_only").meta({ description: "The role of people who join through SSO when no group maps to one." }),
  groupsClaim: groupsClaimSchema,
  groupRoles: groupRolesSchema.default({}).meta({ description: "IdP group → role; the highest role among the user's groups wins, at every sign-in." }),
});
export type SaveSsoInput = z.output<typeof saveSsoSchema>;

/** POST /sso/test: a draft connection, tested, nothing saved. */
export const testSsoSchema = z.object(ssoConnectionShape);
export type TestSsoInput = z.output<typeof testSsoSchema>;

/** A domain name: lowercase labels, at least two of them, no trailing dot. */
export const domainNameSchema = z
  .string("Enter a domain, e.g. example.com.")
  .trim()
  .toLowerCase()
  .transform((v) => v.replace(/\.$/, "").replace(/^@/, ""))
  .pipe(
    z
      .string()
      .min(1, "Enter a domain, e.g. example.com.")
      .max(253, "The domain is longer than 253 characters.")
      .regex(
        /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/,
        "Enter a domain like example.com (no scheme, no @, no path).",
      ),
  );

export const addDomainSchema = z.object({ domain: domainNameSchema });
export const verifyDomainSchema = z.object({ id: z.uuid("Unknown domain.") });
export const removeDomainSchema = z.object({ id: z.uuid("Unknown domain.") });
