import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { TwoFactorSetup } from "@/components/auth/two-factor-setup";
import { TwoFactorDisable } from "@/components/auth/two-factor-disable";
import { TwoFactorRequirement } from "@/components/auth/two-factor-requirement";
import { NO_PASSWORD } from "@/lib/accounts/external-account";
import { unusedRecoveryCodes } from "@/lib/auth/two-factor/recovery-codes";
import { can } from "@/lib/auth/permissions";
import { requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "Two-factor authentication" };

export default async function TwoFactorPage() {
  const ctx = await requireTeamContext();
  const [user, team] = await Promise.all([
    ctx.db.user.findUniqueOrThrow({ where: { id: ctx.userId }, select: { passwordHash: true, twoFactor: { select: { enabledAt: true } } } }),
    ctx.db.team.findUniqueOrThrow({ where: { id: ctx.teamId }, select: { requireTwoFactor: true } }),
  ]);
  const enabledAt = user.twoFactor?.enabledAt ?? null;
  const codesLeft = enabledAt ? await unusedRecoveryCodes(ctx.db, ctx.userId) : 0;
  return (
    <>
      <PageHeader title="Two-factor authentication" description="A code from an authenticator app after your password, so a stolen password alone can't sign in." />
      <p className="-mt-4 mb-4 text-sm">
        <Link href="/settings" className="font-medium text-brand-600 hover:underline">
          ← Team settings
        </Link>
      </p>
      <Card className="mb-6">
        <h2 className="mb-3 text-base font-semibold">Your account</h2>
        {user.passwordHash === NO_PASSWORD ? (
          <p className="text-sm text-slate-600">You sign in through an external provider; its own two-factor settings protect this account.</p>
        ) : enabledAt ? (
          <div className="space-y-4">
            <Notice tone="success">
              On since {enabledAt.toISOString().slice(0, 10)}. {codesLeft} of 10 recovery codes unused.
            </Notice>
            <TwoFactorDisable />
          </div>
        ) : (
          <TwoFactorSetup done={<Link href="/settings/security/2fa" className="text-sm font-medium text-brand-600 hover:underline">I have saved my recovery codes</Link>} />
        )}
      </Card>
      {can(ctx.role, "admin") && (
        <Card>
          <h2 className="mb-3 text-base font-semibold">Team requirement</h2>
          <TwoFactorRequirement required={team.requireTwoFactor} teamName={ctx.teamName} />
        </Card>
      )}
    </>
  );
}
