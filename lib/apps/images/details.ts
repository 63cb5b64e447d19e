import "server-only";
import type { Db } from "@/lib/db/client";
import { formatPlatform, isHelmChart, type ManifestSummary } from "@/lib/oci/manifest";
import { runConnectionTest } from "@/lib/registries/connection";
import { loadRegistryCredentials } from "@/lib/registries/secret";
import { HostedRegistryError, hostedImagesClient } from "@/lib/registry-auth/hosted-images";
import type { AppImageDetailsDto } from "./dto";
import { referenceSuffix } from "./parse";
import { endpointHost } from "./registry-match";

/**
 * What an app's image is right now, read live: an upstream image with the registry connection
 * test (lib/registries/connection.ts, the same steps and words as the Images page's Test), a
 * hosted one with the portal's client of the hosted registry. Only whether it is a Helm chart is
 * kept (by the caller, lib/apps/images/operations.ts), for the install instructions.
 */

type Image = { id: string; source: string; registryHost: string; repository: string; reference: string };

const fromSummary = (id: string, m: Pick<ManifestSummary, "digest" | "kind" | "layerBytes" | "configMediaType"> & { platforms: string[] }): AppImageDetailsDto => ({
  id,
  ok: true,
  digest: m.digest,
  kind: m.kind,
  platforms: m.platforms,
  compressedBytes: m.kind === "image" ? (m.layerBytes ?? null) : null,
  helmChart: isHelmChart(m),
  problem: null,
});

const failed = (id: string, problem: string): AppImageDetailsDto => ({ id, ok: false, digest: null, kind: null, platforms: [], compressedBytes: null, helmChart: false, problem });

export async function describeAppImage(db: Db, teamId: string, image: Image): Promise<AppImageDetailsDto> {
  const label = `${image.repository}${referenceSuffix(image.reference)}`;
  if (image.source === "hosted") {
    const hosted = hostedImagesClient();
    if (!hosted) return failed(image.id, "No hosted registry is configured (REGISTRY_URL).");
    try {
      const m = await hosted.describe(image.repository, image.reference);
      if (!m) return failed(image.id, `${label} is not in the hosted registry: push it first.`);
      return fromSummary(image.id, { ...m, platforms: m.platforms.map(formatPlatform) });
    } catch (e) {
      if (e instanceof HostedRegistryError) return failed(image.id, e.message);
      throw e;
    }
  }
  const registries = await db.registry.findMany({ where: { teamId }, orderBy: { createdAt: "asc" } });
  const registry = registries.find((r) => endpointHost(r.endpoint) === image.registryHost);
  if (!registry) return failed(image.id, `No registry of this team serves ${image.registryHost} any more.`);
  const credentials = await loadRegistryCredentials(db, registry);
  const test = await runConnectionTest(registry.endpoint, credentials, label, { allowedRealmHosts: registry.allowedRealmHosts });
  if (!test.ok || !test.manifest) return failed(image.id, test.summary);
  return fromSummary(image.id, { ...test.manifest, kind: test.manifest.kind });
}
