import Link from "next/link";
import { Card } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { SignInForm } from "@/components/auth/sign-in-form";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { AcceptInviteForm } from "@/components/auth/accept-invite-form";
import { getDb } from "@/lib/db/client";
import { findUsableInvite } from "@/lib/teams/invites";
import { currentSession } from "@/lib/server/request";
import { roleLabels } from "@/lib/teams/role-names";

export const metadata = { title: "Join a team" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invite = await findUsableInvite(await getDb(), decodeURIComponent(token));
  if (!invite) {
    return (
      <Card>
        <h1 className="text-xl font-semibold">This invite can&apos;t be used</h1>
        <p className="mt-2 text-sm text-slate-600">
          The link is invalid, has expired, or was already used. Ask a team admin for a new invite.
        </p>
        <Link href="/sign-in" className="mt-4 inline-block text-sm font-medium text-brand-600 hover:underline">
          Go to sign in
        </Link>
      </Card>
    );
  }
  const session = await currentSession();
  const intro = (
    <>
      <h1 className="text-xl font-semibold">Join {invite.team.name}</h1>
      <p className="mb-5 mt-1 text-sm text-slate-600">
        You were invited as <strong>{roleLabels[invite.role]}</strong> ({invite.email}).
      </p>
    </>
  );
  if (session) {
    return (
      <Card>
        {intro}
        {session.user.email === invite.email ? (
          <AcceptInviteForm inviteToken={token} />
        ) : (
          <Notice tone="warning">
            You are signed in as {session.user.email}, but this invite is for {invite.email}. Sign out and sign in with
            that address to accept it.
          </Notice>
        )}
      </Card>
    );
  }
  const hasAccount = !!(await (await getDb()).user.findUnique({ where: { email: invite.email }, select: { id: true } }));
  return (
    <Card>
      {intro}
      {hasAccount ? <SignInForm inviteToken={token} inviteEmail={invite.email} /> : <SignUpForm inviteToken={token} inviteEmail={invite.email} />}
    </Card>
  );
}
