import Link from "next/link";
import { restoreOnboardingAction } from "@/app/_actions/onboarding";
import { OnboardingChecklist } from "@/components/onboarding/checklist";
import { SubmitButton } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/card";
import { isOnboardingDismissed } from "@/lib/onboarding/dismissal";
import { onboardingStateOfRequest } from "@/lib/onboarding/state";
import { requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "Home" };

/** The team's start page: the first-run path with what is done and the next step. */
export default async function HomePage() {
  const ctx = await requireTeamContext();
  const [steps, dismissed] = await Promise.all([onboardingStateOfRequest(ctx.db, ctx.teamId), isOnboardingDismissed(ctx.teamId)]);
  const complete = steps.every((s) => s.done);
  return (
    <>
      <PageHeader
        title={ctx.teamName}
        description={
          complete
            ? "Your customers pull your images through Portcullis with their licenses."
            : "Portcullis delivers your private container images to your customers, gated by license. Six steps take you from an app to a customer's first pull."
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <OnboardingChecklist steps={steps} />
        <section aria-labelledby="more-heading" className="space-y-3 text-sm text-slate-700">
          <h2 id="more-heading" className="text-base font-semibold text-slate-900">
            More
          </h2>
          <p>
            Images in Amazon ECR? The{" "}
            <Link href="/tutorials/ecr" className="font-medium text-brand-700 underline underline-offset-2">
              ECR tutorial
            </Link>{" "}
            walks through the IAM policy and the commands with your own values.
          </p>
          <p>
            Automating?{" "}
            <Link href="/api-reference" className="font-medium text-brand-700 underline underline-offset-2">
              The REST API
            </Link>{" "}
            does everything on these pages with an API token.
          </p>
          {dismissed && !complete && (
            <form action={restoreOnboardingAction} className="pt-2">
              <p className="mb-2">The checklist is hidden from the other pages.</p>
              <SubmitButton variant="secondary" pendingText="Showing…">
                Show it on every page
              </SubmitButton>
            </form>
          )}
        </section>
      </div>
    </>
  );
}
