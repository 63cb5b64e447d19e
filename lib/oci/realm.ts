import { isGcrHost, type RegistryEndpoint } from "./endpoint";
import { UpstreamError } from "./errors";

/**
 * Which token services may receive a registry's credentials. A Bearer challenge names its realm
 * (the token service's URL) and the client sends the registry's Basic credentials there, so a
 * registry — or anyone who can answer for it — could name any host and collect the password.
 * Credentials go to a realm only on the registry's own host, on a host the registry is known to
 * split its token service onto, or on a host the vendor allowed for that registry. (Plain http://
 * realms are refused separately unless the operator allows the host: lib/oci/token.ts.)
 */

/** Registries whose token service is known to live on another host (what their challenges say). */
const KNOWN_SPLITS: Record<string, readonly string[]> = {
  // Docker Hub: Bearer realm="https://auth.docker.io/token",service="registry.docker.io"
  "registry-1.docker.io": ["auth.docker.io"],
  "index.docker.io": ["auth.docker.io"],
  "registry.hub.docker.com": ["auth.docker.io"],
  "docker.io": ["auth.docker.io"],
  // GitLab.com's container registry: Bearer realm="https://gitlab.com/jwt/auth"
  "registry.gitlab.com": ["gitlab.com"],
};

const hostnameOf = (host: string) => host.toLowerCase().replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");

/** Whether credentials for `endpoint` may be sent to the token service at `realm`. */
export function realmMayReceiveCredentials(realm: URL, endpoint: RegistryEndpoint, allowedRealmHosts: readonly string[] = []): boolean {
  const realmHost = hostnameOf(realm.hostname);
  const registryHost = hostnameOf(endpoint.hostname);
  if (realmHost === registryHost) return true;
  if (KNOWN_SPLITS[registryHost]?.includes(realmHost)) return true;
  // gcr.io, its regional hosts and Artifact Registry answer with realms on Google's registry hosts.
  if (isGcrHost(registryHost) && isGcrHost(realmHost)) return true;
  return allowedRealmHosts.some((h) => hostnameOf(h) === realmHost);
}

export function assertRealmMayReceiveCredentials(realm: URL, endpoint: RegistryEndpoint, allowedRealmHosts: readonly string[] = []): void {
  if (realmMayReceiveCredentials(realm, endpoint, allowedRealmHosts)) return;
  const host = hostnameOf(realm.hostname);
  throw new UpstreamError(
    "realm",
    realm.host,
    `The registry asks for its credentials to be sent to ${host}, another host; they were not sent. If that token service is yours, add ${host} to the registry's allowed token hosts.`,
  );
}
