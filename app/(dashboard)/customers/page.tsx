import { ScrollingCode } from "@/components/ui/code-block";
import Link from "next/link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { CopyButton } from "@/components/ui/copy-button";
import { CreateCustomerForm } from "@/components/customers/create-customer-form";
import { CustomerCard } from "@/components/customers/customer-card";
import { toCustomerView } from "@/components/customers/types";
import { listCustomers } from "@/lib/customers/operations";
import { licenseSigningKey } from "@/lib/licenses/operations";
import { listApps } from "@/lib/apps/operations";
import { listActivity } from "@/lib/activity/operations";
import { ActivityList } from "@/components/activity/activity-list";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";
import { can } from "@/lib/auth/permissions";

export const metadata = { title: "Customers" };

export default async function CustomersPage({ searchParams }: { searchParams: Promise<{ archived?: string }> }) {
  const ctx = await requireTeamContext();
  const showArchived = (await searchParams).archived === "1";
  const [customers, apps, key, pulls] = await Promise.all([
    invoke(listCustomers, ctx, { includeArchived: showArchived }),
    invoke(listApps, ctx, {}),
    invoke(licenseSigningKey, ctx, {}),
    invoke(listActivity, ctx, { customersOnly: true, limit: 30 }),
  ]);
  const canWrite = can(ctx.role, "write");
  const appChoices = apps.map((a) => ({ slug: a.slug, name: a.name }));
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
      {customers.length === 0 ? (
        <EmptyState title="No customers yet">
          {canWrite ? "Create a customer above, then issue a license for one of your apps." : "An admin or developer of this team has not created any customers yet."}
        </EmptyState>
      ) : (
        <div className="space-y-4">
          {customers.map((c) => (
            <CustomerCard key={c.id} customer={toCustomerView(c)} apps={appChoices} canWrite={canWrite} />
          ))}
        </div>
      )}
      <div className="mt-8">
        <ActivityList
          events={pulls}
          title="Recent pulls by customers"
          empty="No pulls yet. When a customer pulls through the proxy or from the hosted registry with a license, it shows here."
        />
      </div>
      <Card className="mt-8">
        <h2 className="text-base font-semibold">License signing key</h2>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Every downloaded license file is signed with this team&apos;s Ed25519 key (key ID <code className="font-mono">{key.keyId}</code>). Ship the public
          key with your installer to check a license file offline — the signature covers the canonical JSON of <code>apiVersion</code>, <code>kind</code> and{" "}
          <code>spec</code>; see the <Link href="/api-reference#licenses" className="text-brand-700 underline underline-offset-2">API reference</Link>. Revocation is checked
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
