import { OnboardingBanner } from "@/components/onboarding/banner";
import { DashboardShell } from "@/components/shell/dashboard-shell";
import { isOnboardingDismissed } from "@/lib/onboarding/dismissal";
import { onboardingStateOfRequest } from "@/lib/onboarding/state";
import { requireTeamContext } from "@/lib/server/request";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const ctx = await requireTeamContext();
  const steps = (await isOnboardingDismissed(ctx.teamId)) ? null : await onboardingStateOfRequest(ctx.db, ctx.teamId);
  return (
    <DashboardShell ctx={ctx} banner={steps && <OnboardingBanner steps={steps} />}>
      {children}
    </DashboardShell>
  );
}
