import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, type Column } from "@/components/ui/table";
import type { ActivityDto } from "@/lib/activity/dto";
import { activityOutcome } from "@/lib/activity/outcome";


function who(e: ActivityDto): string {
  if (e.license) return `${e.license.customerName} (license …${e.license.hint})`;
  return e.actor ?? "—";
}

const columns: Column<ActivityDto>[] = [
  { label: "When", cellClassName: "whitespace-nowrap px-4 py-2 text-slate-600", cell: (e) => <RelativeTime iso={e.at.toISOString()} /> },
  { label: "Who", cellClassName: "px-4 py-2", cell: who },
  {
    label: "What",
    cellClassName: "px-4 py-2",
    cell: (e) => {
      const outcome = activityOutcome(e);
      return outcome.ok ? outcome.text : <span className="font-medium text-red-700">{outcome.text}</span>;
    },
  },
  { label: "Image", cellClassName: "break-all px-4 py-2 font-mono text-xs", cell: (e) => `${e.image}${e.reference ? (e.reference.includes(":") ? `@${e.reference}` : `:${e.reference}`) : ""}` },
  { label: "Via", cellClassName: "px-4 py-2 text-slate-600", cell: (e) => (e.source === "proxy" ? "proxy" : "registry") },
];

/** Recent pushes and pulls (hosted registry and proxy), newest first. A server component. */
export function ActivityList({ events, title = "Recent activity", empty }: { events: ActivityDto[]; title?: string; empty: string }) {
  return (
    <Card className="overflow-x-auto p-0">
      <h2 className="px-4 pt-4 text-base font-semibold">{title}</h2>
      {events.length === 0 ? (
        <p className="px-4 pb-4 pt-2 text-sm text-slate-600">{empty}</p>
      ) : (
        <Table label={title} head="framed" className="mt-2" columns={columns} rows={events} rowKey={(e) => e.id} />
      )}
    </Card>
  );
}
