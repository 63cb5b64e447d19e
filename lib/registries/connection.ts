import net from "node:net";
import { allowPrivateHosts, env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { assertPublicAddress } from "@/lib/oci/address";
import type { RegistryCredentials } from "@/lib/oci/credentials";
import { testRegistryConnection, type ConnectionTestResult } from "@/lib/oci/diagnose";
import type { RegistryEndpoint } from "@/lib/oci/endpoint";
import { InvalidEndpointError, UpstreamError } from "@/lib/oci/errors";
import { formatPlatform } from "@/lib/oci/manifest";
import { providerEndpoint, type RegistryProviderName } from "./providers";
import type { RegistryTestResult } from "@/lib/registries/dto";

/**
 * The glue between the registry operations and lib/oci: endpoints under the operator's policy,
 * and the connection test as the portal stores and shows it.
 */

export function endpointPolicy() {
  const e = env();
  return { dockerHubRegistry: e.DOCKER_HUB_REGISTRY, allowPrivate: allowPrivateHosts(e), insecureRegistries: e.INSECURE_REGISTRIES };
}

/**
 * Normalises what the user typed for a provider, by the provider's endpoint rule (its file in
 * ./providers: ECR and Google endpoints must be those clouds' hosts, unless a local stand-in where
 * the operator allows private hosts). An IP literal the policy refuses is refused here,
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
  const endpoint = providerEndpoint(provider, input, policy);
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

// ---------------------------------------------------------------------------------------------

export type { RegistryTestResult } from "@/lib/registries/dto";

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

/**
 * Runs the real pull-side flow (lib/oci) under the operator's policy, with credentials the
 * registry's provider made for this endpoint (./providers). `endpoint` is a stored or
 * just-normalised endpoint; the test normalises it again as its first step, so a stored
 * endpoint the policy no longer allows (http:// after ALLOW_PRIVATE_HOSTS was turned
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
    credentials,
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
        ...(r.manifest.configMediaType !== undefined && { configMediaType: r.manifest.configMediaType }),
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
