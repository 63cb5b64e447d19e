import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import type { CustomerAnalytics } from "@/lib/activity/analytics-dto";
import { formatBytes } from "@/lib/oci/size";
import { BarChart } from "./bar-chart";

const shortDay = (day: string) => day.slice(5);
const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "never");

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs uppercase text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-lg font-semibold tabular-nums text-slate-900">{value}</dd>
    </div>
  );
}

interface Column {
  label: string;
  right?: boolean;
}

/** A card with a heading and a table of its rows, or a line saying there are none. */
function TableCard({ title, intro, label, empty, columns, children }: { title: string; intro?: string; label: string; empty: string | null; columns: Column[]; children: React.ReactNode }) {
  return (
    <Card className="overflow-x-auto p-0">
      <h2 className="px-4 pt-4 text-base font-semibold">{title}</h2>
      {intro && <p className="px-4 pt-1 text-sm text-slate-600">{intro}</p>}
      {empty !== null ? (
        <p className="px-4 pb-4 pt-2 text-sm text-slate-600">{empty}</p>
      ) : (
        <table className="mt-3 w-full text-left text-sm" aria-label={label}>
          <thead className="border-y border-slate-200 bg-slate-50 text-xs uppercase text-slate-500">
            <tr>
              {columns.map((c) => (
                <th key={c.label} scope="col" className={c.right ? "px-4 py-2 text-right" : "px-4 py-2"}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">{children}</tbody>
        </table>
      )}
    </Card>
  );
}

/** A customer's deliveries: totals, pulls and bytes per day (charts with a table alternative), per image, and the versions they pulled. A server component. */
export function CustomerAnalyticsView({ data }: { data: CustomerAnalytics }) {
  const { totals } = data;
  const imageMax = Math.max(1, ...data.images.map((i) => i.pulls));
  return (
    <div className="space-y-6">
      <Card>
        <h2 className="text-base font-semibold">
          Deliveries, {data.from} to {data.to}
        </h2>
        <p className="mt-1 text-sm text-slate-600">Pulls count manifests fetched (a multi-platform image fetches two: its index and its platform&apos;s manifest); bytes count completed transfers.</p>
        <dl className="mt-4 grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6">
          <Stat label="Pulls" value={String(totals.pulls)} />
          <Stat label="Bytes" value={formatBytes(totals.bytes)} />
          <Stat label="Refused" value={String(totals.refused)} />
          <Stat label="Incomplete" value={String(totals.incomplete)} />
          <Stat label="First pull" value={when(data.firstPullAt)} />
          <Stat label="Last pull" value={when(data.lastPullAt)} />
        </dl>
        {totals.pulls === 0 && totals.bytes === 0 ? (
          <p className="mt-4 text-sm text-slate-600">No pulls in this period. When this customer pulls through the proxy with one of their licenses, the days fill in here.</p>
        ) : (
          <div className="mt-4 grid gap-6 lg:grid-cols-2">
            <figure>
              <figcaption className="mb-1 text-sm font-medium">Pulls per day</figcaption>
              <BarChart id="pulls-per-day" title="Pulls per day" points={data.days.map((d) => ({ label: d.day, value: d.pulls }))} />
            </figure>
            <figure>
              <figcaption className="mb-1 text-sm font-medium">Bytes per day</figcaption>
              <BarChart id="bytes-per-day" title="Bytes per day" points={data.days.map((d) => ({ label: d.day, value: d.bytes }))} format={formatBytes} tone="fill-emerald-600" />
            </figure>
          </div>
        )}
        <details className="mt-3 text-sm">
          <summary className="cursor-pointer rounded font-medium text-brand-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-100">Show the days as a table</summary>
          <table className="mt-2 w-full max-w-md text-left text-sm" aria-label="Pulls and bytes per day">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-1.5">Day</th>
                <th scope="col" className="px-3 py-1.5 text-right">Pulls</th>
                <th scope="col" className="px-3 py-1.5 text-right">Bytes</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {data.days.map((d) => (
                <tr key={d.day}>
                  <td className="px-3 py-1">{d.day}</td>
                  <td className="px-3 py-1 text-right tabular-nums">{d.pulls}</td>
                  <td className="px-3 py-1 text-right tabular-nums">{d.bytes ? formatBytes(d.bytes) : "0"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </Card>

      <TableCard
        title="Per image"
        label="Pulls and bytes per image"
        empty={data.images.length === 0 ? "No image pulled in this period." : null}
        columns={[{ label: "Image" }, { label: "Pulls" }, { label: "Bytes", right: true }, { label: "Days pulled" }]}
      >
              {data.images.map((i) => (
                <tr key={i.image}>
                  <td className="break-all px-4 py-2 font-mono text-xs">{i.image}</td>
                  <td className="px-4 py-2">
                    <span className="flex items-center gap-2">
                      <svg viewBox="0 0 100 8" className="h-2 w-24 shrink-0" aria-hidden="true" preserveAspectRatio="none">
                        <rect x={0} y={0} width={100} height={8} rx={2} className="fill-slate-100" />
                        <rect x={0} y={0} width={(i.pulls / imageMax) * 100} height={8} rx={2} className="fill-brand-600" />
                      </svg>
                      <span className="tabular-nums">{i.pulls}</span>
                    </span>
                  </td>
                  <td className="whitespace-nowrap px-4 py-2 text-right tabular-nums">{formatBytes(i.bytes)}</td>
                  <td className="px-4 py-2 text-xs text-slate-600">{i.days.map((d) => `${shortDay(d.day)} (${d.pulls})`).join(", ")}</td>
                </tr>
              ))}
      </TableCard>

      <TableCard
        title="Versions pulled"
        intro="Every manifest digest this customer fetched, with the tags that resolved to it: the versions they run."
        label="Versions pulled"
        empty={data.versions.length === 0 ? "None yet." : null}
        columns={[{ label: "Image" }, { label: "Tags" }, { label: "Digest" }, { label: "Pulls", right: true }, { label: "Last pulled" }]}
      >
              {data.versions.map((v) => (
                <tr key={`${v.image}@${v.digest}`}>
                  <td className="break-all px-4 py-2 font-mono text-xs">{v.image}</td>
                  <td className="px-4 py-2 font-mono text-xs">{v.tags.length ? v.tags.join(", ") : <span className="font-sans text-slate-500">by digest</span>}</td>
                  <td className="px-4 py-2">
                    <span className="flex items-center gap-1">
                      <code className="font-mono text-xs" title={v.digest}>
                        {v.digest.slice(0, 19)}…
                      </code>
                      <CopyButton value={`${v.image}@${v.digest}`} label="Copy reference" />
                    </span>
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">{v.pulls}</td>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-600">{when(v.lastPullAt)}</td>
                </tr>
              ))}
      </TableCard>
    </div>
  );
}
