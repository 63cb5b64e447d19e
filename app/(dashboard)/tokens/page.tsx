import Link from "next/link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { actions, labels, Table } from "@/components/ui/table";
import { CreateTokenForm } from "@/components/tokens/create-token-form";
import { TokenRow, type TokenView } from "@/components/tokens/token-row";
import { listTokens, type ApiTokenDto } from "@/lib/tokens/operations";
import { invoke } from "@/lib/server/operation";
import { portalBaseUrl, requireTeamContext } from "@/lib/server/request";
import { can } from "@/lib/auth/permissions";

export const metadata = { title: "API tokens" };

const toView = (t: ApiTokenDto): TokenView => ({
  id: t.id,
  kind: t.kind,
  name: t.name,
  role: t.role,
  hint: t.hint,
  ownerEmail: t.ownerEmail,
  status: t.status,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
});

const columns = labels("Name", "Role", "Token", "Created", "Expires", "Last used", "Status", actions);

/** Dates N days from today (UTC), as the expiry select's values. */
function expiryChoices() {
  const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  return [
    { label: "In 30 days", value: inDays(30) },
    { label: "In 90 days", value: inDays(90) },
    { label: "In 1 year", value: inDays(365) },
    { label: "Never", value: "" },
  ];
}

export default async function TokensPage() {
  const ctx = await requireTeamContext();
  const isAdmin = can(ctx.role, "admin");
  const tokens = await invoke(listTokens, ctx, {});
  const active = tokens.filter((t) => t.status === "active");
  const inactive = tokens.filter((t) => t.status !== "active");
  const canRevoke = (t: ApiTokenDto) => isAdmin || (t.kind === "user" && t.userId === ctx.userId);
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens for the vendor REST API and automation. Send one as Authorization: Bearer <token>. A token is shown once when created; Portcullis stores only a hash."
        actions={
          <Link href="/api-reference" className="text-sm font-medium text-brand-700 underline underline-offset-2">
            API reference →
          </Link>
        }
      />
      <Card className="mb-6">
        <h2 className="mb-3 text-base font-semibold">New token</h2>
        <CreateTokenForm isAdmin={isAdmin} myRole={ctx.role} expiryChoices={expiryChoices()} apiBase={await portalBaseUrl()} />
      </Card>
      {tokens.length === 0 ? (
        <EmptyState title="No tokens yet">Create a personal token to try the API, or (as an admin) a service account for CI.</EmptyState>
      ) : (
        <Card className="overflow-x-auto p-0">
          <Table label="Tokens" columns={columns} headCellClassName="whitespace-nowrap px-4 py-2">
            {[...active, ...inactive].map((t) => (
              <TokenRow key={t.id} token={toView(t)} canRevoke={canRevoke(t)} />
            ))}
          </Table>
        </Card>
      )}
      {!isAdmin && <p className="mt-3 text-xs text-slate-500">You see your own personal tokens and the team&apos;s service accounts and team tokens.</p>}
    </>
  );
}
