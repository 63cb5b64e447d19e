import { z } from "zod";
import "./zod-config";
import { parseServiceAccountKey } from "@/lib/oci/credentials";
import { AppError } from "@/lib/errors";

/**
 * Inputs of the registry operations, shared by the Images page's server actions and the vendor
 * REST API (docs/contracts.md, "Vendor REST API": `{provider:"other", endpoint, name?, username,
 * password}`, ECR `{provider:"ecr", endpoint, accessKeyId, secretAccessKey}`, GCR
 * `{provider:"gcr", endpoint, jsonKey}`).
 * The endpoint is only checked for shape here: normalising it needs the operator's policy
 * (DOCKER_HUB_REGISTRY, ALLOW_PRIVATE_REGISTRY_HOSTS), which the operations apply.
 * Messages never quote a secret.
 */

export const registryProviders = ["other", "ecr", "gcr"] as const;
export type RegistryProviderName = (typeof registryProviders)[number];

/** What the username column holds for each provider. */
export const usernameLabels: Record<RegistryProviderName, string> = {
  other: "Username",
  ecr: "Access key ID",
  gcr: "Service account",
};

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

const required = (message: string) => z.string(message).min(1, message);

/** Passwords and tokens are taken as typed, except a trailing newline from a paste. */
const secretText = (message: string, max: number) =>
  z
    .string(message)
    .transform((s) => s.replace(/[\r\n]+$/, ""))
    .pipe(z.string().min(1, message).max(max, `At most ${max} characters.`));

const otherCredentialsSchema = z.object({
  username: required("Enter the username.").trim().pipe(z.string().min(1, "Enter the username.").max(255, "At most 255 characters.")),
  password: secretText("Enter the password or access token.", 8192),
});

const ecrCredentialsSchema = z.object({
  accessKeyId: required("Enter the access key ID.")
    .trim()
    .pipe(z.string().regex(/^[A-Z0-9]{16,128}$/, "An access key ID is 16 or more uppercase letters and digits, like AKIAIOSFODNN7EXAMPLE.")),
  secretAccessKey: secretText("Enter the secret access key.", 256)
    .transform((s) => s.trim())
    .pipe(z.string().min(1, "Enter the secret access key.").regex(/^\S+$/, "A secret access key has no spaces.")),
});

const gcrCredentialsSchema = z.object({
  jsonKey: z
    .string("Paste the JSON key or upload its file.")
    .trim()
    .min(1, "Paste the JSON key or upload its file.")
    .max(64 * 1024, "The JSON key is larger than 64 KiB: is it the right file?")
    .superRefine((key, ctx) => {
      try {
        parseServiceAccountKey(key);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: e instanceof AppError ? e.message : "The JSON key is not a service-account key." });
      }
    }),
});

/** The credentials each provider takes, by provider (rotation validates against the registry's own). */
export const credentialsSchemas = {
  other: otherCredentialsSchema,
  ecr: ecrCredentialsSchema,
  gcr: gcrCredentialsSchema,
} as const;

const common = { endpoint: endpointSchema, name: optionalRegistryNameSchema, allowedRealmHosts: allowedRealmHostsSchema.optional() };

const providerError = { error: 'Choose a registry type: "other", "ecr" or "gcr".' };

/** `test`: run the connection test first and save only when it passes; `image` to test with. */
const testOptions = { test: booleanish.default(false), image: testImageSchema };

/** A registry as added: the REST body of `POST /api/v1/registries` and the add dialog's form. */
export const createRegistrySchema = z.discriminatedUnion(
  "provider",
  [
    z.object({ provider: z.literal("other"), ...common, ...otherCredentialsSchema.shape, ...testOptions }),
    z.object({ provider: z.literal("ecr"), ...common, ...ecrCredentialsSchema.shape, ...testOptions }),
    z.object({ provider: z.literal("gcr"), ...common, ...gcrCredentialsSchema.shape, ...testOptions }),
  ],
  providerError,
);

/** The connection test in the add dialog, before anything is saved. */
export const testDraftRegistrySchema = z.discriminatedUnion(
  "provider",
  [
    z.object({ provider: z.literal("other"), endpoint: endpointSchema, allowedRealmHosts: allowedRealmHostsSchema.optional(), ...otherCredentialsSchema.shape, image: testImageSchema }),
    z.object({ provider: z.literal("ecr"), endpoint: endpointSchema, allowedRealmHosts: allowedRealmHostsSchema.optional(), ...ecrCredentialsSchema.shape, image: testImageSchema }),
    z.object({ provider: z.literal("gcr"), endpoint: endpointSchema, allowedRealmHosts: allowedRealmHostsSchema.optional(), ...gcrCredentialsSchema.shape, image: testImageSchema }),
  ],
  providerError,
);

const registryId = z.uuid("Unknown registry.");

/** `POST /api/v1/registries/{id}/test`. */
export const testRegistrySchema = z.object({ id: registryId, image: testImageSchema });

/**
 * `POST /api/v1/registries/{id}/credentials`: the new credentials of the registry's provider
 * (checked against `credentialsSchemas[provider]` by the operation), tested before they replace
 * the old ones; `force` replaces them even when the test fails.
 */
export const rotateRegistrySchema = z.object({
  id: registryId,
  force: booleanish.default(false),
  image: testImageSchema,
  username: z.string().optional(),
  password: z.string().optional(),
  accessKeyId: z.string().optional(),
  secretAccessKey: z.string().optional(),
  jsonKey: z.string().optional(),
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
