"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { actionLabels } from "@/lib/audit/describe";

const control = "mt-1 block min-h-10 w-full rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";

/** The filters in the page's address. */
export type AuditFilterValues = Partial<Record<"action" | "actor" | "target" | "from" | "to", string>>;

/**
 * The audit log's filters. Each applies as it is chosen (the target after a pause in typing): the
 * page reloads with them in its address, so a filtered view can be bookmarked and shared. The
 * page passes the address's filters in `values`, so the form renders with the page, not after it.
 */
export function AuditFilters({ actions, actors, values }: { actions: readonly string[]; actors: { emails: string[]; system: boolean }; values: AuditFilterValues }) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const [target, setTarget] = useState(values.target ?? "");
  const typing = useRef<ReturnType<typeof setTimeout>>(undefined);

  const apply = (name: keyof AuditFilterValues, value: string) => {
    // A new filter starts again from the first page.
    const next = new URLSearchParams(Object.entries(values).filter((e): e is [string, string] => !!e[1]));
    if (value) next.set(name, value);
    else next.delete(name);
    startTransition(() => router.replace(`${pathname}${next.size ? `?${next}` : ""}`, { scroll: false }));
  };
  useEffect(() => () => clearTimeout(typing.current), []);

  const active = Object.values(values).some(Boolean);
  return (
    <form role="search" aria-label="Filter the audit log" className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto]" onSubmit={(e) => e.preventDefault()}>
      <div>
        <label htmlFor="audit-actor" className="block text-sm font-medium">
          Who
        </label>
        <select id="audit-actor" value={values.actor ?? ""} onChange={(e) => apply("actor", e.target.value)} className={control}>
          <option value="">Anyone</option>
          {actors.emails.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
          {actors.system && <option value="system">System</option>}
        </select>
      </div>
      <div>
        <label htmlFor="audit-action" className="block text-sm font-medium">
          What
        </label>
        <select id="audit-action" value={values.action ?? ""} onChange={(e) => apply("action", e.target.value)} className={control}>
          <option value="">Any change</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {actionLabels[a] ?? a} ({a})
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="audit-target" className="block text-sm font-medium">
          Target
        </label>
        <input
          id="audit-target"
          type="search"
          value={target}
          placeholder="A host, email, app, customer…"
          onChange={(e) => {
            const value = e.target.value;
            setTarget(value);
            clearTimeout(typing.current);
            typing.current = setTimeout(() => apply("target", value.trim()), 400);
          }}
          className={control}
        />
      </div>
      <div>
        <label htmlFor="audit-from" className="block text-sm font-medium">
          From
        </label>
        <input id="audit-from" type="date" value={values.from ?? ""} max={values.to ?? undefined} onChange={(e) => apply("from", e.target.value)} className={control} />
      </div>
      <div>
        <label htmlFor="audit-to" className="block text-sm font-medium">
          To
        </label>
        <input id="audit-to" type="date" value={values.to ?? ""} min={values.from ?? undefined} onChange={(e) => apply("to", e.target.value)} className={control} />
      </div>
      <div className="flex items-end gap-2">
        {active && (
          <button
            type="button"
            onClick={() => {
              setTarget("");
              startTransition(() => router.replace(pathname, { scroll: false }));
            }}
            className="min-h-10 rounded-md px-2 text-sm font-medium text-brand-700 underline underline-offset-2"
          >
            Clear filters
          </button>
        )}
        <span role="status" className="min-h-10 py-2 text-sm text-slate-600">
          {pending ? "Updating…" : ""}
        </span>
      </div>
    </form>
  );
}
