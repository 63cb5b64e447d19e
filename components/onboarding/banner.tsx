"use client";

import { usePathname } from "next/navigation";
import { dismissOnboardingAction } from "@/app/_actions/onboarding";
import { IntentLink } from "@/components/shell/intent-link";
import { SubmitButton } from "@/components/ui/button";
import type { OnboardingStep } from "@/lib/onboarding/steps";

/**
 * Above every page until the path is done or put away: how far the team is and a link to the
 * next step. Home shows the whole checklist instead.
 */
export function OnboardingBanner({ steps }: { steps: OnboardingStep[] }) {
  const pathname = usePathname();
  const next = steps.find((s) => !s.done);
  if (!next || pathname === "/") return null;
  const done = steps.filter((s) => s.done).length;
  return (
    <aside aria-label="Getting started" data-testid="onboarding-banner" className="mb-6 flex flex-wrap items-center gap-x-4 gap-y-2 rounded-lg border border-brand-100 bg-brand-50 px-4 py-3 text-sm text-brand-900">
      <p className="min-w-0 flex-1">
        <span className="font-semibold">{done === 0 ? "Welcome to Portcullis." : `Getting started: ${done} of ${steps.length} done.`}</span>{" "}
        {next.title}: {next.detail}
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <IntentLink href={next.href} className="inline-flex min-h-9 items-center rounded-md bg-brand-600 px-3 font-medium text-white hover:bg-brand-700">
          Next: {next.action} <span aria-hidden className="ml-1">→</span>
        </IntentLink>
        <IntentLink href="/" className="inline-flex min-h-9 items-center rounded-md px-2 font-medium text-brand-700 underline underline-offset-2">
          All steps
        </IntentLink>
        <form action={dismissOnboardingAction}>
          <SubmitButton variant="ghost" className="min-h-9 text-brand-900" pendingText="Hiding…">
            Hide
          </SubmitButton>
        </form>
      </div>
    </aside>
  );
}
