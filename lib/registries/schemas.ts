import { z } from "zod";
import "@/lib/validations/zod-config";
import { inWords, registryProviderNames, registryProviders, type AnyProvider, type ProviderStrategy } from "./providers";

/**
 * Inputs of the registry operations, shared by the Images page's server actions and the vendor
 * REST API (docs/contracts.md, "Vendor REST API"). The provider-specific parts — the `provider`
 * values and each one's credential fields — come from the provider list (./providers).
 * The endpoint is only checked for shape here: normalising it needs the operator's policy
 * (DOCKER_HUB_REGISTRY, ALLOW_PRIVATE_REGISTRY_HOSTS), which the operations apply.
 * Messages never quote a secret.
 */

/** Optional strings from forms arrive as "": treat them as absent. */
const blankAsUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** Checkboxes arrive as "on"; JSON clients send booleans. */
const booleanish = z.preprocess(
  (v) => (typeof v === "string" ? ["on", "true", "1", "yes"].includes(v.trim().toLowerCase()) : v ?? false),
  z.boolean(),
);

const endpointSchema = z
  .string("Enter the registry's endpoint, e.g. ghcr.io or harbor.example.com:8443.")
  .trim()
  .min(1, "Enter the registry's endpoint, e.g. ghcr.io or harbor.example.com:8443.")
  .max(255, "The endpoint is longer than 255 characters.")
  .regex(/^\S+$/, "The endpoint must not contain spaces.");

/**
 * A registry's name: an alias in proxy paths (`PROXY_HOST/proxy/<app>/<name>/<repository>`), so it
 * must be one path component the proxy can't mistake for a host (no "." or ":") and that doesn't
 * shadow Docker Hub's `library/` namespace.
 */
const REGISTRY_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const RESERVED_REGISTRY_NAMES: readonly string[] = ["library", "localhost", "proxy", "v2", "docker", "registry"];

export const registryNameSchema = z
  .string()
  .trim()
  .min(2, "Use at least 2 characters.")
  .max(40, "Use at most 40 characters.")
  .regex(REGISTRY_NAME_PATTERN, "Use lowercase letters, digits and single dashes (it becomes part of image paths).")
  .refine((n) => !RESERVED_REGISTRY_NAMES.includes(n), { message: "That name is reserved; choose another." });

/** Optional name: "" or absent means none. */
const optionalRegistryNameSchema = z.preprocess(blankAsUndefined, registryNameSchema.optional());

/** An image to test: `repo[:tag]`, `repo@digest`, optionally with the registry host in front. Parsed by the test. */
const testImageSchema = z.preprocess(
  blankAsUndefined,
  z
    .string()
    .trim()
    .max(512, "The image reference is longer than 512 characters.")
    .regex(/^\S+$/, "The image reference must not contain spaces.")
    .optional(),
);

/**
 * Token-service hosts, besides the registry's own, that may receive its credentials (a registry
 * whose Bearer challenge names a realm on another host: lib/oci/realm.ts). Hostnames, as a JSON
 * array or, from the form, separated by commas, spaces or new lines.
 */
const HOSTNAME_PATTERN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const allowedRealmHostsSchema = z.preprocess(
  (v) => (typeof v === "string" ? v.split(/[\s,]+/).filter(Boolean) : v),
  z
    .array(
      z
        .string("List host names, e.g. auth.example.com.")
        .trim()
        .toLowerCase()
        .regex(HOSTNAME_PATTERN, "List host names only (no scheme, port or path), e.g. auth.example.com."),
      "List host names, e.g. auth.example.com.",
    )
    .max(10, "Allow at most 10 token hosts.")
    .transform((hosts) => [...new Set(hosts)]),
);

type Providers = typeof registryProviders;

/** A union branch: the provider, the fields around its credentials, and its credential fields. */
type Branch<P, Before extends z.ZodRawShape, After extends z.ZodRawShape> =
  P extends ProviderStrategy<infer Id, infer Shape> ? z.ZodObject<{ provider: z.ZodLiteral<Id> } & Before & Shape & After, z.core.$strip> : never;
