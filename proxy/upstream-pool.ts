import { AuthCache } from "@/lib/oci/auth-cache";
import type { ResolveFn } from "@/lib/oci/address";
import { normalizeEndpoint } from "@/lib/oci/endpoint";
import { RegistryClient } from "@/lib/oci/registry-client";
import type { LookupResponse } from "@/lib/internal/contract";

/**
 * The upstream clients: one lib/oci RegistryClient per lookup answer's registry (so per
 * credentials version, renewed with the answer every license-cache TTL), each with the
 * operator's address policy (private hosts, insecure registries), the proxy's timeouts and user
 * agent. Upstream auth material (tokens, ECR passwords) lives in one AuthCache across clients, so
 * a renewed answer doesn't mean a new token; connections are reused by lib/oci's transport.
 */
export interface UpstreamPoolOptions {
  dockerHubRegistry: string;
  allowPrivate: boolean;
  insecureRegistries?: readonly string[];
  /** Until response headers (504 after). Default 30 s. */
  timeoutMs?: number;
  /** Socket inactivity while a body streams. Default 60 s. */
  idleTimeoutMs?: number;
  authCache?: AuthCache;
  resolve?: ResolveFn;
}

export type UpstreamRegistry = NonNullable<LookupResponse["registry"]>;

export class UpstreamPool {
  private readonly clients = new WeakMap<object, RegistryClient>();
  private readonly authCache: AuthCache;

  constructor(private readonly opts: UpstreamPoolOptions) {
    this.authCache = opts.authCache ?? new AuthCache();
  }

  /** The client for a lookup answer's registry; throws InvalidEndpointError for an endpoint the policy refuses. */
  clientFor(registry: UpstreamRegistry): RegistryClient {
    let client = this.clients.get(registry);
    if (!client) {
      const { dockerHubRegistry, allowPrivate, insecureRegistries, resolve } = this.opts;
      const endpoint = normalizeEndpoint(registry.endpoint, { dockerHubRegistry, allowPrivate, insecureRegistries });
      client = new RegistryClient({
        endpoint,
        credentials: registry.credentials,
        policy: { allowPrivate, ...(insecureRegistries && { insecureRegistries }), ...(resolve && { resolve }) },
        cache: this.authCache,
        timeoutMs: this.opts.timeoutMs ?? 30_000,
        idleTimeoutMs: this.opts.idleTimeoutMs ?? 60_000,
        userAgent: "portcullis-proxy",
        allowedRealmHosts: registry.allowedRealmHosts,
      });
      this.clients.set(registry, client);
    }
    return client;
  }
}
