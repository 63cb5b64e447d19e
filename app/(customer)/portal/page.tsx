import { Card, PageHeader } from "@/components/ui/card";
import { Badge, shortDate, statusTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button-class";
import { InstallInstructions } from "@/components/licenses/install-instructions";
import { NamespaceForm } from "@/components/licenses/namespace-form";
import { PullHistory } from "@/components/customer-portal/pull-history";
import { customerSignOutAction } from "./actions";
import { licenseTypeLabels } from "@/lib/licenses/types";
import { namespaceFieldValues, pullSecretQuery, readNamespaceQuery } from "@/lib/licenses/instructions/namespace-query";
import { requireCustomer } from "@/lib/customer-portal/request";
import { customerInstructions, customerLicense } from "@/lib/customer-portal/view";
import { licensePullHistory } from "@/lib/customer-portal/history";

export const metadata = { title: "Customer portal" };

export default async function CustomerPortalPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireCustomer();
  const query = await searchParams;
  const { choice, errors } = readNamespaceQuery(query);
  const [license, instructions, history] = await Promise.all([customerLicense(ctx), customerInstructions(ctx, choice), licensePullHistory(ctx)]);

  return (
    <>
      <PageHeader
        title={license.appName}
        description={
          <>
            {license.customerName} · {licenseTypeLabels[license.type]} license from {license.vendorName} · license ID ending{" "}
            <code className="font-mono">…{license.hint}</code>
          </>
        }
        actions={
          <form action={customerSignOutAction}>
            <button type="submit" className="text-sm font-medium text-brand-600 hover:underline">
              Sign out
            </button>
          </form>
        }
      />

      <Card className="mb-6">
        <dl className="grid gap-4 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-slate-500">Status</dt>
            <dd className="mt-1">
              <Badge tone={statusTone[license.status]}>{license.status}</Badge>
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Expires</dt>
            <dd data-testid="license-expiry" className="mt-1 font-medium">
              {license.expiresAt ? shortDate(license.expiresAt.toISOString()) : "Never"}
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">License file</dt>
            <dd className="mt-1">
              <a href="/portal/download/license" download className={buttonClass("secondary", "px-2 py-1 text-xs")}>
                Download license file
              </a>
            </dd>
          </div>
        </dl>
      </Card>

      <Card className="mb-6">
        <h2 className="text-base font-semibold">Install</h2>
        <p className="mb-4 mt-1 text-sm text-slate-600">Everything below holds your license ID: keep it out of version control and shared places.</p>
        <div className="mb-6">
          <NamespaceForm {...namespaceFieldValues(query, errors, instructions)} errors={errors} />
        </div>
        <InstallInstructions
          instructions={instructions}
          pullSecretHref={`/portal/download/pull-secret${pullSecretQuery(choice)}`}
          emptyImages={<>Your vendor has not listed this app&apos;s images yet: ask them which images to pull.</>}
        />
      </Card>

      <Card>
        <h2 className="mb-3 text-base font-semibold">Pull history</h2>
        <PullHistory entries={history} />
      </Card>
    </>
  );
}
