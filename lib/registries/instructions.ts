import { formatProxyReference, hostFitsInPath, throughRegistryName } from "@/lib/oci/proxy-path";
import { dockerHubHost, parseImageReference, writtenRegistryHost } from "@/lib/oci/reference";
import { AppError } from "@/lib/errors";

/**
 * Push instructions and proxy references for the Images page. Pure functions (they run in the
 * browser as the vendor types), so no server-only imports here.
 */

/** host[:port] of a public base URL, or localhost:<port> when the URL is not configured. */
export function publicHost(url: string | undefined, port: number): string {
  if (url) {
    try {
      return new URL(url).host;
    } catch {
      // env validation already refuses malformed URLs; fall through to the local default
    }
  }
  return `localhost:${port}`;
}

/**
 * The commands to push a local image to the hosted registry under an app's slug: the target keeps
 * the image's path without its registry host, and gets `latest` when it names no tag.
 */
export function pushCommands(opts: { registryHost: string; slug: string; image: string; username: string }) {
  const local = opts.image.trim() || "IMAGE:TAG";
  const withoutDigest = local.split("@")[0]!;
  const path = writtenRegistryHost(withoutDigest) ? withoutDigest.slice(withoutDigest.indexOf("/") + 1) : withoutDigest;
  const lastSlash = path.lastIndexOf("/");
  const hasTag = path.lastIndexOf(":") > lastSlash;
  const target = `${opts.registryHost}/${opts.slug}/${hasTag ? path : `${path}:latest`}`;
  return {
    login: `docker login ${opts.registryHost} -u ${opts.username}`,
    loginWithToken: `echo "$PORTCULLIS_TOKEN" | docker login ${opts.registryHost} -u token --password-stdin`,
    tag: `docker tag ${local} ${target}`,
    push: `docker push ${target}`,
    target,
  };
}

export interface TeamRegistryRef {
  /** host[:port] the registry is reached at. */
  host: string;
  name: string | null;
}

export type ProxyReferenceResult =
  | {
      ok: true;
      /** `<PROXY_HOST>/proxy/<slug>/<image as written>`, or through the registry's name when the host can't be in a path. */
      reference: string;
      /** The same image through the registry's name (hides the upstream host), when it has one. */
      byName?: string;
      /** The upstream registry host the image lives on. */
      upstreamHost: string;
      /** Is that registry one of the team's? The proxy refuses images of registries the team doesn't have. */
      known: boolean;
    }
  | { ok: false; error: string };

/** Converts an upstream image into the reference customers pull through the proxy (docs/contracts.md, "Proxy paths"). */
export function proxyReference(opts: {
  image: string;
  slug: string;
  proxyHost: string;
  dockerHubRegistry: string;
  registries: readonly TeamRegistryRef[];
}): ProxyReferenceResult {
  const image = opts.image.trim();
  let ref;
  try {
    ref = parseImageReference(image, { dockerHubRegistry: opts.dockerHubRegistry });
  } catch (e) {
    return { ok: false, error: e instanceof AppError ? e.message : "That is not an image reference." };
  }
  const hub = dockerHubHost(opts.dockerHubRegistry);
  const registry = opts.registries.find((r) => r.host.toLowerCase() === ref.registry);
  const proxied = (path: string) => formatProxyReference({ proxyHost: opts.proxyHost, appSlug: opts.slug, image: path });
  const byName = registry?.name ? proxied(throughRegistryName(registry.name, ref)) : undefined;
  const first = image.split("/")[0]!;
  const host = writtenRegistryHost(image);

  if (host && !hostFitsInPath(host)) {
    // A repository path can't hold host:port: only the registry's name can stand for it.
    if (byName) return { ok: true, reference: byName, upstreamHost: ref.registry, known: true };
    return {
      ok: false,
      error: registry
        ? `An image path can't hold a port (${first}). Give the registry ${first} a name above and pull it through that name.`
        : `An image path can't hold a port (${first}). Add the registry ${first} above with a name, and pull it through that name.`,
    };
  }
  return {
    ok: true,
    reference: proxied(image),
    ...(byName && { byName }),
    upstreamHost: ref.registry === hub ? hub : ref.registry,
    known: !!registry,
  };
}
