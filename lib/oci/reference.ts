import { InvalidReferenceError } from "./errors";
import { assertRepository, assertTag, clip, parseDigest } from "./names";

/**
 * Image references as people write them. The proxy's path scheme built on them is lib/oci/proxy-path.ts.
 *
 * Docker's rules (distribution/reference, splitDockerDomain): the part before the first "/" is a
 * registry host when it contains "." or ":" or is "localhost"; otherwise the whole thing is a
 * Docker Hub repository, and a single-component Hub name gets "library/". Which host serves
 * Docker Hub is configuration (DOCKER_HUB_REGISTRY), so callers pass it in.
 */

export interface ImageReference {
  /** host[:port] of the registry, lowercase; Docker Hub names get `dockerHubRegistry`. */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Names Docker clients use for Docker Hub; all of them mean DOCKER_HUB_REGISTRY here. */
export const DOCKER_HUB_ALIASES: readonly string[] = ["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"];

/** host[:port] of DOCKER_HUB_REGISTRY, which may be written as a URL (tests use http://127.0.0.1:PORT). */
export function dockerHubHost(dockerHubRegistry: string): string {
  return dockerHubRegistry
    .trim()
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/\/.*$/, "")
    .toLowerCase();
}

// Docker's reference grammar for the domain part: DNS labels, an IPv6 literal in brackets, a port.
const LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
export const HOST_PATTERN = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[a-fA-F0-9:.]+\\])(?::[0-9]{1,5})?$`);

/**
 * Does the first part of an image name (the text before its first "/") name a registry host?
 * Docker's rule: it contains "." or ":" or is "localhost". The one copy of it: the Images page,
 * the installer, the connection test and the proxy's path scheme (lib/oci/proxy-path.ts) all ask here.
 */
export const looksLikeHost = (part: string): boolean => part.includes(".") || part.includes(":") || part === "localhost";

/** The registry host written in front of an image (`host[:port]/…`), lowercase; undefined when it names none. */
export function writtenRegistryHost(image: string): string | undefined {
  const slash = image.indexOf("/");
  if (slash < 0) return undefined;
  const first = image.slice(0, slash);
  return looksLikeHost(first) ? first.toLowerCase() : undefined;
}

/** Parses `[host[:port]/]path[:tag][@digest]`. Throws InvalidReferenceError with the OCI code. */
export function parseImageReference(input: string, opts: { dockerHubRegistry: string }): ImageReference {
  const text = input.trim();
  if (!text) throw new InvalidReferenceError("NAME_INVALID", "The image reference is empty.");
  if (/\s/.test(text)) throw new InvalidReferenceError("NAME_INVALID", `"${clip(text)}" contains whitespace.`);

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    parseDigest(digest);
    rest = rest.slice(0, at);
  }

  // A ":" after the last "/" starts a tag; one before it belongs to host:port.
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = assertTag(rest.slice(colon + 1));
    rest = rest.slice(0, colon);
  }

  let registry: string;
  let repository: string;
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  if (slash >= 0 && looksLikeHost(first)) {
    if (!HOST_PATTERN.test(first)) throw new InvalidReferenceError("NAME_INVALID", `"${clip(first)}" is not a valid registry host.`);
    registry = first.toLowerCase();
    repository = rest.slice(slash + 1);
  } else {
    registry = "docker.io";
    repository = rest;
  }

  const hub = DOCKER_HUB_ALIASES.includes(registry) || registry === dockerHubHost(opts.dockerHubRegistry);
  if (hub) {
    registry = dockerHubHost(opts.dockerHubRegistry);
    if (!repository.includes("/")) repository = `library/${repository}`;
  }
  assertRepository(repository);
  return { registry, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** `:tag`, `@digest`, both or "". */
export const referenceSuffix = (ref: { tag?: string; digest?: string }) => `${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;

/** The canonical string form: `host/repo[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${referenceSuffix(ref)}`;
}
