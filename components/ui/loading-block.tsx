/** A list's place while it loads below content already shown: one outlined block, announced as `label`. */
export function LoadingBlock({ label, className = "h-20" }: { label: string; className?: string }) {
  return (
    <div role="status" className="animate-pulse">
      <span className="sr-only">{label}</span>
      <div aria-hidden className={`${className} rounded-lg border border-slate-200 bg-white`} />
    </div>
  );
}
