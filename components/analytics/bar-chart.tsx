/**
 * A bar chart as server-rendered inline SVG (no chart library, no script): one bar per point,
 * scaled to the largest, the largest value and the first and last labels on the axis. The SVG is
 * one image to assistive technology (role="img" with a title and a description naming the total
 * and the busiest point); the same numbers are in the table the caller puts beside it.
 */
export interface BarPoint {
  label: string;
  value: number;
}

const W = 720;
const H = 160;
const PAD = { top: 12, right: 8, bottom: 22, left: 8 };

export function BarChart({ id, title, points, format = String, tone = "fill-brand-600" }: { id: string; title: string; points: BarPoint[]; format?: (n: number) => string; tone?: string }) {
  const max = Math.max(0, ...points.map((p) => p.value));
  const total = points.reduce((n, p) => n + p.value, 0);
  const busiest = points.reduce<BarPoint | undefined>((b, p) => (p.value > (b?.value ?? 0) ? p : b), undefined);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = points.length ? innerW / points.length : innerW;
  const barW = Math.max(1, slot * 0.7);
  const desc = points.length
    ? `${points.length} points from ${points[0]!.label} to ${points.at(-1)!.label}; total ${format(total)}${busiest ? `; most on ${busiest.label}: ${format(busiest.value)}` : "; none"}.`
    : "No data.";
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="h-auto w-full">
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{desc}</desc>
      <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="stroke-slate-300" strokeWidth={1} />
      {points.map((p, i) => {
        const h = max > 0 ? (p.value / max) * innerH : 0;
        return (
          <rect key={p.label} x={PAD.left + i * slot + (slot - barW) / 2} y={H - PAD.bottom - h} width={barW} height={h} rx={1.5} className={tone}>
            <title>{`${p.label}: ${format(p.value)}`}</title>
          </rect>
        );
      })}
      {max > 0 && (
        <text x={PAD.left} y={PAD.top - 2} className="fill-slate-500 text-[11px]">
          max {format(max)}
        </text>
      )}
      {points.length > 0 && (
        <>
          <text x={PAD.left} y={H - 6} className="fill-slate-500 text-[11px]">
            {points[0]!.label}
          </text>
          <text x={W - PAD.right} y={H - 6} textAnchor="end" className="fill-slate-500 text-[11px]">
            {points.at(-1)!.label}
          </text>
        </>
      )}
    </svg>
  );
}
