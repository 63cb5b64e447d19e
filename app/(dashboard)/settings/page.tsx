import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { InviteForm } from "@/components/settings/invite-form";
import { MemberRow } from "@/components/settings/member-row";
import { CreateTeamForm } from "@/components/settings/create-team-form";
import { RevokeInviteButton } from "@/components/settings/revoke-invite-button";
import { listMembers } from "@/lib/teams/members";
import { listPendingInvites } from "@/lib/teams/invite-member";
import { invoke } from "@/lib/server/operation";
import { portalBaseUrl, requireTeamContext } from "@/lib/server/request";
import { can } from "@/lib/auth/permissions";
import { roleLabels } from "@/lib/teams/role-names";

export const metadata = { title: "Team settings" };

export default async function SettingsPage() {
  const ctx = await requireTeamContext();
  const isAdmin = can(ctx.role, "admin");
  const [members, invites] = await Promise.all([invoke(listMembers, ctx, {}), invoke(listPendingInvites, ctx, {})]);
  return (
    <>
      <PageHeader title="Team settings" description={`Members of ${ctx.teamName} and their roles. Admins manage members; developers change apps; read-only members look.`} />
      <nav aria-label="Your account" className="-mt-2 mb-6 flex flex-wrap gap-4 text-sm">
        <Link href="/settings/sessions" className="font-medium text-brand-600 hover:underline">Your sessions</Link>
        <Link href="/settings/security/2fa" className="font-medium text-brand-600 hover:underline">Two-factor authentication</Link>
      </nav>
      <Card className="mb-6 p-0">
        <h2 className="border-b border-slate-200 px-4 py-3 text-base font-semibold">Members</h2>
        <ul className="divide-y divide-slate-200" aria-label="Members">
          {members.map((m) => (
            <MemberRow key={m.id} member={m} isAdmin={isAdmin} isSelf={m.userId === ctx.userId} />
          ))}
        </ul>
      </Card>
      {isAdmin && (
        <Card className="mb-6 flex flex-wrap items-center justify-between gap-3">
          <div>
            <h2 className="text-base font-semibold">Single sign-on</h2>
            <p className="text-sm text-slate-600">Members sign in through your identity provider; colleagues at your verified domains join on their first sign-in.</p>
          </div>
          <Link href="/settings/sso" className="rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50">
            Single sign-on settings
          </Link>
        </Card>
      )}
      {isAdmin && (
        <Card className="mb-6">
          <h2 className="mb-1 text-base font-semibold">Invite a member</h2>
          <p className="mb-3 text-sm text-slate-600">Creates a single-use link that expires in 7 days.</p>
          <InviteForm baseUrl={await portalBaseUrl()} />
        </Card>
      )}
      {invites.length > 0 && (
        <Card className="mb-6 p-0">
          <h2 className="border-b border-slate-200 px-4 py-3 text-base font-semibold">Pending invites</h2>
          <ul className="divide-y divide-slate-200">
            {invites.map((i) => (
              <li key={i.id} className="flex items-center justify-between px-4 py-3 text-sm">
                <span>
                  {i.email} · {roleLabels[i.role]} · expires {i.expiresAt.toISOString().slice(0, 10)}
                </span>
                {isAdmin && <RevokeInviteButton inviteId={i.id} />}
              </li>
            ))}
          </ul>
        </Card>
      )}
      <Card>
        <h2 className="mb-1 text-base font-semibold">Another team</h2>
        <p className="mb-3 text-sm text-slate-600">Create a separate team; you become its admin and can switch between teams in the sidebar.</p>
        <CreateTeamForm />
      </Card>
    </>
  );
}
