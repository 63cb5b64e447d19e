import type { ProxyUpstream } from "@/lib/oci/proxy-path";
import { dockerHubHost } from "@/lib/oci/reference";

/**
 * Which of a team's registries an image path means, read with lib/oci/proxy-path.ts
 * `resolveProxyImage`. The one matcher: the proxy's lookup uses it for every pull, and an app's
 * image list for every image the vendor enters, so a listed image is exactly what a pull asks for.
 * - by host: the registry whose endpoint host is exactly it, else the only one with that hostname
 *   (a path can't carry a port);
 * - by name: the team's registry with that name;
 * - Docker Hub: the registry whose endpoint is DOCKER_HUB_REGISTRY's host.
 */

/** host[:port] of a normalised endpoint URL, lowercase ("" when it is not one). */
export function endpointHost(endpoint: string): string {
  try {
    return new URL(endpoint).host.toLowerCase();
  } catch {
    return "";
  }
}

function endpointHostname(endpoint: string): string {
  try {
    return new URL(endpoint).hostname.toLowerCase();
  } catch {
    return "";
  }
}

export function matchRegistry<R extends { endpoint: string; name: string | null }>(registries: readonly R[], upstream: ProxyUpstream, dockerHubRegistry: string): R | undefined {
  if (upstream.via === "host") {
    const host = upstream.hostOrName;
    const exact = registries.find((r) => endpointHost(r.endpoint) === host);
    if (exact) return exact;
    const byName = registries.filter((r) => endpointHostname(r.endpoint) === host);
    return byName.length === 1 ? byName[0] : undefined;
  }
  if (upstream.via === "name") return registries.find((r) => r.name === upstream.hostOrName);
  const hub = dockerHubHost(dockerHubRegistry);
  return registries.find((r) => endpointHost(r.endpoint) === hub);
}
