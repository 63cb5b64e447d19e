import { Suspense } from "react";
import { LoadingBlock } from "@/components/ui/loading-block";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { CreateAppForm } from "@/components/apps/create-app-form";
import { AppRow } from "@/components/apps/app-row";
import { listApps } from "@/lib/apps/operations";
import { listActivity } from "@/lib/activity/operations";
import { ActivityList } from "@/components/activity/activity-list";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";
import { can } from "@/lib/auth/permissions";
import type { TeamContext } from "@/lib/auth/context";

export const metadata = { title: "Apps" };

/**
 * The page's top (what apps are, the new app form) needs no data beyond the signed-in team, so it
 * is in the first response the browser paints; the list and the activity, which wait on the
 * database, follow in the same response (a Suspense boundary) below it.
 */
export default async function AppsPage({ searchParams }: { searchParams: Promise<{ welcome?: string; joined?: string }> }) {
  const ctx = await requireTeamContext();
  const { joined } = await searchParams;
  const canWrite = can(ctx.role, "write");
  return (
    <>
      <PageHeader
        title="Apps"
        description="Each app you ship gets a slug. With their license, customers pull its images from your registries through the proxy at proxy/<slug>/<image>, and images you pushed to the Portcullis registry from it directly at <slug>/<image>. Open an app to list its images."
      />
      {joined && <Notice tone="success" className="mb-4">You joined {ctx.teamName}.</Notice>}
      {canWrite ? (
        <Card className="mb-6">
          <h2 className="mb-3 text-base font-semibold">New app</h2>
          <CreateAppForm />
        </Card>
      ) : (
        <Notice className="mb-6">Your role is read-only: you can see apps but not create or change them. Ask an admin for developer access.</Notice>
      )}
      <Suspense fallback={<LoadingBlock label="Loading apps…" />}>
        <AppList ctx={ctx} canWrite={canWrite} />
      </Suspense>
    </>
  );
}

/** The team's apps and, once there are any, their recent pushes and pulls. */
async function AppList({ ctx, canWrite }: { ctx: TeamContext; canWrite: boolean }) {
  const apps = await invoke(listApps, ctx, {});
  if (apps.length === 0) {
    return (
      <EmptyState title="No apps yet">
        {canWrite ? "Create an app above: its slug becomes part of every image path your customers pull." : "An admin or developer of this team has not created any apps yet."}
      </EmptyState>
    );
  }
  const activity = await invoke(listActivity, ctx, { limit: 20 });
  const canDelete = can(ctx.role, "admin");
  return (
    <>
      <Card className="p-0">
        <ul className="divide-y divide-slate-200" aria-label="Apps">
          {apps.map((app) => (
            <AppRow key={app.id} app={{ ...app, createdAt: app.createdAt.toISOString() }} canWrite={canWrite} canDelete={canDelete} />
          ))}
        </ul>
      </Card>
      {canWrite && !canDelete && (
        <p id="apps-delete-admins-only" className="mt-2 text-xs text-slate-500">
          Only team admins can delete apps: deleting revokes every license of the app and deletes its images from the hosted registry.
        </p>
      )}
      <div className="mt-6">
        <ActivityList events={activity} empty="No pushes or pulls yet. Pushes to the hosted registry and pulls by customers appear here." />
      </div>
    </>
  );
}
