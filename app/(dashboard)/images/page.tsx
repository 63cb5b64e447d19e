import { PageHeader } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { RegistriesSection } from "@/components/images/registries-section";
import { PushInstructions } from "@/components/images/push-instructions";
import type { CacheView, RegistryRow } from "@/components/images/types";
import { listApps } from "@/lib/apps/operations";
import { can } from "@/lib/auth/permissions";
import { cacheStatsForTeam, type CacheStats } from "@/lib/cache/stats";
import { env } from "@/lib/config/env";
import { publicHost } from "@/lib/registries/instructions";
import { listRegistries, type RegistryDto } from "@/lib/registries/operations";
import { providerViews, registryKindLabel, registryProvider, registryProviderNames } from "@/lib/registries/providers";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "Images" };

const toCacheView = (c: CacheStats): CacheView => ({ ...c, since: c.since?.toISOString() ?? null });

function toRow(r: RegistryDto, cache: CacheStats, dockerHubRegistry: string): RegistryRow {
  return {
    id: r.id,
    provider: r.provider,
    kindLabel: registryKindLabel(r.provider, r.endpoint, dockerHubRegistry),
    usernameLabel: registryProvider(r.provider).view.usernameLabel,
    name: r.name,
    host: r.host,
    address: new URL(r.endpoint).host,
    endpointInput: r.endpointInput,
    username: r.username,
    createdAt: r.createdAt.toISOString(),
    createdByEmail: r.createdByEmail,
    credentialsUpdatedAt: r.credentialsUpdatedAt.toISOString(),
    credentialsUpdatedBy: r.credentialsUpdatedBy,
    credentialsVersion: r.credentialsVersion,
    allowedRealmHosts: r.allowedRealmHosts,
    lastTest: r.lastTest && { ...r.lastTest, at: r.lastTest.at.toISOString() },
    cache: toCacheView(cache),
  };
}

export default async function ImagesPage({ searchParams }: { searchParams: Promise<{ add?: string | string[] }> }) {
  const ctx = await requireTeamContext();
  // `?add=<provider>` (the ECR tutorial links to `?add=ecr`) opens the add dialog on that provider's tab.
  const add = (await searchParams).add;
  const openAdd = registryProviderNames.find((p) => p === add);
  const [registries, apps] = await Promise.all([invoke(listRegistries, ctx, {}), invoke(listApps, ctx, {})]);
  const caches = await cacheStatsForTeam(ctx.db, ctx.teamId);
  const e = env();
  const registryHost = publicHost(e.REGISTRY_URL, e.REGISTRY_PORT);
  const proxyHost = publicHost(e.PROXY_URL, e.PROXY_PORT);
  // Read after the registries: one missing here was deleted meanwhile.
  const rows = registries.filter((r) => caches.has(r.id)).map((r) => toRow(r, caches.get(r.id)!, e.DOCKER_HUB_REGISTRY));
  const abilities = { canWrite: can(ctx.role, "write"), canAdmin: can(ctx.role, "admin") };
  return (
    <>
      <PageHeader
        title="Images"
        description="Connect the registries your images live in, test them, and give each app's images a path customers pull through Portcullis with their license."
      />
      {!abilities.canWrite && (
        <Notice className="mb-6">Your role is read-only: you can see the registries and instructions, but not add, test or change registries.</Notice>
      )}
      <RegistriesSection registries={rows} providers={providerViews()} abilities={abilities} proxyHost={proxyHost} openAdd={abilities.canWrite ? openAdd : undefined} />
      <PushInstructions
        apps={apps.map((a) => ({ id: a.id, name: a.name, slug: a.slug }))}
        registryHost={registryHost}
        proxyHost={proxyHost}
        dockerHubRegistry={e.DOCKER_HUB_REGISTRY}
        registries={rows.map((r) => ({ host: r.address, name: r.name }))}
        username={ctx.email}
      />
    </>
  );
}