type BranchesOf<T extends readonly AnyProvider[], Before extends z.ZodRawShape, After extends z.ZodRawShape> = { -readonly [K in keyof T]: Branch<T[K], Before, After> };
type Branches<Before extends z.ZodRawShape, After extends z.ZodRawShape> = BranchesOf<Providers, Before, After> & readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]];

const providerError = { error: `Choose a registry type: ${inWords(registryProviderNames.map((n) => `"${n}"`))}.` };

/** One branch per provider, told apart by `provider`: `{provider, ...before, ...its credential fields, ...after}`. */
function byProvider<Before extends z.ZodRawShape, After extends z.ZodRawShape>(before: Before, after: After) {
  const branches = registryProviders.map((p) => z.object({ provider: z.literal(p.id), ...before, ...p.credentials.shape, ...after }));
  return z.discriminatedUnion("provider", branches as unknown as Branches<Before, After>, providerError);
}

const common = { endpoint: endpointSchema, name: optionalRegistryNameSchema, allowedRealmHosts: allowedRealmHostsSchema.optional() };

/** `test`: run the connection test first and save only when it passes; `image` to test with. */
const testOptions = { test: booleanish.default(false), image: testImageSchema };

/** A registry as added: the REST body of `POST /api/v1/registries` and the add dialog's form. */
export const createRegistrySchema = byProvider(common, testOptions);

/** The connection test in the add dialog, before anything is saved. */
export const testDraftRegistrySchema = byProvider({ endpoint: endpointSchema, allowedRealmHosts: allowedRealmHostsSchema.optional() }, { image: testImageSchema });

const registryId = z.uuid("Unknown registry.");

/** `POST /api/v1/registries/{id}/test`. */
export const testRegistrySchema = z.object({ id: registryId, image: testImageSchema });

/** `GET /api/v1/registries/{id}`. */
export const getRegistrySchema = z.object({ id: registryId });

type FieldNamesOf<T extends readonly AnyProvider[]> = { [K in keyof T]: T[K] extends ProviderStrategy<string, infer Shape> ? keyof Shape & string : never }[number];
type CredentialFieldName = FieldNamesOf<Providers>;

/** Every provider's credential fields, each optional: rotation takes the fields of the registry's own provider. */
const anyCredentialFields = Object.fromEntries(
  registryProviders.flatMap((p) => Object.keys(p.credentials.shape)).map((name) => [name, z.string().optional()]),
) as Record<CredentialFieldName, z.ZodOptional<z.ZodString>>;

/**
 * `POST /api/v1/registries/{id}/credentials`: the new credentials of the registry's provider
 * (checked against the provider's credential schema by the operation), tested before they replace
 * the old ones; `force` replaces them even when the test fails.
 */
export const rotateRegistrySchema = z.object({
  id: registryId,
  force: booleanish.default(false),
  image: testImageSchema,
  ...anyCredentialFields,
});

/**
 * `PATCH /api/v1/registries/{id}`: the name (alias; "" or null removes it) and/or the allowed
 * token hosts (the whole list; [] removes them). What is absent stays as it is.
 */
export const updateRegistrySchema = z
  .object({
    id: registryId,
    name: z
      .preprocess((v) => (v === null ? "" : v), z.string('Give a name, or "" to remove it.').trim())
      .transform((v) => (v === "" ? null : v))
      .pipe(registryNameSchema.nullable())
      .optional(),
    allowedRealmHosts: allowedRealmHostsSchema.optional(),
  })
  .refine((v) => v.name !== undefined || v.allowedRealmHosts !== undefined, { message: "Give a name or allowedRealmHosts to change.", path: ["name"] });

/** Deleting is confirmed by typing the registry's endpoint (its host, as shown). */
export const deleteRegistrySchema = z.object({
  id: registryId,
  confirmEndpoint: z.string("Type the endpoint to confirm.").trim().min(1, "Type the endpoint to confirm."),
});
