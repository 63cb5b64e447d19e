import { InvalidEndpointError } from "./errors";
import { DOCKER_HUB_ALIASES } from "./reference";

export { assertPublicAddress, classifyAddress, createCheckedLookup, hostnameOf, type AddressClass, type ResolvedAddress } from "./address";

/**
 * Registry endpoints as users type them (docs/contracts.md, "Registry endpoints"):
 * `index.docker.io`, `https://ghcr.io/`, `harbor.example.com:8443`, `http://127.0.0.1:5000`.
 * The result is what we store and connect to.
 *
 * `https://` is assumed. `http://` is accepted only for hosts the operator allows — every host
 * with ALLOW_PRIVATE_HOSTS (or ALLOW_PRIVATE_REGISTRY_HOSTS), else the insecure-registries list — the way Docker treats
 * insecure registries; credentials then can't travel in clear text to any other host.
 */

export interface RegistryEndpoint {
  scheme: "https" | "http";
  /** hostname[:port], lowercase, port only when not the scheme's default. The identity of a registry. */
  host: string;
  hostname: string;
  port: number;
  /** `scheme://host`, no trailing slash; API paths are appended to it (`${baseUrl}/v2/`). */
  baseUrl: string;
}

export interface EndpointPolicy {
  /** DOCKER_HUB_REGISTRY: a host, or a URL when tests point it at a plain-HTTP registry. */
  dockerHubRegistry: string;
  /** ALLOW_PRIVATE_HOSTS: also allows http:// for every host. */
  allowPrivate?: boolean;
  /** host[:port] or hostname entries allowed over http:// (an operator's insecure-registries list). */
  insecureRegistries?: readonly string[];
}

/** May credentials and requests go to this host over plain HTTP? */
export function isInsecureAllowed(host: string, policy: Pick<EndpointPolicy, "allowPrivate" | "insecureRegistries">): boolean {
  if (policy.allowPrivate) return true;
  const h = host.toLowerCase();
  const hostname = h.replace(/:\d+$/, "");
  return (policy.insecureRegistries ?? []).some((entry) => {
    const e = entry.trim().toLowerCase();
    return e === h || e === hostname;
  });
}

function parseUrl(input: string): URL {
  const text = input.trim();
  if (!text) throw new InvalidEndpointError("Enter the registry's endpoint, e.g. ghcr.io or harbor.example.com:8443.");
  if (/\s/.test(text)) throw new InvalidEndpointError("The endpoint must not contain spaces.");
  const schemeMatch = text.match(/^([a-z][a-z0-9+.-]*):\/\//i);
  if (schemeMatch && !/^https?$/i.test(schemeMatch[1]!)) {
    throw new InvalidEndpointError(`"${schemeMatch[1]}://" is not supported; use https:// (or just host[:port]).`);
  }
  let url: URL;
  try {
    url = new URL(schemeMatch ? text : `https://${text}`);
  } catch {
    throw new InvalidEndpointError(`"${text.slice(0, 80)}" is not a valid host or URL.`);
  }
  // Credentials belong in the credential fields, where they are encrypted; never in the endpoint.
  if (url.username || url.password) throw new InvalidEndpointError("Put the username and password in their own fields, not in the endpoint.");
  if (!url.hostname) throw new InvalidEndpointError("The endpoint has no host.");
  return url;
}

/** Normalises what a user typed. Throws InvalidEndpointError (422, field "endpoint"). */
export function normalizeEndpoint(input: string, policy: EndpointPolicy): RegistryEndpoint {
  let url = parseUrl(input);
  if (DOCKER_HUB_ALIASES.includes(url.hostname)) url = parseUrl(policy.dockerHubRegistry);

  const scheme = url.protocol === "http:" ? "http" : "https";
  // URL lowercases the hostname, punycodes IDNs and drops a default port.
  const port = url.port ? Number(url.port) : scheme === "https" ? 443 : 80;
  const host = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  if (scheme === "http" && !isInsecureAllowed(host, policy)) {
    throw new InvalidEndpointError(
      `Plain http:// is only allowed for registries the operator marks as insecure (the INSECURE_REGISTRIES setting, e.g. INSECURE_REGISTRIES=${host}); use https://${host}.`,
    );
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { scheme, host, hostname, port, baseUrl: `${scheme}://${host}` };
}

// ---------------------------------------------------------------------------------------------
// Cloud registries

interface EcrEndpointInfo {
  accountId: string;
  region: string;
}

// <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/** Account and region of an ECR registry host, or null when the host is not one. */
export function parseEcrHost(host: string): EcrEndpointInfo | null {
  const m = host.toLowerCase().match(ECR_HOST);
  return m ? { accountId: m[1]!, region: m[2]! } : null;
}

/** For the ECR tab: the endpoint must be an ECR registry host over https. */
export function validateEcrEndpoint(input: string, policy: EndpointPolicy): RegistryEndpoint & EcrEndpointInfo {
  const endpoint = normalizeEndpoint(input, policy);
  const info = parseEcrHost(endpoint.hostname);
  if (!info || endpoint.scheme !== "https" || endpoint.port !== 443) {
    throw new InvalidEndpointError("An Amazon ECR endpoint looks like 123456789012.dkr.ecr.us-east-1.amazonaws.com (your 12-digit account ID and region).");
  }
  return { ...endpoint, ...info };
}

/** gcr.io, its regional hosts (us.gcr.io, …) and Artifact Registry's <location>-docker.pkg.dev. */
export function isGcrHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === "gcr.io" || /^[a-z0-9-]+\.gcr\.io$/.test(h) || /^[a-z0-9]+(?:-[a-z0-9]+)*-docker\.pkg\.dev$/.test(h);
}

export function validateGcrEndpoint(input: string, policy: EndpointPolicy): RegistryEndpoint {
  const endpoint = normalizeEndpoint(input, policy);
  if (!isGcrHost(endpoint.hostname) || endpoint.scheme !== "https" || endpoint.port !== 443) {
    throw new InvalidEndpointError("A Google registry endpoint is gcr.io, a regional host like eu.gcr.io, or an Artifact Registry host like europe-west1-docker.pkg.dev.");
  }
  return endpoint;
}

type RegistryProvider = "ecr" | "gcr" | "docker-hub" | "other";

/** What kind of registry a host is, for defaults and hints (the user's choice of tab still wins). */
export function detectProvider(host: string, dockerHubRegistry: string): RegistryProvider {
  const hostname = host.toLowerCase().replace(/:\d+$/, "");
  if (parseEcrHost(hostname)) return "ecr";
  if (isGcrHost(hostname)) return "gcr";
  const hub = dockerHubRegistry.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
  if (host.toLowerCase() === hub || DOCKER_HUB_ALIASES.includes(hostname)) return "docker-hub";
  return "other";
}
