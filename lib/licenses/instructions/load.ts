import type { Db } from "@/lib/db/client";
import { env } from "@/lib/config/env";
import { publicHost } from "@/lib/registries/instructions";
import { revealLicenseId } from "@/lib/licenses/secret";
import { notFound } from "@/lib/errors";
import { appImages, type AppImagesSource } from "./app-images";
import { buildInstructions, type LicenseInstructions } from "./build";

export interface LoadedInstructions extends LicenseInstructions {
  licenseRef: string;
  appSlug: string;
}

/**
 * The instructions of one license of `teamId` (not_found for another team's): the license ID in
 * clear, so callers check first that the caller may see it (a vendor's developer role, or the
 * customer's own session).
 */
export async function loadLicenseInstructions(
  db: Db,
  opts: { teamId: string; licenseRowId: string; namespace?: string; additionalNamespaces?: string[]; images?: AppImagesSource },
): Promise<LoadedInstructions> {
  const row = await db.license.findFirst({
    where: { id: opts.licenseRowId, teamId: opts.teamId },
    select: { id: true, appId: true, app: { select: { slug: true } } },
  });
  if (!row) throw notFound("That license does not exist.");
  const e = env();
  const [licenseId, images] = await Promise.all([
    revealLicenseId(db, opts.teamId, row.id),
    (opts.images ?? appImages)(db, { teamId: opts.teamId, appId: row.appId, appSlug: row.app.slug }),
  ]);
  return {
    licenseRef: row.id,
    appSlug: row.app.slug,
    ...buildInstructions({
      appSlug: row.app.slug,
      licenseId,
      proxyHost: publicHost(e.PROXY_URL, e.PROXY_PORT),
      registryHost: publicHost(e.REGISTRY_URL, e.REGISTRY_PORT),
      images,
      namespace: opts.namespace ?? row.app.slug,
      additionalNamespaces: opts.additionalNamespaces ?? [],
    }),
  };
}
