import { InvalidReferenceError } from "./errors";
import { assertManifestReference, assertRepository, clip, COMPONENT_PATTERN, parseDigest } from "./names";
import { DOCKER_HUB_ALIASES, dockerHubHost, HOST_PATTERN, looksLikeHost, referenceSuffix, writtenRegistryHost } from "./reference";

/**
 * The proxy's image names, both ways (docs/contracts.md, "Proxy paths"): what the Images page,
 * the ECR tutorial and the installer show customers (`formatProxyReference`), and how the proxy
 * reads a request path back (`parseProxyPath`). Framework-free: the proxy bundles it.
 *
 *   PROXY_HOST/proxy/<app-slug>/<image>
 *
 * `<image>` is the upstream image as written (`nginx`, `quay.io/org/app:1`), or
 * `<registry name>/<repository>` for a registry of the team. A repository path can't hold a port,
 * so an image on `host:port` is reachable only through its registry's name.
 */

/** The first component of every proxy repository name. */
const PROXY_ROOT = "proxy";

/** `proxy/<app-slug>/<image path>`: the repository name a client sees. */
const proxyRepository = (appSlug: string, imagePath: string) => `${PROXY_ROOT}/${appSlug}/${imagePath}`;

/** Can a host stand in a proxy path? Not with a port: `host:port` needs a registry name. */
export const hostFitsInPath = (host: string) => !host.includes(":");

/** The image path through a registry's name: `<name>/<repository>[:tag][@digest]`. */
export const throughRegistryName = (name: string, ref: { repository: string; tag?: string; digest?: string }) => `${name}/${ref.repository}${referenceSuffix(ref)}`;

/**
 * The name customers pull: `<proxyHost>/proxy/<appSlug>/<image>`, where `image` is the upstream
 * image as written or `throughRegistryName(…)`. Throws InvalidReferenceError when the image names
 * a host with a port (callers say which registry name to use instead).
 */
export function formatProxyReference(opts: { proxyHost: string; appSlug: string; image: string }): string {
  const host = writtenRegistryHost(opts.image);
  if (host && !hostFitsInPath(host)) {
    throw new InvalidReferenceError("NAME_INVALID", `An image path can't hold a port (${clip(host)}): pull it through its registry's name.`);
  }
  return `${opts.proxyHost}/${proxyRepository(opts.appSlug, opts.image)}`;
}

// ---------------------------------------------------------------------------------------------
// Reading a request path: /v2/proxy/<app-slug>/<upstream image path>/(manifests/<ref>|blobs/<digest>|referrers/<digest>|tags/list)

export type ProxyRequestKind = "manifests" | "blobs" | "referrers" | "tags";

/**
 * Where a proxy path points upstream. `via` says how the first part was read:
 * - "host": it names a host (lib/oci/reference.ts `looksLikeHost`) — an upstream host, without a port
 *   (a path can't hold one: `hostFitsInPath`);
 * - "name": the caller's lookup said it's one of the team's registry names;
 * - "docker-hub": neither — a Docker Hub repository on DOCKER_HUB_REGISTRY.
 */
export interface ProxyUpstream {
  via: "host" | "name" | "docker-hub";
  hostOrName: string;
  repository: string;
}

/** A request path as the client sent it, its grammar checked; where it points upstream is not read yet. */
export interface ProxyRequestPath {
  appSlug: string;
  /** The image path's segments after the app slug, as sent (`["quay.io", "org", "app"]`). */
  image: string[];
  /** The same, joined (`quay.io/org/app`). */
  imagePath: string;
  kind: ProxyRequestKind;
  /** Tag or digest for manifests, digest for blobs and referrers (the subject's), absent for tags/list. */
  reference?: string;
  /** The repository name as the client sees it (`proxy/<slug>/<image>`), for challenges and errors. */
  name: string;
}

export interface ProxyPath extends Omit<ProxyRequestPath, "image" | "imagePath"> {
  upstream: ProxyUpstream;
}

interface ProxyPathOptions {
  dockerHubRegistry: string;
  /** Is `name` one of the registry names visible to this app? (Names are checked only when a repository follows them.) */
  isRegistryName?: (name: string, appSlug: string) => boolean;
}

