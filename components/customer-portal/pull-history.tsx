import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import type { PullHistoryEntry } from "@/lib/customer-portal/history";

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`);
const tone = { pulled: "green", refused: "red", incomplete: "amber" } as const;

/** The license's own pulls, refused attempts (with the reason) and transfers that ended early, newest first. */
export function PullHistory({ entries }: { entries: PullHistoryEntry[] }) {
  if (entries.length === 0) {
    return <p className="text-sm text-slate-600">No pulls yet. Once your cluster pulls with this license, each pull and each refused attempt shows here.</p>;
  }
  return (
    <ul className="divide-y divide-slate-200 rounded-md border border-slate-200" aria-label="Pull history">
      {entries.map((e) => (
        <li key={e.id} data-testid="pull-history-entry" data-result={e.result} className="px-3 py-2 text-sm">
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <Badge tone={tone[e.result]}>
              {e.result}
              {e.count > 1 ? ` ×${e.count}` : ""}
            </Badge>
            <code className="min-w-0 flex-1 break-all font-mono text-xs">{e.reference}</code>
            <span className="text-xs text-slate-500">
              {e.result !== "refused" ? `${size(e.bytes)} · ` : ""}
              <RelativeTime iso={e.at.toISOString()} />
            </span>
          </div>
          {e.why && <p className="mt-1 text-xs text-slate-600">{e.why}</p>}
        </li>
      ))}
    </ul>
  );
}
