import Link from "next/link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button-class";
import { Notice } from "@/components/ui/notice";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, type Column } from "@/components/ui/table";
import { describeAuditEvent } from "@/lib/audit/describe";
import type { AuditEventDto } from "@/lib/audit/dto";
import { auditActors, listAuditEvents } from "@/lib/audit/list";
import { auditActions } from "@/lib/audit/record";
import { auditQuerySchema } from "@/lib/audit/schemas";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";
import { AuditFilters } from "./filters";

export const metadata = { title: "Audit log" };

const FILTERS = ["action", "actor", "target", "from", "to"] as const;

function What({ e }: { e: AuditEventDto }) {
  const v = describeAuditEvent(e);
  return (
    <>
      <p className="text-slate-900">
        <span className="font-medium">{v.verb}</span>{" "}
        {v.target &&
          (v.href ? (
            <Link href={v.href} className="text-brand-700 underline underline-offset-2 [overflow-wrap:anywhere]">
              {v.target}
            </Link>
          ) : (
            <span className="[overflow-wrap:anywhere]">{v.target}</span>
          ))}
      </p>
      <p className="font-mono text-xs text-slate-500">{e.action}</p>
    </>
  );
}

function Details({ e }: { e: AuditEventDto }) {
  const { details } = describeAuditEvent(e);
  if (details.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-2 text-xs">
      {details.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-500">{k}</dt>
          <dd className="text-slate-800 [overflow-wrap:anywhere]">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

const columns: Column<AuditEventDto>[] = [
  {
    label: "When",
    cellClassName: "whitespace-nowrap px-4 py-2.5 align-top",
    cell: (e) => (
      <>
        <RelativeTime iso={e.createdAt.toISOString()} className="block text-slate-900" />
        <span className="block text-xs text-slate-500">{e.createdAt.toISOString().replace("T", " ").slice(0, 19)} UTC</span>
      </>
    ),
  },
  { label: "Who", cellClassName: "px-4 py-2.5 align-top [overflow-wrap:anywhere]", cell: (e) => e.actorEmail ?? "System" },
  { label: "What", cellClassName: "min-w-64 px-4 py-2.5 align-top", cell: (e) => <What e={e} /> },
  { label: "Details", cellClassName: "min-w-48 px-4 py-2.5 align-top", cell: (e) => <Details e={e} /> },
  { label: "Client IP", cellClassName: "px-4 py-2.5 align-top font-mono text-xs text-slate-600", cell: (e) => e.ip ?? "—" },
];

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireTeamContext();
  const sp = await searchParams;
  const raw = Object.fromEntries(Object.entries(sp).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = auditQuerySchema.safeParse(raw);
  const filtered = FILTERS.some((k) => raw[k]);
  const [result, actors] = await Promise.all([invoke(listAuditEvents, ctx, parsed.success ? raw : { page: raw.page }), auditActors(ctx)]);
  const pageHref = (page: number) => {
    const q = new URLSearchParams(Object.entries(raw).filter((e): e is [string, string] => FILTERS.includes(e[0] as never) && !!e[1]));
    q.set("page", String(page));
    return `/audit?${q}`;
  };
  return (
    <>
      <PageHeader title="Audit log" description="Every change in this team: who did it, to what, when and from where. Newest first." />
      <AuditFilters actions={auditActions} actors={actors} values={Object.fromEntries(FILTERS.map((k) => [k, raw[k]]))} />
      {!parsed.success && (
        <Notice tone="error" className="mb-4">
          {parsed.error.issues[0]?.message ?? "These filters are not valid."} Showing every event instead.
        </Notice>
      )}
      {result.events.length === 0 ? (
        <EmptyState title={filtered ? "No matching events" : "No events yet"}>
          {filtered ? "No event matches these filters. Clear one to see more." : "Changes made in this team will appear here."}
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto p-0">
          <Table label="Audit events" columns={columns} rows={result.events} rowKey={(e) => e.id} />
        </Card>
      )}
      <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm">
        <span className="text-slate-600">
          Page {result.page} of {result.pages} · {result.total} event{result.total === 1 ? "" : "s"}
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