const PROXY_PREFIX = `/v2/${PROXY_ROOT}/`;

/** Parses a request path and reads where it points upstream (`readProxyPath`, then `resolveProxyImage`). */
export function parseProxyPath(rawPath: string, opts: ProxyPathOptions): ProxyPath | null {
  const read = readProxyPath(rawPath, opts);
  if (!read) return null;
  const { appSlug, kind, reference, name } = read;
  return { appSlug, kind, ...(reference !== undefined && { reference }), name, upstream: resolveProxyImage(read.image, appSlug, opts) };
}

/**
 * Reads a request path without deciding its upstream (that needs the team's registry names: the
 * portal's lookup decides). Returns null when the path is not under /v2/proxy/ (not this scheme's
 * business: /v2/, /v2/_catalog, …); throws InvalidReferenceError (→ 400 in the OCI format) for
 * a malformed proxy path — one that no reading of its image path could serve —, and UNSUPPORTED
 * for anything but the four pull endpoints.
 */
export function readProxyPath(rawPath: string, opts: Pick<ProxyPathOptions, "dockerHubRegistry">): ProxyRequestPath | null {
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
  } else if (secondLast === "blobs" || secondLast === "referrers") {
    kind = secondLast;
    reference = last.replace(/%3a/gi, ":");
    parseDigest(reference);
  } else {
    throw new InvalidReferenceError("UNSUPPORTED", "The proxy serves pulls only: manifests, blobs, referrers and tags/list.", "path");
  }

  const [appSlug, ...image] = parts.slice(0, -2);
  if (!appSlug || !COMPONENT_PATTERN.test(appSlug)) {
    throw new InvalidReferenceError("NAME_INVALID", `"${clip(appSlug ?? "")}" is not a valid app slug.`, "path");
  }

  // The strictest reading (no registry names): a path it accepts is valid however the portal reads it.
  resolveProxyImage(image, appSlug, { dockerHubRegistry: opts.dockerHubRegistry });
  const imagePath = image.join("/");
  return { appSlug, image, imagePath, kind, ...(reference !== undefined && { reference }), name: proxyRepository(appSlug, imagePath) };
}

/**
 * Where an image path (the segments after the app slug) points upstream. The one resolver of
 * proxy paths: the portal's lookup answers with it (knowing the team's registry names), and
 * `parseProxyPath` checks a path's grammar with it. Throws InvalidReferenceError for a path no
 * upstream can serve.
 */
export function resolveProxyImage(image: readonly string[], appSlug: string, opts: ProxyPathOptions): ProxyUpstream {
  if (image.length === 0) throw new InvalidReferenceError("NAME_INVALID", "The path names no image after the app slug.", "path");
  const [first, ...rest] = image as [string, ...string[]];
  const hubHost = dockerHubHost(opts.dockerHubRegistry);
  if (looksLikeHost(first)) {
    const host = first.toLowerCase();
    if (!HOST_PATTERN.test(host)) throw new InvalidReferenceError("NAME_INVALID", `"${clip(first)}" is not a valid registry host.`, "path");
    if (!hostFitsInPath(host)) throw new InvalidReferenceError("NAME_INVALID", `An image path can't hold a port (${clip(host)}): pull it through its registry's name.`, "path");
    if (rest.length === 0) throw new InvalidReferenceError("NAME_INVALID", `The path names the host ${clip(host)} but no repository on it.`, "path");
    if (DOCKER_HUB_ALIASES.includes(host)) return dockerHub(rest, hubHost);
    return { via: "host", hostOrName: host, repository: assertRepository(rest.join("/")) };
  }
  if (rest.length > 0 && COMPONENT_PATTERN.test(first) && opts.isRegistryName?.(first, appSlug)) {
    return { via: "name", hostOrName: first, repository: assertRepository(rest.join("/")) };
  }
  return dockerHub(image, hubHost);
}

function dockerHub(parts: readonly string[], hubHost: string): ProxyUpstream {
  const repository = parts.length === 1 ? `library/${parts[0]}` : parts.join("/");
  return { via: "docker-hub", hostOrName: hubHost, repository: assertRepository(repository) };
}
