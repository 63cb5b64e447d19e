import { z } from "zod";
import { allowPrivateHosts as allowPrivateHostsOf, ConfigError, parseInsecureRegistries, withModeDefaults } from "./env-fields";

export { ConfigError, withModeDefaults };

/**
 * Every environment variable of the configuration (docs/contracts.md, "Configuration"), validated
 * once. Empty strings count as unset, so `FOO=` in a shell behaves like no FOO at all. Secrets are required only in production; in
 * development they are generated once into the data directory (see lib/config/data-dir.ts).
 */
const emptyAsUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const str = () => z.preprocess(emptyAsUndefined, z.string().optional());
const port = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(fallback));
const url = () => z.preprocess(emptyAsUndefined, z.url().optional());
const bool = (fallback: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(["true", "false", "1", "0"])
      .default(fallback ? "true" : "false")
      .transform((v) => v === "true" || v === "1"),
  );
/** A boolean that may be unset (undefined), for a variable whose default is another variable. */
const optionalBool = () =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(["true", "false", "1", "0"])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === "true" || v === "1")),
  );

export const envSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(["development", "production", "test"]).default("development")),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
      .optional(),
  ),
  PORTCULLIS_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default("./.data")),
  /** Production uses DATABASE_URL; the embedded PGlite database only with this explicit opt-in. */
  PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION: bool(false),
  AUTH_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, "must be at least 32 characters").optional()),
  /** Keys of the license ID and API token hashes, `id:secret,…` (lib/auth/hash-keys.ts); development generates one. */
  TOKEN_HASH_KEYS: str(),
  TOKEN_HASH_ACTIVE_KEY: str(),
  KMS_PROVIDER: z.preprocess(
    emptyAsUndefined,
    z.enum(["local", "aws-kms", "gcp-kms", "vault-transit"]).default("local"),
  ),
  LOCAL_KMS_KEYS: str(),
  LOCAL_KMS_KEY_FILE: str(),
  LOCAL_KMS_ACTIVE_KEY: str(),
  AWS_KMS_KEY_ID: str(),
  GCP_KMS_KEY_NAME: str(),
  VAULT_ADDR: url(),
  VAULT_TOKEN: str(),
  VAULT_TRANSIT_KEY: str(),
  PORTAL_URL: url(),
  /** Instance-wide sign-in with GitHub / Google (lib/auth/next-auth/oauth.ts): on only when both of a pair are set. */
  GITHUB_CLIENT_ID: str(),
  GITHUB_CLIENT_SECRET: str(),
  GOOGLE_CLIENT_ID: str(),
  GOOGLE_CLIENT_SECRET: str(),
  PROXY_URL: url(),
  REGISTRY_URL: url(),
  /** Where the portal reaches the hosted registry's API (deleting an app's images); default REGISTRY_URL. */
  REGISTRY_INTERNAL_URL: url(),
  /** The proxy cache's store (docs/proxy-cache.md): a Distribution trusting the registry signing key; default the hosted registry (REGISTRY_INTERNAL_URL, else REGISTRY_URL). */
  CACHE_REGISTRY_URL: url(),
  PROXY_SERVICE_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(24, "must be at least 24 characters").optional()),
  /** PEM P-256 private key that signs the hosted registry's tokens (lib/registry-auth); development generates one. */
  REGISTRY_TOKEN_KEY_FILE: str(),
  /** Bearer secret Distribution's notifications present to the portal; required in production. */
  REGISTRY_EVENTS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(24, "must be at least 24 characters").optional()),
  DOCKER_HUB_REGISTRY: z.preprocess(emptyAsUndefined, z.string().trim().default("registry-1.docker.io")),
  /**
   * Outbound connections (registry endpoints, token realms, identity providers and every URL their
   * discovery documents name) may reach loopback/private addresses, and registries plain http://.
   * Unset: ALLOW_PRIVATE_REGISTRY_HOSTS, its older name, which keeps working. Read it through
   * `allowPrivateHosts()`.
   */
  ALLOW_PRIVATE_HOSTS: optionalBool(),
  /** The older name of ALLOW_PRIVATE_HOSTS, used when that is unset. */
  ALLOW_PRIVATE_REGISTRY_HOSTS: bool(false),
  /** The DNS server (`host:port`, IPv6 as `[addr]:port`) the portal asks for domain verification TXT records; unset: the system's resolvers. */
  DNS_RESOLVER: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .regex(/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i, "must be host:port (IPv6 as [address]:port)")
      .optional(),
  ),
  /**
   * The insecure-registries list: `host[:port]` entries, comma-separated, that may be reached
   * over plain http:// (as Docker's `insecure-registries`). It does not allow private addresses;
   * that is ALLOW_PRIVATE_HOSTS alone.
   */
  INSECURE_REGISTRIES: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default("")
      .transform((v, ctx) => {
        const parsed = parseInsecureRegistries(v);
        if (Array.isArray(parsed)) return parsed;
        ctx.addIssue({ code: "custom", message: parsed.error });
        return z.NEVER;
      }),
  ),
  /** Reverse proxies in front of the portal that append to X-Forwarded-For (scripts/portal-server.ts). */
  PORTAL_TRUSTED_HOPS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(10).default(0)),
  /** The portal's front server (scripts/portal-server.ts): sockets at once, per client address (0 = no limit, the default behind trusted proxies), and how long a request's headers may take. */
  PORTAL_MAX_CONNECTIONS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_000_000).default(1024)),
  PORTAL_MAX_CONNECTIONS_PER_ADDRESS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(1_000_000).optional()),
  PORTAL_HEADERS_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1_000).max(120_000).default(15_000)),
  /**
   * On SIGTERM/SIGINT the front server answers /readyz with 503 and keeps accepting connections
   * this long (a load balancer's time to take it out), then stops accepting and drains. 0 in
   * development (withModeDefaults): nothing balances `npm run dev`.
   */
  PORTAL_DRAIN_DELAY_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(600_000).default(5_000)),
  /** How long the internal lookup API keeps an answer in memory (lib/internal/lookup-cache.ts); changes through the portal drop it at once; 0 = no cache. */
  PORTAL_LOOKUP_CACHE_TTL_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(300_000).default(5_000)),
  /** Listen address of the portal and proxy; the default depends on how they start (127.0.0.1 in development, 0.0.0.0 for `npm start`). */
  BIND_ADDRESS: str(),
  /** Where `npm start` finds Next's production build (default `.next`). */
  PORTCULLIS_NEXT_DIST_DIR: str(),
  /** Amazon ECR: the region of the ECR API (AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1) and an endpoint override (tests, FIPS, VPC endpoints). */
  AWS_REGION: str(),
  AWS_DEFAULT_REGION: str(),
  AWS_ENDPOINT_URL_ECR: str(),
  /** Google Cloud KMS: a fixed access token (`gcloud auth print-access-token`), else the metadata server at GCE_METADATA_HOST. */
  GOOGLE_OAUTH_ACCESS_TOKEN: str(),
  GCE_METADATA_HOST: str(),
  /** Diagnostics of the embedded database's socket and of the migration engine's timers. */
  DEBUG_PG_SOCKET: str(),
  DEBUG_SCHEMA_ENGINE_TIMERS: str(),
  PORT: port(3000),
  PROXY_PORT: port(5050),
  REGISTRY_PORT: port(5000),
});

