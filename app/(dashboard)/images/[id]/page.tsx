import Link from "next/link";
import { notFound } from "next/navigation";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { CacheSummary } from "@/components/images/cache-summary";
import { StepList } from "@/components/images/test-result";
import { listApps } from "@/lib/apps/operations";
import { cacheStats } from "@/lib/cache/stats";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { getRegistry } from "@/lib/registries/operations";
import { registryKindLabel } from "@/lib/registries/providers";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "Registry" };

const linkClass = "font-medium text-brand-700 underline underline-offset-2";

/** One registry: what it is, its last connection test step by step, its proxy cache and the apps it serves. */
export default async function RegistryPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requireTeamContext();
  const { id } = await params;
  const registry = await invoke(getRegistry, ctx, { id }).catch((e: unknown) => {
    if (e instanceof AppError && (e.code === "not_found" || e.code === "validation_failed")) notFound();
    throw e;
  });
  const [scope, apps, cache] = await Promise.all([
    ctx.db.registry.findFirstOrThrow({ where: { id: registry.id, teamId: ctx.teamId }, select: { allApps: true, appIds: true } }),
    invoke(listApps, ctx, {}),
    cacheStats(ctx.db, ctx.teamId, registry.id),
  ]);
  const served = scope.allApps ? apps : apps.filter((a) => scope.appIds.includes(a.id));
  const test = registry.lastTest;
  return (
    <>
      <PageHeader
        back={{ href: "/images", label: "Images" }}
        title={registry.name ?? registry.host}
        description={
          <>
            {registryKindLabel(registry.provider, registry.endpoint, env().DOCKER_HUB_REGISTRY)} at <code className="font-mono [overflow-wrap:anywhere]">{registry.host}</code>, signed in
            to as <code className="font-mono [overflow-wrap:anywhere]">{registry.username}</code>. Credentials set <RelativeTime iso={registry.credentialsUpdatedAt.toISOString()} />
            {registry.credentialsVersion > 1 ? ` (rotated ${registry.credentialsVersion - 1} ×)` : ""}. Test, rotate or delete it on the{" "}
            <Link href="/images" className={linkClass}>
              Images
            </Link>{" "}
            page.
          </>
        }
      />
      <Card className="mb-6">
        <h2 className="flex flex-wrap items-center gap-2 text-base font-semibold">
          Last connection test
          {test && <Badge tone={test.ok ? "green" : "red"}>{test.ok ? "passed" : "failed"}</Badge>}
        </h2>
        {test ? (
          <div className="mt-2 space-y-3" data-testid="registry-last-test">
            <p className="text-sm text-slate-600">
              <RelativeTime iso={test.at.toISOString()} />
              {test.image ? <> with the image <code className="font-mono [overflow-wrap:anywhere]">{test.image}</code></> : null}: {test.summary}
            </p>
            <StepList steps={test.steps} />
          </div>
        ) : (
          <p className="mt-2 text-sm text-slate-600">Not tested yet.</p>
        )}
      </Card>
      <Card className="mb-6">
        <h2 className="mb-2 text-base font-semibold">Proxy cache</h2>
        <CacheSummary cache={{ ...cache, since: cache.since?.toISOString() ?? null }} host={registry.host} />
      </Card>
      <Card>
        <h2 className="text-base font-semibold">Apps it serves</h2>
        <p className="mb-3 mt-0.5 text-sm text-slate-600">
          {scope.allApps ? "Every app of the team: their licenses may pull from it through the proxy." : "Only these apps' licenses may pull from it through the proxy."}
        </p>
        {served.length === 0 ? (
          <EmptyState title="No apps yet">Create an app on the Apps page: this registry serves it.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-200 rounded-md border border-slate-200" aria-label="Apps it serves">
            {served.map((a) => (
              <li key={a.id} className="flex flex-wrap items-baseline gap-x-2 px-3 py-2 text-sm">
                <Link href={`/apps/${a.id}`} className={linkClass}>
                  {a.name}
                </Link>
                <code className="font-mono text-xs text-slate-600">{a.slug}</code>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
