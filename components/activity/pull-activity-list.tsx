import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, type Column } from "@/components/ui/table";
import type { PullActivityPage, PullAttemptDto } from "@/lib/activity/pull-dto";
import { REASONS, type PullResult } from "@/lib/activity/reasons";
import { formatBytes } from "@/lib/oci/size";
import { ReasonsTable } from "./reasons-table";

const RESULT_BADGE: Record<PullResult, { tone: "green" | "red" | "amber"; text: string }> = {
  pulled: { tone: "green", text: "Pulled" },
  refused: { tone: "red", text: "Refused" },
  incomplete: { tone: "amber", text: "Incomplete" },
};

function who(a: PullAttemptDto) {
  if (a.customer) return a.license ? `${a.customer.name} (license …${a.license.hint})` : a.customer.name;
  // An unknown license has no customer: listed under the app its path named.
  return <span className="text-slate-600">Unknown license</span>;
}

function reason(a: PullAttemptDto) {
  if (!a.reason) return a.cache === "hit" ? <span className="text-slate-600">from the cache</span> : a.cache === "stale" ? <span className="text-slate-600">from the cache (registry unavailable)</span> : null;
  const r = REASONS[a.reason];
  return (
    <div className="min-w-[14rem]">
      <p>{r.what}</p>
      <p className="mt-0.5 text-xs text-slate-600">
        <span className="font-medium">Fix:</span> {r.fix} <span className="font-mono text-slate-500">({a.reason})</span>
      </p>
    </div>
  );
}

const columns: Column<PullAttemptDto>[] = [
  { label: "When", cellClassName: "whitespace-nowrap px-4 py-2 align-top text-slate-600", cell: (a) => <RelativeTime iso={a.at.toISOString()} /> },
  { label: "Customer", cellClassName: "px-4 py-2 align-top", cell: who },
  {
    label: "Result",
    cellClassName: "whitespace-nowrap px-4 py-2 align-top",
    cell: (a) => (
      <span className="inline-flex items-center gap-1.5">
        <Badge tone={RESULT_BADGE[a.result].tone}>{RESULT_BADGE[a.result].text}</Badge>
        {a.count > 1 && <span className="text-xs text-slate-600" title={`${a.count} attempts in this minute`}>×{a.count}</span>}
      </span>
    ),
  },
  { label: "Reason", cellClassName: "px-4 py-2 align-top", cell: reason },
  {
    label: "Reference",
    cellClassName: "px-4 py-2 align-top",
    cell: (a) => (
      <span className="flex items-start gap-1">
        <code className="min-w-[12rem] break-all font-mono text-xs">{a.reference}</code>
        <CopyButton value={a.reference} label="Copy reference" />
      </span>
    ),
  },
  { label: "Bytes", className: "text-right", cellClassName: "whitespace-nowrap px-4 py-2 text-right align-top tabular-nums", cell: (a) => (a.bytes ? formatBytes(a.bytes) : "—") },
];

/** A page of pull attempts: result badge, reason with its fix, the reference as written, bytes; filters above, paging below. A server component. */
export function PullActivityList({
  page,
  title,
  empty,
  filters,
  pageHref,
}: {
  page: PullActivityPage;
  title: string;
  empty: string;
  filters?: React.ReactNode;
  /** The link to another page of the same list (its filters kept). */
  pageHref: (page: number) => string;
}) {
  return (
    <Card className="overflow-x-auto p-0">
      <h2 className="px-4 pt-4 text-base font-semibold">{title}</h2>
      {filters}
      {page.attempts.length === 0 ? (
        <p className="px-4 pb-4 pt-3 text-sm text-slate-600">{empty}</p>
      ) : (
        <>
          <Table label={title} head="framed" className="mt-3" columns={columns} rows={page.attempts} rowKey={(a) => a.id} />
          <nav aria-label={`${title}: pages`} className="flex items-center justify-between px-4 py-3 text-sm text-slate-600">
            <span>
              {page.total} {page.total === 1 ? "entry" : "entries"}, page {page.page} of {page.pages}
            </span>
            <span className="flex gap-3">
              {page.page > 1 && (
                <Link href={pageHref(page.page - 1)} className="font-medium text-brand-700 hover:underline">
                  Newer
                </Link>
              )}
              {page.page < page.pages && (
                <Link href={pageHref(page.page + 1)} className="font-medium text-brand-700 hover:underline">
                  Older
                </Link>
              )}
            </span>
          </nav>
        </>
      )}
      <ReasonsTable />
    </Card>
  );
}
