import type { Db } from "@/lib/db/client";
import { dockerHubHost } from "@/lib/oci/reference";
import { endpointHost } from "./registry-match";

/**
 * May a license of `appId` pull `repository` from `registry`? Checked by the proxy's lookup after
 * the license itself and the registry are known:
 * - `registry_not_in_app`: the registry is scoped to chosen apps, and this is not one of them;
 * - `not_in_app`: the app lists its images, "only listed images" is on, and no listed image is
 *   this registry's repository (an app that lists none pulls what its registries hold).
 * The reasons go to the customer in the OCI error's message.
 */

type ListedImage = { source: string; registryHost: string; repository: string };

/**
 * The one rule of "only listed images", for the proxy (upstream repositories) and the hosted
 * registry's token service (lib/registry-auth/grants.ts, hosted repositories): with the switch on
 * and at least one image listed, a license pulls only the listed repositories. A hosted image is
 * matched by its repository alone (the hosted registry's host may have moved since it was listed).
 */
export function isListedForApp(
  app: { onlyListedImages: boolean; images: readonly ListedImage[] },
  image: { source: "upstream"; registryHost: string; repository: string } | { source: "hosted"; repository: string },
): boolean {
  if (!app.onlyListedImages || app.images.length === 0) return true;
  return app.images.some((i) => i.source === image.source && i.repository === image.repository && (image.source === "hosted" || i.registryHost === image.registryHost));
}

export type Entitlement = { ok: true } | { ok: false; code: "not_in_app" | "registry_not_in_app"; reason: string };

export async function checkImageEntitlement(
  db: Db,
  opts: { teamId: string; appId: string; registry: { endpoint: string; allApps: boolean; appIds: readonly string[] }; repository: string; dockerHubRegistry: string },
): Promise<Entitlement> {
  const app = await db.app.findFirst({
    where: { id: opts.appId, teamId: opts.teamId },
    select: { slug: true, onlyListedImages: true, images: { where: { teamId: opts.teamId }, select: { source: true, registryHost: true, repository: true } } },
  });
  if (!app) return { ok: false, code: "registry_not_in_app", reason: "This application's images are not available from that registry." };
  const host = endpointHost(opts.registry.endpoint);
  const shownHost = host === dockerHubHost(opts.dockerHubRegistry) ? "docker.io" : host;
  if (!opts.registry.allApps && !opts.registry.appIds.includes(opts.appId)) {
    return { ok: false, code: "registry_not_in_app", reason: `${shownHost} is not one of the registries of app '${app.slug}'.` };
  }
  if (!isListedForApp(app, { source: "upstream", registryHost: host, repository: opts.repository })) {
    return { ok: false, code: "not_in_app", reason: `${shownHost}/${opts.repository} is not one of the images of app '${app.slug}'.` };
  }
  return { ok: true };
}
