import Link from "next/link";
import { notFound } from "next/navigation";
import { Card, PageHeader } from "@/components/ui/card";
import { Badge, shortDate, statusTone } from "@/components/ui/badge";
import { Notice } from "@/components/ui/notice";
import { InstallInstructions } from "@/components/licenses/install-instructions";
import { NamespaceForm } from "@/components/licenses/namespace-form";
import { PortalLinkForm } from "@/components/licenses/portal-link-form";
import { AppError } from "@/lib/errors";
import { can } from "@/lib/auth/permissions";
import { licenseTypeLabels } from "@/lib/licenses/types";
import { getLicenseInstructions, getLicenseOverview } from "@/lib/licenses/instructions/operation";
import { namespaceFieldValues, pullSecretQuery, readNamespaceQuery } from "@/lib/licenses/instructions/namespace-query";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "License" };

type Query = Record<string, string | string[] | undefined>;

export default async function LicensePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Query> }) {
  const ctx = await requireTeamContext();
  const { id } = await params;
  const query = await searchParams;
  const license = await invoke(getLicenseOverview, ctx, { id }).catch((e: unknown) => {
    if (e instanceof AppError && (e.code === "not_found" || e.code === "validation_failed")) notFound();
    throw e;
  });
  const canWrite = can(ctx.role, "write");
  const { choice, errors } = readNamespaceQuery(query);
  const instructions = canWrite ? await invoke(getLicenseInstructions, ctx, { id, ...choice, additionalNamespaces: choice.additionalNamespaces?.join(",") }) : null;

  return (
    <>
      <PageHeader
        back={{ href: "/customers", label: "Customers" }}
        title={`${license.customer.name}: ${license.appName}`}
        description={
          <>
            {licenseTypeLabels[license.type]} license <code className="font-mono">…{license.hint}</code> for <code className="font-mono">{license.appSlug}</code>,
            issued {shortDate(license.createdAt.toISOString())},{" "}
            {license.status === "revoked"
              ? `revoked ${shortDate(license.revokedAt?.toISOString())}`
              : license.expiresAt
                ? `expires ${shortDate(license.expiresAt.toISOString())}`
                : "no expiry"}
            .
          </>
        }
        actions={<Badge tone={statusTone[license.status]}>{license.status}</Badge>}
      />
      {license.status !== "active" && (
        <Notice tone="warning" className="mb-6">
          This license is {license.status}: the proxy refuses its pulls, whatever these instructions say.
        </Notice>
      )}
      {canWrite && license.status === "active" && (
        <Card className="mb-6">
          <h2 className="text-base font-semibold">Customer portal</h2>
          <p className="mb-4 mt-1 max-w-3xl text-sm text-slate-600">
            A link that signs {license.customer.name} in to their own portal once: this app&apos;s images, these instructions, the license file, the pull
            secret and their pull history. They can also sign in at <code>/portal/sign-in</code> with the license ID.
          </p>
          <PortalLinkForm licenseId={license.id} />
        </Card>
      )}
      {instructions ? (
        <Card>
          <h2 className="text-base font-semibold">Install instructions</h2>
          <p className="mb-4 mt-1 max-w-3xl text-sm text-slate-600">
            What to send {license.customer.name}. Everything below holds the license ID, their credential: send it only to them.
          </p>
          <div className="mb-6">
            <NamespaceForm {...namespaceFieldValues(query, errors, instructions)} errors={errors} />
          </div>
          <InstallInstructions
            instructions={instructions}
            pullSecretHref={`/customers/licenses/${license.id}/pull-secret${pullSecretQuery(choice)}`}
            emptyImages={
              <>
                The app <code>{license.appSlug}</code> lists no images yet. Add them on the <Link href="/apps" className="font-medium text-brand-700 underline underline-offset-2">Apps</Link> page;
                until then the customer pulls <code>{instructions.proxyHost}/proxy/{license.appSlug}/&lt;image&gt;</code>.
              </>
            }
          />
        </Card>
      ) : (
        <Notice>Your role is read-only: the install instructions hold the license ID, which only developers and admins can see.</Notice>
      )}
    </>
  );
}
