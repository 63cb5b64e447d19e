import { REASONS, type PullReason } from "@/lib/activity/reasons";

/** Every reason code an attempt can carry, what it means and what fixes it: the one table the list's rows point into. */
export function ReasonsTable() {
  return (
    <details className="px-4 pb-4 text-sm">
      <summary className="cursor-pointer rounded font-medium text-brand-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-100">What the reasons mean</summary>
      <div className="mt-2 overflow-x-auto">
        <table className="w-full text-left text-sm" aria-label="Reasons">
          <thead className="bg-slate-50 text-xs uppercase text-slate-500">
            <tr>
              <th scope="col" className="px-3 py-2">Code</th>
              <th scope="col" className="px-3 py-2">What happened</th>
              <th scope="col" className="px-3 py-2">What fixes it</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {(Object.keys(REASONS) as PullReason[]).map((code) => (
              <tr key={code} id={`reason-${code}`}>
                <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{code}</td>
                <td className="px-3 py-2">{REASONS[code].what}</td>
                <td className="px-3 py-2 text-slate-600">{REASONS[code].fix}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
