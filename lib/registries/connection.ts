import net from "node:net";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { assertPublicAddress } from "@/lib/oci/address";
import type { RegistryCredentials } from "@/lib/oci/credentials";
import { parseServiceAccountKey } from "@/lib/oci/credentials";
import { testRegistryConnection, type ConnectionTestResult } from "@/lib/oci/diagnose";
import { detectProvider, normalizeEndpoint, parseEcrHost, validateEcrEndpoint, validateGcrEndpoint, type RegistryEndpoint } from "@/lib/oci/endpoint";
import { InvalidEndpointError, UpstreamError } from "@/lib/oci/errors";
import { formatPlatform } from "@/lib/oci/manifest";
import type { RegistryProviderName } from "@/lib/validations/registries";

/**
 * The glue between the registry operations and lib/oci: endpoint rules per provider, credentials
 * from a form, and the connection test as the portal stores and shows it.
 */

export function endpointPolicy() {
  const e = env();
  return { dockerHubRegistry: e.DOCKER_HUB_REGISTRY, allowPrivate: e.ALLOW_PRIVATE_REGISTRY_HOSTS, insecureRegistries: e.INSECURE_REGISTRIES };
}

/** localhost or an IP literal: a registry a developer runs on their own machine. */
function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || net.isIP(h) !== 0;
}

/**
 * Normalises what the user typed for a provider. ECR and Google endpoints must be those clouds'
 * hosts; only where the operator allows private hosts (development, tests) may a local stand-in
 * (localhost, an IP address) take their place. An IP literal the policy refuses is refused here,
 * so a registry that could never be reached is not saved; names are checked when connecting.
 * A test leaves that to its "Resolve host" step (`checkAddress: false`), which says the same in
 * its own words, still without sending a packet.
 */
export async function resolveRegistryEndpoint(
  provider: RegistryProviderName,
  input: string,
  { checkAddress = true }: { checkAddress?: boolean } = {},
): Promise<RegistryEndpoint> {
  const policy = endpointPolicy();
  let endpoint: RegistryEndpoint;
  if (provider === "other") {
    endpoint = normalizeEndpoint(input, policy);
    if (detectProvider(endpoint.host, policy.dockerHubRegistry) === "ecr") {
      throw new InvalidEndpointError("This is an Amazon ECR endpoint: add it on the Amazon ECR tab, with an access key (ECR passwords expire after 12 hours).");
    }
  } else {
    const local = normalizeEndpoint(input, policy);
    if (policy.allowPrivate && isLocalHost(local.hostname)) endpoint = local;
    else endpoint = provider === "ecr" ? validateEcrEndpoint(input, policy) : validateGcrEndpoint(input, policy);
  }
  if (checkAddress && (net.isIP(endpoint.hostname) || endpoint.hostname === "localhost")) {
    try {
      await assertPublicAddress(endpoint.hostname === "localhost" ? "127.0.0.1" : endpoint.hostname, { allowPrivate: policy.allowPrivate });
    } catch (e) {
      if (e instanceof UpstreamError) throw new InvalidEndpointError(`${e.message}`);
      throw e;
    }
  }
  return endpoint;
}

/** The host as people write it: `ghcr.io`, `harbor.example.com:8443`, `http://127.0.0.1:5000` for plain HTTP. */
export function displayHost(endpoint: string): string {
  return endpoint.startsWith("https://") ? endpoint.slice("https://".length) : endpoint;
}

export interface CredentialFields {
  username?: string;
  password?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  jsonKey?: string;
}

/** The non-secret part shown in the table: username, ECR access key ID, or the key's client_email. */
export function usernameOf(provider: RegistryProviderName, c: CredentialFields): string {
  if (provider === "ecr") return c.accessKeyId!;
  if (provider === "gcr") return parseServiceAccountKey(c.jsonKey!).client_email;
  return c.username!;
}

/** The secret part, sealed into EncryptedSecret. */
export function secretOf(provider: RegistryProviderName, c: CredentialFields): string {
  if (provider === "ecr") return c.secretAccessKey!;
  if (provider === "gcr") return c.jsonKey!;
  return c.password!;
}

/** Credentials typed into a form, as lib/oci takes them. */
export function credentialsFromInput(provider: RegistryProviderName, c: CredentialFields): RegistryCredentials {
  if (provider === "gcr") return { kind: "gcr", jsonKey: c.jsonKey! };
  // The same ECR API endpoint override as stored credentials get (lib/registries/secret.ts).
  if (provider === "ecr") return { kind: "ecr", accessKeyId: c.accessKeyId!, secretAccessKey: c.secretAccessKey!, endpoint: process.env.AWS_ENDPOINT_URL_ECR || undefined };
  return { kind: "basic", username: c.username!, password: c.password! };
}

/**
 * ECR's region comes from its host. A local stand-in (development, tests) has none: take the
 * SDK's usual AWS_REGION / AWS_DEFAULT_REGION, else us-east-1.
 */
