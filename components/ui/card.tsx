import Link from "next/link";

export function Card({ children, className = "" }: { children: React.ReactNode; className?: string }) {
  // Default padding unless the caller sets its own (two padding utilities would fight in the CSS).
  const padding = /(^|\s)p-\d/.test(className) ? "" : "p-5";
  // Positioned, so what is positioned inside (a screen-reader-only label in a scrolling table) stays inside it, not widening the page.
  return <section className={`relative rounded-lg border border-slate-200 bg-white shadow-sm ${padding} ${className}`}>{children}</section>;
}

export function PageHeader({
  title,
  description,
  actions,
  back,
}: {
  title: string;
  description?: React.ReactNode;
  actions?: React.ReactNode;
  /** A detail page's way back to its list. */
  back?: { href: string; label: string };
}) {
  return (
    <>
      {back && (
        <p className="mb-2 text-sm">
          <Link href={back.href} className="font-medium text-brand-700 hover:underline">
            ← {back.label}
          </Link>
        </p>
      )}
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
          {description && <p className="mt-1 max-w-2xl text-sm text-slate-600">{description}</p>}
        </div>
        {actions}
      </div>
    </>
  );
}

/** What a list shows when it has nothing yet: what it is for and what to do first. */
export function EmptyState({ title, children, action }: { title: string; children: React.ReactNode; action?: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
      <h2 className="text-base font-semibold">{title}</h2>
      <div className="mx-auto mt-2 max-w-md text-sm text-slate-600">{children}</div>
      {action && <div className="mt-4">{action}</div>}
    </div>
  );
}
