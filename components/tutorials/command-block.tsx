import { ScrollingCode } from "@/components/ui/code-block";
import { CopyButton } from "@/components/ui/copy-button";

/** A command (or file) to copy: a title bar with the copy button, then the text, scrolling sideways. */
export function CommandBlock({ value, label, title = "Shell", testId }: { value: string; label: string; title?: string; testId?: string }) {
  return (
    <div className="mt-2 overflow-hidden rounded-md border border-slate-800 bg-slate-900" data-testid={testId}>
      <div className="flex items-center justify-between gap-2 border-b border-slate-700 bg-slate-800 px-3 py-1.5">
        <span className="font-mono text-xs text-slate-300">{title}</span>
        <CopyButton value={value} label={`Copy ${label}`} />
      </div>
      <ScrollingCode label={label} className="px-3 py-2.5">
        {value}
      </ScrollingCode>
    </div>
  );
}