export function withEcrDefaults(creds: RegistryCredentials, endpoint: string): RegistryCredentials {
  if (creds.kind !== "ecr" || creds.region || parseEcrHost(hostOf(endpoint))) return creds;
  return { ...creds, region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1" };
}

// ---------------------------------------------------------------------------------------------

export interface TestStep {
  name: string;
  ok: boolean;
  status?: number;
  detail: string;
  durationMs?: number;
}

/** A connection test as stored, shown and returned by the REST API: never a secret in it. */
export interface RegistryTestResult {
  ok: boolean;
  /** One sentence for the table. */
  summary: string;
  steps: TestStep[];
  testedAt: Date;
  image?: string;
  manifest?: {
    kind: "index" | "image";
    mediaType: string;
    digest: string;
    platforms: string[];
    repository: string;
    reference: string;
    layers?: number;
    layerBytes?: number;
  };
}

function summarizeTest(r: ConnectionTestResult): string {
  const failed = r.steps.find((s) => !s.ok);
  if (failed) return `${failed.name} failed: ${failed.detail}`;
  const m = r.manifest;
  if (m) {
    const label = `${m.repository}${m.reference.startsWith("sha256:") ? "@" : ":"}${m.reference}`;
    return m.kind === "index"
      ? `Connected; ${label} is a multi-platform index (${m.platforms.map(formatPlatform).join(", ") || "no platforms listed"}).`
      : `Connected; ${label} is a single image${m.platforms[0] ? ` for ${formatPlatform(m.platforms[0])}` : ""}.`;
  }
  const auth = r.steps.find((s) => s.name.startsWith("Authenticate"));
  return auth ? `Connected: ${auth.detail}` : "Connected: the registry answers without authentication.";
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint.includes("://") ? endpoint : `https://${endpoint}`).hostname;
  } catch {
    return endpoint;
  }
}

/**
 * Runs the real pull-side flow (lib/oci) under the operator's policy. `endpoint` is a stored or
 * just-normalised endpoint; the test normalises it again as its first step, so a stored
 * endpoint the policy no longer allows (http:// after ALLOW_PRIVATE_REGISTRY_HOSTS was turned
 * off) fails there, in words, like any other step.
 */
export async function runConnectionTest(
  endpoint: string,
  credentials: RegistryCredentials,
  image?: string,
  opts: { allowedRealmHosts?: readonly string[] } = {},
): Promise<RegistryTestResult> {
  const policy = endpointPolicy();
  const r = await testRegistryConnection({
    endpoint,
    allowedRealmHosts: opts.allowedRealmHosts,
    credentials: withEcrDefaults(credentials, endpoint),
    image,
    dockerHubRegistry: policy.dockerHubRegistry,
    allowPrivate: policy.allowPrivate,
    insecureRegistries: policy.insecureRegistries,
  });
  return {
    ok: r.ok,
    summary: summarizeTest(r),
    steps: r.steps.map((s) => ({ name: s.name, ok: s.ok, ...(s.status !== undefined && { status: s.status }), detail: s.detail, ...(s.durationMs !== undefined && { durationMs: s.durationMs }) })),
    testedAt: new Date(),
    ...(image && { image }),
    ...(r.manifest && {
      manifest: {
        kind: r.manifest.kind,
        mediaType: r.manifest.mediaType,
        digest: r.manifest.digest,
        platforms: r.manifest.platforms.map(formatPlatform),
        repository: r.manifest.repository,
        reference: r.manifest.reference,
        ...(r.manifest.layers !== undefined && { layers: r.manifest.layers }),
        ...(r.manifest.layerBytes !== undefined && { layerBytes: r.manifest.layerBytes }),
      },
    }),
  };
}

/**
 * The connection test failed, so nothing was saved (adding with "test before saving", or a
 * rotation without force). A 422 that carries the test, so the caller can show every step.
 */
export class ConnectionTestFailedError extends AppError {
  readonly test: RegistryTestResult;
  constructor(test: RegistryTestResult, what: string) {
    super("validation_failed", `The connection test failed, so ${what}. ${test.summary}`);
    this.name = "ConnectionTestFailedError";
    this.test = test;
  }
}

/** What kind of registry a row is, for the table: the provider, or for "other" the service its host belongs to. */
export function registryKindLabel(provider: RegistryProviderName, endpoint: string, dockerHubRegistry: string): string {
  const host = hostOf(endpoint).toLowerCase();
  if (provider === "ecr") return "Amazon ECR";
  if (provider === "gcr") return host.endsWith(".pkg.dev") ? "Google Artifact Registry" : "Google Container Registry";
  if (detectProvider(new URL(endpoint).host, dockerHubRegistry) === "docker-hub") return "Docker Hub";
  if (host === "ghcr.io") return "GitHub";
  if (host === "quay.io") return "Quay";
  if (host.endsWith(".jfrog.io")) return "JFrog Artifactory";
  if (host === "registry.gitlab.com") return "GitLab";
  return "OCI registry";
}
