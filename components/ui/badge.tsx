const tones = {
  green: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  amber: "bg-amber-50 text-amber-900 ring-amber-200",
  red: "bg-red-50 text-red-800 ring-red-200",
  slate: "bg-slate-100 text-slate-700 ring-slate-200",
  blue: "bg-brand-50 text-brand-700 ring-brand-100",
} as const;

type BadgeTone = keyof typeof tones;

/** A short status label. */
export function Badge({ tone = "slate", children }: { tone?: BadgeTone; children: React.ReactNode }) {
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tones[tone]}`}>{children}</span>;
}

export const statusTone = { active: "green", expired: "amber", revoked: "red" } as const satisfies Record<string, BadgeTone>;

/** "2025-01-31" (UTC) for an ISO date-time, or the fallback. */
export function shortDate(iso: string | null | undefined, fallback = "—") {
  return iso ? iso.slice(0, 10) : fallback;
}
