import Link from "next/link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { listAuditEvents } from "@/lib/audit/list";
import { auditActions } from "@/lib/audit/record";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";
import { buttonClass } from "@/components/ui/button-class";
import { Table, type Column } from "@/components/ui/table";

export const metadata = { title: "Audit log" };

function describe(e: { targetType: string | null; targetLabel: string | null; metadata: Record<string, unknown> | null }) {
  const meta = e.metadata
    ? Object.entries(e.metadata)
        .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(", ")
    : "";
  return [e.targetType && e.targetLabel ? `${e.targetType} ${e.targetLabel}` : e.targetLabel, meta].filter(Boolean).join(" — ");
}

type AuditRow = Awaited<ReturnType<typeof listAuditEvents.run>>["events"][number];

const columns: Column<AuditRow>[] = [
  { label: "Time", cellClassName: "whitespace-nowrap px-4 py-2 text-slate-600", cell: (e) => <time dateTime={e.createdAt.toISOString()}>{e.createdAt.toISOString().replace("T", " ").slice(0, 19)} UTC</time> },
  { label: "Actor", cellClassName: "px-4 py-2", cell: (e) => e.actorEmail ?? "system" },
  { label: "Action", cellClassName: "px-4 py-2 font-mono text-xs", cell: (e) => e.action },
  { label: "Target", cellClassName: "px-4 py-2 text-slate-700", cell: describe },
  { label: "Client IP", cellClassName: "px-4 py-2 font-mono text-xs text-slate-600", cell: (e) => e.ip ?? "—" },
];

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await requireTeamContext();
  const sp = await searchParams;
  const result = await invoke(listAuditEvents, ctx, { action: sp.action, page: sp.page }).catch(() =>
    invoke(listAuditEvents, ctx, {}),
  );
  const pageHref = (page: number) => `/audit?${new URLSearchParams({ ...(sp.action ? { action: sp.action } : {}), page: String(page) })}`;
  return (
    <>
      <PageHeader title="Audit log" description="Every change in this team: who did it, to what, when and from where. Newest first." />
      <form className="mb-4 flex items-end gap-2" method="get">
        <div>
          <label htmlFor="action" className="block text-sm font-medium">
            Action
          </label>
          <select id="action" name="action" defaultValue={sp.action ?? ""} className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-2 text-sm">
            <option value="">All actions</option>
            {auditActions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonClass("secondary")}>
          Filter
        </button>
      </form>
      {result.events.length === 0 ? (
        <EmptyState title="No events">{sp.action ? "No events with this action yet." : "Changes made in this team will appear here."}</EmptyState>
      ) : (
        <Card className="overflow-x-auto p-0">
          <Table columns={columns} rows={result.events} rowKey={(e) => e.id} />
        </Card>
      )}
      <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
        <span className="text-slate-600">
          Page {result.page} of {result.pages} · {result.total} events
        </span>
        <span className="flex gap-2">
          {result.page > 1 && (
            <Link className={buttonClass("secondary")} href={pageHref(result.page - 1)}>
              Newer
            </Link>
          )}
          {result.page < result.pages && (
            <Link className={buttonClass("secondary")} href={pageHref(result.page + 1)}>
              Older
            </Link>
          )}
        </span>
      </nav>
    </>
  );
}
