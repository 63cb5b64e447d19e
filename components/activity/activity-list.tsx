import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import type { ActivityDto } from "@/lib/activity/operations";

const verbs: Record<string, string> = { "push-manifest": "pushed", "pull-manifest": "pulled", "delete-manifest": "deleted" };

function who(e: ActivityDto): string {
  if (e.license) return `${e.license.customerName} (license …${e.license.hint})`;
  return e.actor ?? "—";
}

/** Recent pushes and pulls (hosted registry and proxy), newest first. A server component. */
export function ActivityList({ events, title = "Recent activity", empty }: { events: ActivityDto[]; title?: string; empty: string }) {
  return (
    <Card className="overflow-x-auto p-0">
      <h2 className="px-4 pt-4 text-base font-semibold">{title}</h2>
      {events.length === 0 ? (
        <p className="px-4 pb-4 pt-2 text-sm text-slate-600">{empty}</p>
      ) : (
        <table className="mt-2 w-full text-left text-sm" aria-label={title}>
          <thead className="border-y border-slate-200 bg-slate-50 text-xs uppercase text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2">When</th>
              <th scope="col" className="px-4 py-2">Who</th>
              <th scope="col" className="px-4 py-2">What</th>
              <th scope="col" className="px-4 py-2">Image</th>
              <th scope="col" className="px-4 py-2">Via</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {events.map((e) => (
              <tr key={e.id}>
                <td className="whitespace-nowrap px-4 py-2 text-slate-600">
                  <RelativeTime iso={e.at.toISOString()} />
                </td>
                <td className="px-4 py-2">{who(e)}</td>
                <td className="px-4 py-2">{verbs[e.action] ?? e.action}</td>
                <td className="break-all px-4 py-2 font-mono text-xs">
                  {e.image}
                  {e.reference ? (e.reference.includes(":") ? `@${e.reference}` : `:${e.reference}`) : ""}
                </td>
                <td className="px-4 py-2 text-slate-600">{e.source === "proxy" ? "proxy" : "registry"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
