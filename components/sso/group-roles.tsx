"use client";

import { roleLabels, roles, type RoleName } from "@/lib/teams/role-names";

export interface GroupRow {
  group: string;
  role: RoleName;
}

/** IdP group → role rows: add, edit, remove. The highest role among a person's groups wins. */
export function GroupRoles({ rows, onChange, error }: { rows: GroupRow[]; onChange: (rows: GroupRow[]) => void; error?: string }) {
  const set = (i: number, row: Partial<GroupRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...row } : r)));
  return (
    <div>
      <p className="text-sm font-medium text-slate-800">Group mappings</p>
      <p className="mb-2 text-xs text-slate-500">Applied at every sign-in: the highest role among the person&apos;s groups, else the default role.</p>
      {rows.length === 0 ? (
        <p className="rounded-md border border-dashed border-slate-300 px-3 py-2 text-sm text-slate-500">No group mappings: everyone gets the default role.</p>
      ) : (
        <ul className="space-y-2" aria-label="Group mappings">
          {rows.map((r, i) => (
            <li key={i} className="flex flex-wrap items-center gap-2">
              <input
                aria-label={`Group ${i + 1}`}
                value={r.group}
                onChange={(e) => set(i, { group: e.target.value })}
                placeholder="platform-admins"
                className="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-1.5 text-sm shadow-sm focus:border-brand-600 focus:ring-2 focus:ring-brand-100"
              />
              <span aria-hidden className="text-slate-400">→</span>
              <select
                aria-label={`Role of group ${i + 1}`}
                value={r.role}
                onChange={(e) => set(i, { role: e.target.value as RoleName })}
                className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm shadow-sm"
              >
                {roles.map((role) => (
                  <option key={role} value={role}>
                    {roleLabels[role]}
                  </option>
                ))}
              </select>
              <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove group ${r.group || i + 1}`} className="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100">
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && <p className="mt-1 text-xs font-medium text-red-600">{error}</p>}
      <button type="button" onClick={() => onChange([...rows, { group: "", role: "developer" }])} className="mt-2 rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm font-medium text-slate-700 hover:bg-slate-50">
        Add group mapping
      </button>
    </div>
  );
}
