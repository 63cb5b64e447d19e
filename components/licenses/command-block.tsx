import { ScrollingCode } from "@/components/ui/code-block";
import { CopyButton } from "@/components/ui/copy-button";

/** A titled block of text to copy as a whole: a command, a YAML document. */
export function CommandBlock({
  title,
  description,
  value,
  copyLabel,
  testId,
  actions,
}: {
  title: string;
  description?: React.ReactNode;
  value: string;
  copyLabel: string;
  testId: string;
  actions?: React.ReactNode;
}) {
  return (
    <section data-testid={testId} aria-label={title} className="min-w-0">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div className="min-w-0">
          <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
          {description && <p className="mt-0.5 text-xs text-slate-600">{description}</p>}
        </div>
        <div className="flex shrink-0 items-center gap-2">
          {actions}
          <CopyButton value={value} label={copyLabel} />
        </div>
      </div>
      <ScrollingCode label={title} className="mt-2 max-h-96 overflow-y-auto rounded-md bg-slate-900 p-3">
        {value}
      </ScrollingCode>
    </section>
  );
}
