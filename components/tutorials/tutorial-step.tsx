/** One numbered step; tracked steps show a checkmark when the team has done them. */
export function TutorialStep({
  n,
  id,
  title,
  done,
  status,
  children,
}: {
  n: number;
  id: string;
  title: string;
  /** undefined: not tracked (done outside Portcullis, or not signed in). */
  done?: boolean;
  status?: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <li id={`step-${id}`} className="relative flex scroll-mt-20 gap-4" data-testid={`step-${id}`} data-done={done === undefined ? undefined : String(done)} aria-labelledby={`step-${id}-title`}>
      <div className="flex flex-col items-center">
        <span
          aria-hidden
          className={`grid size-8 shrink-0 place-items-center rounded-full text-sm font-semibold ring-1 ${
            done ? "bg-emerald-600 text-white ring-emerald-600" : "bg-white text-slate-600 ring-slate-300"
          }`}
        >
          {done ? "✓" : n}
        </span>
        <span aria-hidden className="mt-2 w-px flex-1 bg-slate-200" />
      </div>
      <section className="mb-8 min-w-0 flex-1 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id={`step-${id}-title`} className="text-base font-semibold">
            <span className="sr-only">Step {n}: </span>
            {title}
          </h2>
          {done !== undefined && (
            <span
              className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
                done ? "bg-emerald-50 text-emerald-800 ring-emerald-200" : "bg-slate-100 text-slate-700 ring-slate-200"
              }`}
              data-testid={`step-${id}-badge`}
            >
              {done ? "Done" : "Not yet"}
            </span>
          )}
        </div>
        {status && <div className="mt-1 text-sm text-slate-600" data-testid={`step-${id}-status`}>{status}</div>}
        <div className="mt-3 space-y-3 text-sm leading-6 text-slate-700">{children}</div>
      </section>
    </li>
  );
}
