import "server-only";
import { env as processEnv, type Env } from "@/lib/config/env";
import type { Db, Tx } from "@/lib/db/client";
import { notFound } from "@/lib/errors";
import { InvalidReferenceError } from "@/lib/oci/errors";
import { formatProxyReference, hostFitsInPath } from "@/lib/oci/proxy-path";
import { dockerHubHost } from "@/lib/oci/reference";
import { publicHost } from "@/lib/registries/instructions";
import type { AppImageDto, AppImagesDto } from "./dto";
import { referenceSuffix } from "./parse";
import { endpointHost } from "./registry-match";

/**
 * An app's images with the reference a customer pulls each by (docs/hosted-registry.md,
 * "Where customers pull"):
 * - an upstream image through the proxy: `PROXY_HOST/proxy/<slug>/<host>/<repository>:<tag>`
 *   (Docker Hub images without a host; a registry on `host:port` through its name, which a path
 *   can hold);
 * - a hosted image from the hosted registry itself: `REGISTRY_HOST/<slug>/<image>:<tag>`, with
 *   the same license login (the pull secret holds both hosts).
 * The install instructions, the Apps page and the REST API all read them here.
 */

interface Hosts {
  proxyHost: string;
  /** The hosted registry's public host (REGISTRY_URL): hosted images are pulled there, wherever it moved since they were listed. */
  registryHost: string;
  dockerHubRegistry: string;
}

export function hostsFromEnv(e: Env = processEnv()) {
  return {
    proxyHost: publicHost(e.PROXY_URL, e.PROXY_PORT),
    registryHost: publicHost(e.REGISTRY_URL, e.REGISTRY_PORT),
    dockerHubRegistry: e.DOCKER_HUB_REGISTRY,
  };
}

type ImageRow = { id: string; source: string; registryHost: string; repository: string; reference: string; helmChart: boolean; createdAt: Date };
type RegistryRow = { endpoint: string; name: string | null };

/** One image as customers pull it: the reference, or why there is none. */
export function pullReferenceOf(image: ImageRow, appSlug: string, registries: readonly RegistryRow[], hosts: Hosts): AppImageDto {
  const suffix = referenceSuffix(image.reference);
  const base = { id: image.id, registryHost: image.registryHost, repository: image.repository, reference: image.reference, helmChart: image.helmChart, createdAt: image.createdAt };
  if (image.source === "hosted") {
    const ref = `${hosts.registryHost}/${image.repository}${suffix}`;
    return { ...base, registryHost: hosts.registryHost, source: "hosted", image: ref, pullFrom: "hosted-registry", pullReference: ref, problem: null };
  }
  const hub = image.registryHost === dockerHubHost(hosts.dockerHubRegistry);
  const shown = `${hub ? "docker.io" : image.registryHost}/${image.repository}${suffix}`;
  const upstream = { ...base, source: "upstream" as const, image: shown, pullFrom: "proxy" as const };
  const registry = registries.find((r) => endpointHost(r.endpoint) === image.registryHost);
  if (!registry) {
    return { ...upstream, pullReference: null, problem: `No registry of this team serves ${image.registryHost} any more: add it on the Images page.` };
  }
  let path: string;
  if (hub) path = image.repository;
  else if (hostFitsInPath(image.registryHost)) path = `${image.registryHost}/${image.repository}`;
  else if (registry.name) path = `${registry.name}/${image.repository}`;
  else {
    return { ...upstream, pullReference: null, problem: `A proxy path can't hold a port (${image.registryHost}): give that registry a name on the Images page.` };
  }
  try {
    return { ...upstream, pullReference: formatProxyReference({ proxyHost: hosts.proxyHost, appSlug, image: `${path}${suffix}` }), problem: null };
  } catch (e) {
    if (e instanceof InvalidReferenceError) return { ...upstream, pullReference: null, problem: e.message };
    throw e;
  }
}

/**
 * The images of one app of `teamId`, each with the reference a customer pulls it by. Throws
 * not_found for an app that is not the team's (or deleted).
 */
export async function appImagesWithPullReferences(db: Db | Tx, opts: { teamId: string; appId: string; env?: Env }): Promise<AppImagesDto> {
  const app = await db.app.findFirst({
    where: { id: opts.appId, teamId: opts.teamId, deletedAt: null },
    select: { id: true, slug: true, onlyListedImages: true, images: { where: { teamId: opts.teamId }, orderBy: { createdAt: "asc" } } },
  });
  if (!app) throw notFound("That app does not exist.");
  const registries = await db.registry.findMany({ where: { teamId: opts.teamId }, select: { endpoint: true, name: true }, orderBy: { createdAt: "asc" } });
  const hosts = hostsFromEnv(opts.env);
  return {
    app: { id: app.id, slug: app.slug, onlyListedImages: app.onlyListedImages },
    images: app.images.map((i) => pullReferenceOf(i, app.slug, registries, hosts)),
  };
}
