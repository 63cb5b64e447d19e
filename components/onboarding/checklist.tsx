import Link from "next/link";
import { nextStep, type OnboardingStep } from "@/lib/onboarding/steps";

/** The whole first-run path: each step done or not, what Portcullis sees, and a link to the next one. */
export function OnboardingChecklist({ steps }: { steps: OnboardingStep[] }) {
  const next = nextStep(steps);
  const done = steps.filter((s) => s.done).length;
  return (
    <section aria-labelledby="checklist-heading" className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid="onboarding-checklist">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="checklist-heading" className="text-lg font-semibold">
          From an app to a customer&apos;s first pull
        </h2>
        <p className="text-sm text-slate-600" data-testid="onboarding-progress">
          {done} of {steps.length} done
        </p>
      </div>
      <div aria-hidden className="mt-3 h-2 overflow-hidden rounded-full bg-slate-100">
        <div className="h-full rounded-full bg-emerald-600" style={{ width: `${(done / steps.length) * 100}%` }} />
      </div>
      <ol className="mt-4 space-y-3">
        {steps.map((s, i) => (
          <li key={s.id} className="flex gap-3" data-testid={`onboarding-${s.id}`} data-done={String(s.done)}>
            <span
              aria-hidden
              className={`grid size-7 shrink-0 place-items-center rounded-full text-sm font-semibold ring-1 ${
                s.done ? "bg-emerald-600 text-white ring-emerald-600" : s === next ? "bg-brand-50 text-brand-700 ring-brand-600" : "bg-white text-slate-600 ring-slate-300"
              }`}
            >
              {s.done ? "✓" : i + 1}
            </span>
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium text-slate-900">
                {s.title}
                <span className="sr-only">{s.done ? " (done)" : s === next ? " (next step)" : " (not yet)"}</span>
              </p>
              <p className="mt-0.5 text-sm text-slate-600 [overflow-wrap:anywhere]">{s.detail}</p>
              {s === next && (
                <Link href={s.href} className="mt-2 inline-flex min-h-9 items-center rounded-md bg-brand-600 px-3 text-sm font-medium text-white hover:bg-brand-700">
                  Next: {s.action} <span aria-hidden className="ml-1">→</span>
                </Link>
              )}
            </div>
          </li>
        ))}
      </ol>
      {!next && <p className="mt-4 text-sm font-medium text-emerald-800">Done: a customer has pulled an image through Portcullis with a license.</p>}
    </section>
  );
}
