import Link from "next/link";
import { notFound } from "next/navigation";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { AddImageForm } from "@/components/apps/add-image-form";
import { AppImageList } from "@/components/apps/app-image-list";
import { ImageSuggestions } from "@/components/apps/image-suggestions";
import { OnlyListedSwitch } from "@/components/apps/only-listed-switch";
import { AppRegistries } from "@/components/apps/app-registries";
import { appRegistries } from "@/lib/apps/registry-scope";
import { appImageSuggestions, listAppImages } from "@/lib/apps/images/operations";
import { hostsFromEnv } from "@/lib/apps/images/pull-references";
import { can } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "App" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function AppPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requireTeamContext();
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  let listed;
  try {
    listed = await invoke(listAppImages, ctx, { id });
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") notFound();
    throw e;
  }
  const [app, suggestions, registries] = await Promise.all([
    ctx.db.app.findFirstOrThrow({ where: { id, teamId: ctx.teamId }, select: { name: true } }),
    invoke(appImageSuggestions, ctx, { id }),
    invoke(appRegistries, ctx, { id }),
  ]);
  const { proxyHost, registryHost } = hostsFromEnv();
  const canWrite = can(ctx.role, "write");
  const slug = listed.app.slug;
  const images = listed.images.map((i) => ({ ...i, createdAt: i.createdAt.toISOString() }));

  return (
    <>
      <PageHeader
        back={{ href: "/apps", label: "Apps" }}
        title={app.name}
        description={
          <>
            Slug <code className="font-mono">{slug}</code>. Customers log in as <code className="font-mono">LICENSE_ID</code> with their license ID and pull images of your
            registries through the proxy at <code className="font-mono">{proxyHost}/proxy/{slug}/…</code>, and images pushed to the Portcullis registry from it directly, at{" "}
            <code className="font-mono">{registryHost}/{slug}/…</code>.
          </>
        }
      />
      <Card className="mb-6">
        <h2 className="text-base font-semibold">Images</h2>
        <p className="mb-3 mt-0.5 text-sm text-slate-600">The images this app ships, and the reference a customer pulls each by.</p>
        <div className="mb-4">
          <OnlyListedSwitch appId={id} on={listed.app.onlyListedImages} canWrite={canWrite} listed={images.length} />
        </div>
        {canWrite && (
          <div className="mb-4">
            <AddImageForm appId={id} registryHost={registryHost} slug={slug} />
          </div>
        )}
        {images.length === 0 ? (
          <EmptyState title="No images listed">
            {canWrite ? "Add the images this app ships above, or pick from the suggestions below." : "A developer or admin of this team can list this app's images."}
          </EmptyState>
        ) : (
          <div className="-mx-5 border-t border-slate-200">
            <AppImageList appId={id} images={images} canWrite={canWrite} />
          </div>
        )}
      </Card>
      <Card className="mb-6 p-0">
        <h2 className="px-4 pt-4 text-base font-semibold">Registries</h2>
        <p className="px-4 pb-2 text-sm text-slate-600">
          The registries this app&apos;s licenses may pull from through the proxy.{can(ctx.role, "admin") ? "" : " Team admins can change them."}
        </p>
        {registries.length === 0 ? (
          <p className="border-t border-slate-200 px-4 py-3 text-sm text-slate-500">
            No registries yet: connect one on the{" "}
            <Link href="/images" className="text-brand-700 underline underline-offset-2">
              Images
            </Link>{" "}
            page, or push to the Portcullis registry.
          </p>
        ) : (
          <div className="border-t border-slate-200">
            <AppRegistries appId={id} registries={registries} canAdmin={can(ctx.role, "admin")} />
          </div>
        )}
      </Card>
      <Card className="p-0">
        <h2 className="px-4 pt-4 text-base font-semibold">Suggested</h2>
        <p className="px-4 pb-2 text-sm text-slate-600">Seen in pushes to the Portcullis registry under {slug}/ and in customers&apos; pulls through the proxy, not listed yet.</p>
        {suggestions.length === 0 ? (
          <p className="border-t border-slate-200 px-4 py-3 text-sm text-slate-500">Nothing to suggest: no push under {slug}/ or pull by a customer names an image missing from the list.</p>
        ) : (
          <div className="border-t border-slate-200">
            <ImageSuggestions appId={id} suggestions={suggestions.map((s) => ({ ...s, lastSeenAt: s.lastSeenAt.toISOString() }))} canWrite={canWrite} />
          </div>
        )}
      </Card>
    </>
  );
}