export type Env = z.infer<typeof envSchema>;

/** Parses an environment; throws ConfigError with a one-line message naming the variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(withModeDefaults(source));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0])} ${issue.message}`);
  }
  const env = result.data;
  if (env.NODE_ENV === "production") {
    if (!env.AUTH_SECRET) {
      throw new ConfigError("Invalid configuration: AUTH_SECRET is required when NODE_ENV=production");
    }
  }
  return env;
}

/**
 * The embedded database is one process's PGlite: no replicas, no backups, no concurrent writers
 * beyond one host. Production refuses it unless the operator opted in.
 */
export function assertEmbeddedDatabaseAllowed(env: Pick<Env, "NODE_ENV" | "DATABASE_URL" | "PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION">): void {
  if (env.NODE_ENV === "production" && !env.DATABASE_URL && !env.PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION) {
    throw new ConfigError(
      "Invalid configuration: DATABASE_URL is required when NODE_ENV=production (or set PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION=true to use the embedded database)",
    );
  }
}

let cached: Env | undefined;
/** The validated environment of this process (parsed on first use). */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvCache() {
  cached = undefined;
}

/**
 * One variable alone, validated by its schema, for code that must not depend on the rest of the
 * configuration (the CLI's offline commands, diagnostics): throws ConfigError naming it.
 */
export function envValue<K extends keyof Env>(name: K, source: Record<string, string | undefined> = process.env): Env[K] {
  const result = envSchema.shape[name].safeParse(source[name]);
  if (!result.success) throw new ConfigError(`Invalid configuration: ${name} ${result.error.issues[0]!.message}`);
  return result.data as Env[K];
}

/** NODE_ENV alone, never throwing: for the logger, which must work while a bad configuration is reported. */
export function runtimeMode(source: Record<string, string | undefined> = process.env): Env["NODE_ENV"] {
  try {
    return envValue("NODE_ENV", source);
  } catch {
    return "development";
  }
}

/** The AWS region of the ECR API: AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. */
export const awsRegion = (e: Pick<Env, "AWS_REGION" | "AWS_DEFAULT_REGION"> = env()) => e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? "us-east-1";

/** ALLOW_PRIVATE_HOSTS, else its older name ALLOW_PRIVATE_REGISTRY_HOSTS (default false). */
export const allowPrivateHosts = (e: Pick<Env, "ALLOW_PRIVATE_HOSTS" | "ALLOW_PRIVATE_REGISTRY_HOSTS"> = env()): boolean => allowPrivateHostsOf(e);
