import { AppError } from "@/lib/errors";
import { InvalidReferenceError } from "@/lib/oci/errors";
import { assertRepository, clip } from "@/lib/oci/names";
import { hostFitsInPath, resolveProxyImage } from "@/lib/oci/proxy-path";
import { parseImageReference, writtenRegistryHost } from "@/lib/oci/reference";
import { endpointHost, matchRegistry } from "./registry-match";

/**
 * What the vendor typed as an app's image, read into what is stored and checked at every pull:
 * - `REGISTRY_HOST/<slug>/<image>[:tag]`: a repository of the hosted registry under the app's slug;
 * - anything else: an upstream image, read as the proxy reads its path (a host, a registry name,
 *   else Docker Hub) and matched to one of the team's registries; `host:port/…` (which a proxy
 *   path can't hold) is matched by its exact host.
 */

export interface ParsedAppImage {
  source: "upstream" | "hosted";
  /** Upstream: host[:port] of the matched registry's endpoint. Hosted: the hosted registry's public host. */
  registryHost: string;
  repository: string;
  /** Tag or digest; "latest" when none was written. */
  reference: string;
}

export interface ParseContext {
  appSlug: string;
  /** The hosted registry's public host[:port] (REGISTRY_URL), when there is one. */
  hostedHost?: string;
  dockerHubRegistry: string;
  registries: ReadonlyArray<{ endpoint: string; name: string | null }>;
}

const invalid = (message: string) => new AppError("validation_failed", message, { fields: { reference: message } });

export function parseAppImage(text: string, ctx: ParseContext): ParsedAppImage {
  const input = text.trim();
  let parsed;
  try {
    parsed = parseImageReference(input, { dockerHubRegistry: ctx.dockerHubRegistry });
  } catch (e) {
    if (e instanceof InvalidReferenceError) throw invalid(e.message);
    throw e;
  }
  const reference = parsed.digest ?? parsed.tag ?? "latest";
  const withoutDigest = input.split("@")[0]!;
  const colon = withoutDigest.lastIndexOf(":");
  const name = colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(0, colon) : withoutDigest;
  const host = writtenRegistryHost(name);

  if (host && ctx.hostedHost && host === ctx.hostedHost.toLowerCase()) {
    const repository = name.slice(host.length + 1);
    if (!repository.startsWith(`${ctx.appSlug}/`)) {
      throw invalid(`Images of the hosted registry live under the app's slug: ${ctx.hostedHost}/${ctx.appSlug}/<image>.`);
    }
    return { source: "hosted", registryHost: ctx.hostedHost.toLowerCase(), repository: assertRepository(repository), reference };
  }

  let registry;
  let repository: string;
  if (host && !hostFitsInPath(host)) {
    registry = ctx.registries.find((r) => endpointHost(r.endpoint) === host);
    repository = parsed.repository;
  } else {
    let upstream;
    try {
      upstream = resolveProxyImage(name.split("/"), ctx.appSlug, {
        dockerHubRegistry: ctx.dockerHubRegistry,
        isRegistryName: (n) => ctx.registries.some((r) => r.name === n),
      });
    } catch (e) {
      if (e instanceof InvalidReferenceError) throw invalid(e.message);
      throw e;
    }
    registry = matchRegistry(ctx.registries, upstream, ctx.dockerHubRegistry);
    repository = upstream.repository;
  }
  if (!registry) {
    const where = host ?? parsed.registry;
    throw invalid(`No registry of this team serves ${clip(where)}: add it on the Images page first, or push the image to the hosted registry.`);
  }
  return { source: "upstream", registryHost: endpointHost(registry.endpoint), repository, reference };
}

/** `:tag` or `@digest`. */
export const referenceSuffix = (reference: string) => (reference.includes(":") ? `@${reference}` : `:${reference}`);
