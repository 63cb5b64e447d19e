"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { actionLabels } from "@/lib/audit/describe";

const control = "mt-1 block min-h-10 w-full rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";

/**
 * The audit log's filters. Each applies as it is chosen (the target after a pause in typing): the
 * page reloads with them in its address, so a filtered view can be bookmarked and shared.
 */
export function AuditFilters({ actions, actors }: { actions: readonly string[]; actors: { emails: string[]; system: boolean } }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const [target, setTarget] = useState(params.get("target") ?? "");
  const typing = useRef<ReturnType<typeof setTimeout>>(undefined);

  const apply = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    next.delete("page");
    startTransition(() => router.replace(`${pathname}${next.size ? `?${next}` : ""}`, { scroll: false }));
  };
  useEffect(() => () => clearTimeout(typing.current), []);

  const active = ["action", "actor", "target", "from", "to"].some((k) => params.get(k));
  return (
    <form role="search" aria-label="Filter the audit log" className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto]" onSubmit={(e) => e.preventDefault()}>
      <div>
        <label htmlFor="audit-actor" className="block text-sm font-medium">
          Who
        </label>
        <select id="audit-actor" value={params.get("actor") ?? ""} onChange={(e) => apply("actor", e.target.value)} className={control}>
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
        <select id="audit-action" value={params.get("action") ?? ""} onChange={(e) => apply("action", e.target.value)} className={control}>
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
        <input id="audit-from" type="date" value={params.get("from") ?? ""} max={params.get("to") ?? undefined} onChange={(e) => apply("from", e.target.value)} className={control} />
      </div>
      <div>
        <label htmlFor="audit-to" className="block text-sm font-medium">
          To
        </label>
        <input id="audit-to" type="date" value={params.get("to") ?? ""} min={params.get("from") ?? undefined} onChange={(e) => apply("to", e.target.value)} className={control} />
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
