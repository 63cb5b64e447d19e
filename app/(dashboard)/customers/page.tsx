import { ScrollingCode } from "@/components/ui/code-block";
import Link from "next/link";
import { Suspense } from "react";
import { LoadingBlock } from "@/components/ui/loading-block";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { buttonClass } from "@/components/ui/button-class";
import { CopyButton } from "@/components/ui/copy-button";
import { CreateCustomerForm } from "@/components/customers/create-customer-form";
import { CustomerCard } from "@/components/customers/customer-card";
import { toCustomerView } from "@/components/customers/types";
import { Field } from "@/components/ui/field";
import { listCustomers } from "@/lib/customers/operations";
import { listCustomersSchema } from "@/lib/customers/schemas";
import { lastPullPerLicense } from "@/lib/activity/last-pulls";
import { licenseSigningKey } from "@/lib/licenses/operations";
import { listApps } from "@/lib/apps/operations";
import { listPullActivity } from "@/lib/activity/operations";
import { pullActivityQuerySchema } from "@/lib/activity/schemas";
import { PullActivityList } from "@/components/activity/pull-activity-list";
import { PullFilters } from "@/components/activity/pull-filters";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";
import { can } from "@/lib/auth/permissions";
import type { TeamContext } from "@/lib/auth/context";

export const metadata = { title: "Customers" };

/**
 * The page's top (what it is, the new customer form, the search) needs no data beyond the signed-in
 * team, so it is in the first response the browser paints; the lists, which wait on the database,
 * follow in the same response (a Suspense boundary) below it.
 */
export default async function CustomersPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await requireTeamContext();
  const sp = await searchParams;
  const showArchived = sp.archived === "1";
  // A search too long to be a name falls back to none rather than an error page.
  const q = listCustomersSchema.safeParse({ q: sp.q }).data?.q;
  const canWrite = can(ctx.role, "write");
  return (
    <>
      <PageHeader
        title="Customers"
        description="The companies that install your apps. Each license lets one customer pull one app's images; its ID is their only credential. Revoke a license and their pulls stop."
        actions={
          <Link href={showArchived ? "/customers" : "/customers?archived=1"} className="text-sm font-medium text-brand-700 underline underline-offset-2">
            {showArchived ? "Hide archived" : "Show archived"}
          </Link>
        }
      />
      {canWrite ? (
        <Card className="mb-6">
          <h2 className="mb-3 text-base font-semibold">New customer</h2>
          <CreateCustomerForm />
        </Card>
      ) : (
        <Notice className="mb-6">Your role is read-only: you can see customers and license status, but not license IDs, files or changes.</Notice>
      )}
      <form role="search" aria-label="Customers" action="/customers" className="mb-4 flex flex-wrap items-end gap-2">
        {showArchived && <input type="hidden" name="archived" value="1" />}
        <Field label="Search customers" name="q" type="search" defaultValue={q ?? ""} placeholder="Name or email" className="min-w-0 flex-1 basis-60" />
        <button type="submit" className={buttonClass("secondary")}>
          Search
        </button>
        {q && (
          <Link href={showArchived ? "/customers?archived=1" : "/customers"} className="rounded py-2 text-sm font-medium text-brand-700 underline underline-offset-2">
            Clear
          </Link>
        )}
      </form>
      <Suspense fallback={<LoadingBlock label="Loading customers…" className="h-28" />}>
        <CustomerLists ctx={ctx} sp={sp} showArchived={showArchived} q={q} canWrite={canWrite} />
      </Suspense>
    </>
  );
}

/** The customers with their licenses, the customers' pull attempts and the team's signing key. */
async function CustomerLists({
  ctx,
  sp,
  showArchived,
  q,
  canWrite,
}: {
  ctx: TeamContext;
  sp: Record<string, string | undefined>;
  showArchived: boolean;
  q: string | undefined;
  canWrite: boolean;
}) {
  // The attempts' filters; a hand-edited query string falls back to none rather than an error page.
  const parsed = pullActivityQuerySchema.safeParse({ appId: sp.appId, customerId: sp.customerId, result: sp.result, page: sp.page });
  const query = parsed.success ? parsed.data : pullActivityQuerySchema.parse({});
  const [customers, apps, key] = await Promise.all([
    invoke(listCustomers, ctx, { includeArchived: showArchived, q }),
    invoke(listApps, ctx, {}),
    invoke(licenseSigningKey, ctx, {}),
  ]);
  const known = (!query.appId || apps.some((a) => a.id === query.appId)) && (!query.customerId || customers.some((c) => c.id === query.customerId));
  const filter = known ? query : pullActivityQuerySchema.parse({});
  const [pulls, lastPulls] = await Promise.all([invoke(listPullActivity, ctx, filter), lastPullPerLicense(ctx, customers.flatMap((c) => c.licenses.map((l) => l.id)))]);
  const keep: Record<string, string> = showArchived ? { archived: "1" } : {};
  const pageHref = (page: number) =>
    `/customers?${new URLSearchParams({ ...keep, ...(filter.appId && { appId: filter.appId }), ...(filter.customerId && { customerId: filter.customerId }), ...(filter.result && { result: filter.result }), page: String(page) })}#pull-attempts`;
  const appChoices = apps.map((a) => ({ slug: a.slug, name: a.name }));
  return (
    <>
      {customers.length === 0 && q ? (
        <EmptyState title="No customer matches">No customer&apos;s name or contact email contains “{q}”.</EmptyState>
      ) : customers.length === 0 ? (
        <EmptyState title="No customers yet">
          {canWrite ? "Create a customer above, then issue a license for one of your apps." : "An admin or developer of this team has not created any customers yet."}
        </EmptyState>
      ) : (
        <div className="space-y-4">
          {customers.map((c) => (
            <CustomerCard key={c.id} customer={toCustomerView(c, lastPulls)} apps={appChoices} canWrite={canWrite} />
          ))}
        </div>
      )}
      <div className="mt-8" id="pull-attempts">
        <PullActivityList
          page={pulls}
          title="Pull attempts by customers"
          empty={
            filter.appId || filter.customerId || filter.result
              ? "No attempts match these filters."
              : "No pulls yet. Every pull through the proxy is listed here: refused ones too (an unknown license under the app it named), with the reason and its fix."
          }
          pageHref={pageHref}
          filters={
            <PullFilters
              action="/customers"
              keep={keep}
              query={filter}
              apps={apps.map((a) => ({ value: a.id, label: a.slug }))}
              customers={customers.map((c) => ({ value: c.id, label: c.name }))}
            />
          }
        />
      </div>
      <Card className="mt-8">
        <h2 className="text-base font-semibold">License signing key</h2>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Every downloaded license file is signed with this team&apos;s Ed25519 key (key ID <code className="font-mono">{key.keyId}</code>). Ship the public
          key with your installer to check a license file offline — the signature covers the canonical JSON of <code>apiVersion</code>, <code>kind</code> and{" "}
          <code>spec</code>; see the <Link href="/api-reference/licenses" className="text-brand-700 underline underline-offset-2">API reference</Link>. Revocation is checked
          online, at pull time.
        </p>
        <div className="mt-3 flex items-start gap-2">
          <ScrollingCode testId="signing-key" label="Public signing key" className="min-w-0 flex-1 rounded-md bg-slate-900 p-3">
            {key.publicKeyPem.trim()}
          </ScrollingCode>
          <CopyButton value={key.publicKeyPem} label="Copy public key" />
        </div>
      </Card>
    </>
  );
}
