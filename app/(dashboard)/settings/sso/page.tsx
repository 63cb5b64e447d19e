import Link from "next/link";
import { notFound } from "next/navigation";
import { Card, PageHeader } from "@/components/ui/card";
import { SsoForm } from "@/components/sso/sso-form";
import { DomainsSection } from "@/components/sso/domains-section";
import { can } from "@/lib/auth/permissions";
import { invoke } from "@/lib/server/operation";
import { portalBaseUrl, requireTeamContext } from "@/lib/server/request";
import { getSso } from "@/lib/sso/operations";
import { listSsoDomains } from "@/lib/sso/domains";
import { ssoRedirectUri } from "@/lib/sso/redirect";

export const metadata = { title: "Single sign-on" };

export default async function SsoSettingsPage() {
  const ctx = await requireTeamContext();
  if (!can(ctx.role, "admin")) notFound();
  const [sso, domains] = await Promise.all([invoke(getSso, ctx, {}), invoke(listSsoDomains, ctx, {})]);
  const settings = sso.settings && {
    issuer: sso.settings.issuer,
    clientId: sso.settings.clientId,
    hasClientSecret: sso.settings.hasClientSecret,
    enforce: sso.settings.enforce,
    defaultRole: sso.settings.defaultRole,
    groupsClaim: sso.settings.groupsClaim,
    groupRoles: sso.settings.groupRoles,
  };
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/settings" className="text-brand-700 hover:underline">
          ← Team settings
        </Link>
      </p>
      <PageHeader
        title="Single sign-on"
        description={`Members of ${ctx.teamName} sign in through your identity provider (Okta, Entra ID, Google Workspace, Keycloak, Dex or any OpenID Connect provider). People from your verified domains join on their first sign-in.`}
      />
      <Card className="mb-6">
        <h2 className="mb-1 text-base font-semibold">Identity provider</h2>
        <p className="mb-4 text-sm text-slate-600">Create an OpenID Connect web app at your provider with this redirect URI, then enter its issuer, client ID and secret. Saving runs the connection test first.</p>
        <SsoForm redirectUri={ssoRedirectUri(await portalBaseUrl())} settings={settings} verifiedDomains={domains.filter((d) => d.status === "verified").length} />
      </Card>
      <Card className="p-0">
        <DomainsSection domains={domains.map((d) => ({ id: d.id, domain: d.domain, status: d.status, txtName: d.txtName, txtValue: d.txtValue, verifiedAt: d.verifiedAt?.toISOString() ?? null }))} />
      </Card>
    </>
  );
}
