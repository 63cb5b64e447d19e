import { InvalidReferenceError } from "./errors";
import { assertManifestReference, assertRepository, assertTag, clip, COMPONENT_PATTERN, parseDigest } from "./names";

/**
 * Image references as people write them, and the proxy's path scheme (docs/contracts.md, "Proxy paths").
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
const HOST_PATTERN = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[a-fA-F0-9:.]+\\])(?::[0-9]{1,5})?$`);

const looksLikeHost = (part: string) => part.includes(".") || part.includes(":") || part === "localhost";

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

/** The canonical string form: `host/repo[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

// ---------------------------------------------------------------------------------------------
// The proxy path scheme: /v2/proxy/<app-slug>/<upstream image path>/(manifests/<ref>|blobs/<digest>|tags/list)

export type ProxyRequestKind = "manifests" | "blobs" | "tags";

/**
 * Where a proxy path points upstream. `via` says how the first part was read:
 * - "host": it contained "." or was "localhost" — an upstream host (without port: a path can't hold one);
 * - "name": the caller's lookup said it's one of the team's registry names;
 * - "docker-hub": neither — a Docker Hub repository on DOCKER_HUB_REGISTRY.
 */
export interface ProxyUpstream {
  via: "host" | "name" | "docker-hub";
  hostOrName: string;
  repository: string;
}

export interface ProxyPath {
  appSlug: string;
  upstream: ProxyUpstream;
  kind: ProxyRequestKind;
  /** Tag or digest for manifests, digest for blobs, absent for tags/list. */
  reference?: string;
  /** The repository name as the client sees it (`proxy/<slug>/<image>`), for challenges and errors. */
  name: string;
}

export interface ProxyPathOptions {
  dockerHubRegistry: string;
  /** Is `name` one of the registry names visible to this app? (Names are checked only when a repository follows them.) */
  isRegistryName?: (name: string, appSlug: string) => boolean;
}

const PROXY_PREFIX = "/v2/proxy/";

/**
 * Parses a request path. Returns null when the path is not under /v2/proxy/ (not this scheme's
 * business: /v2/, /v2/_catalog, …); throws InvalidReferenceError (→ 400 in the OCI format) for
 * a malformed proxy path, and UNSUPPORTED for anything but the three pull endpoints.
 */
export function parseProxyPath(rawPath: string, opts: ProxyPathOptions): ProxyPath | null {
  const path = rawPath.split("?")[0]!.split("#")[0]!;
  if (!path.startsWith(PROXY_PREFIX)) return null;
  const parts = path.slice(PROXY_PREFIX.length).split("/");

  // The endpoint is decided from the end, as Distribution's router does: the last two segments.
  let kind: ProxyRequestKind;
  let reference: string | undefined;
  const last = parts[parts.length - 1]!;
  const secondLast = parts[parts.length - 2];
  if (secondLast === "tags" && last === "list") {
    kind = "tags";
  } else if (secondLast === "manifests") {
    kind = "manifests";
    // Some HTTP stacks percent-encode the ":" of a digest; nothing else may be encoded.
    reference = assertManifestReference(last.replace(/%3a/gi, ":"));
  } else if (secondLast === "blobs") {
    kind = "blobs";
    reference = last.replace(/%3a/gi, ":");
    parseDigest(reference);
  } else {
    throw new InvalidReferenceError("UNSUPPORTED", "The proxy serves pulls only: manifests, blobs and tags/list.", "path");
  }

  const [appSlug, ...image] = parts.slice(0, -2);
  if (!appSlug || !COMPONENT_PATTERN.test(appSlug)) {
    throw new InvalidReferenceError("NAME_INVALID", `"${clip(appSlug ?? "")}" is not a valid app slug.`, "path");
  }
  if (image.length === 0) throw new InvalidReferenceError("NAME_INVALID", "The path names no image after the app slug.", "path");

  const upstream = resolveUpstream(image, appSlug, opts);
  return { appSlug, upstream, kind, ...(reference !== undefined && { reference }), name: `proxy/${appSlug}/${image.join("/")}` };
}

function resolveUpstream(image: string[], appSlug: string, opts: ProxyPathOptions): ProxyUpstream {
  const [first, ...rest] = image as [string, ...string[]];
  const hubHost = dockerHubHost(opts.dockerHubRegistry);
  if (first.includes(".") || first === "localhost") {
    const host = first.toLowerCase();
    if (!HOST_PATTERN.test(host)) throw new InvalidReferenceError("NAME_INVALID", `"${clip(first)}" is not a valid registry host.`, "path");
    if (rest.length === 0) throw new InvalidReferenceError("NAME_INVALID", `The path names the host ${clip(host)} but no repository on it.`, "path");
    if (DOCKER_HUB_ALIASES.includes(host)) return dockerHub(rest, hubHost);
    return { via: "host", hostOrName: host, repository: assertRepository(rest.join("/")) };
  }
  if (rest.length > 0 && COMPONENT_PATTERN.test(first) && opts.isRegistryName?.(first, appSlug)) {
    return { via: "name", hostOrName: first, repository: assertRepository(rest.join("/")) };
  }
  return dockerHub(image, hubHost);
}

function dockerHub(parts: string[], hubHost: string): ProxyUpstream {
  const repository = parts.length === 1 ? `library/${parts[0]}` : parts.join("/");
  return { via: "docker-hub", hostOrName: hubHost, repository: assertRepository(repository) };
}
